/**
 * What one Coin actor costs in V8's heap: `count` Coins spawned under one parent (as a Connector
 * spawns them: id, systemId, input), each taken to Subscribed, against the same count of a bare
 * three-state machine with an empty context. Bytes of heap per actor after full GCs. What it
 * showed (node 20): the Coin 2.6 KB, the bare machine 2.4 KB: XState's actor (its snapshot, tags
 * set, mailbox, observers, bound helpers), not the Coin's context, is most of a symbol's heap at
 * 5,000 symbols (docs/architecture.md#memory).
 *
 *   node --expose-gc --import tsx bench/micro/actor-memory.ts [count=5000]
 */
import { createActor, createMachine, enqueueActions, setup, type AnyStateMachine } from 'xstate';
import { coinMachine } from '../../machines/coin.js';
import { coinId } from '../../machines/ids.js';

const count = Number(process.argv[2] ?? 5000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const bare = createMachine({ id: 'bare', initial: 'Ready', states: { Ready: { on: { REQUEST: 'Requested' } }, Requested: { on: { CONFIRM: 'Subscribed' } }, Subscribed: {} } });

function bytesPerActor(child: AnyStateMachine): number {
  const parent = setup({ actors: { child } }).createMachine({
    entry: enqueueActions(({ enqueue }) => {
      for (let i = 0; i < count; i++) {
        const symbol = `S${i}/USDT`;
        const id = coinId('binance', 'spot', symbol);
        enqueue.spawnChild('child', { id, systemId: id, input: { exchange: 'binance', market: 'spot', symbol, book: false } });
      }
    }),
  });
  gc!();
  gc!();
  const before = process.memoryUsage().heapUsed;
  const actor = createActor(parent).start();
  for (const c of Object.values(actor.getSnapshot().children)) {
    c?.send({ type: 'REQUEST' });
    c?.send({ type: 'CONFIRM' });
  }
  gc!();
  gc!();
  const bytes = (process.memoryUsage().heapUsed - before) / count;
  actor.stop();
  return bytes;
}

for (const [name, machine] of [['coin', coinMachine], ['bare machine', bare]] as const) {
  console.log(`${name}: ${Math.round(bytesPerActor(machine))} bytes of heap per actor (${count} actors)`);
}
