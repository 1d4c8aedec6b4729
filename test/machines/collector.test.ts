import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createActor, fromCallback, SimulatedClock, type AnyActorRef } from 'xstate';
import { collectorMachine } from '../../machines/collector.js';
import { FakeNetwork } from '../support/fake-network.js';
import { advance, collectorInput, pendingTimers, provideTree, type ListingFn } from '../support/tree.js';
import type { CollectorInput } from '../../machines/collector.js';

function start(over: Partial<CollectorInput> = {}, options: { listing?: ListingFn; crashGroup?: number } = {}) {
  const net = new FakeNetwork();
  const clock = new SimulatedClock();
  let machine = provideTree(net, options.listing).collector;
  if (options.crashGroup !== undefined) {
    const crashing = options.crashGroup;
    // a connector whose own code throws (a bug, not a socket failure): the Collector must restart it
    const { connector } = provideTree(net);
    const original = connector.implementations.actions.reportState as (a: unknown, p: unknown) => void;
    machine = machine.provide({
      actors: {
        connector: connector.provide({
          actions: {
            reportState: (args, params) => {
              if (args.context.groupIndex === crashing && params.state === 'Connected') throw new Error('bug in connector');
              original(args, params);
            },
          },
        }),
      },
    });
  }
  const created: Array<{ at: number; id: string }> = [];
  const actor = createActor(machine, {
    clock,
    input: collectorInput('binance', 'spot', over),
    inspect: (ev) => {
      if (ev.type === '@xstate.actor') created.push({ at: clock.now(), id: (ev.actorRef as AnyActorRef).id });
    },
  });
  actor.start();
  return { actor, clock, net, created };
}

function children(actor: AnyActorRef): Record<string, AnyActorRef> {
  return actor.getSnapshot().children as Record<string, AnyActorRef>;
}

describe('collector machine', () => {
  test('Ready → Running: lists the market, groups the coins and runs one connector per group', async () => {
    const t = start();
    assert.equal(t.actor.getSnapshot().value, 'Ready');
    t.actor.send({ type: 'START' });
    await advance(t, 500);
    assert.deepEqual(t.actor.getSnapshot().value, { Running: 'Supervising' });
    const ids = Object.keys(children(t.actor)).filter((id) => id.startsWith('connector:')).sort();
    assert.deepEqual(ids, ['connector:binance:spot:0', 'connector:binance:spot:1']);
    for (const id of ids) assert.equal(children(t.actor)[id]!.getSnapshot().value, 'Connected');
    const groups = t.actor.getSnapshot().context.groups;
    assert.deepEqual(groups.flat().sort(), ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT']);
    assert.ok(groups.every((g) => g.length <= 2));
    // the systemIds are the readable names
    assert.ok(t.actor.system.get('connector:binance:spot:1'));
    assert.ok(t.actor.system.get('coin:binance:spot:BTC/USDT'));
    t.actor.stop();
  });

  test('only configured symbols are collected; unknown ones are reported', async () => {
    const t = start({ symbols: ['BTC/USDT', 'DOGE/USDT'] });
    t.actor.send({ type: 'START' });
    await advance(t, 500);
    assert.deepEqual(t.actor.getSnapshot().context.groups, [['BTC/USDT']]);
    assert.deepEqual(t.actor.getSnapshot().context.unknownSymbols, ['DOGE/USDT']);
    t.actor.stop();
  });

  test('Running → Stopped stops every connector, socket and timer', async () => {
    const t = start();
    t.actor.send({ type: 'START' });
    await advance(t, 500);
    assert.equal(t.net.openConnections().length, 2);
    t.actor.send({ type: 'STOP' });
    assert.equal(t.actor.getSnapshot().value, 'Stopped');
    assert.equal(Object.keys(children(t.actor)).length, 0);
    assert.equal(t.net.openConnections().length, 0);
    assert.equal(pendingTimers(t.clock), 0);
    t.actor.stop();
  });

  test('a failing listing is retried with backoff, then the collector gives up', async () => {
    let calls = 0;
    const t = start({}, { listing: async () => { calls++; throw new Error('HTTP 503'); } });
    t.actor.send({ type: 'START' });
    await advance(t, 50, { step: 10 });
    assert.deepEqual(t.actor.getSnapshot().value, { Running: 'ListingFailed' });
    await advance(t, 1_000, { step: 10 });
    assert.deepEqual(t.actor.getSnapshot().value, { Running: 'GaveUp' });
    assert.equal(calls, 3);
    assert.match(t.actor.getSnapshot().context.lastError ?? '', /HTTP 503/);
    t.actor.stop();
  });

  test('a market refresh adds listings and stops delistings without touching unrelated connectors', async () => {
    let symbols = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];
    const t = start({ refreshIntervalMs: 60_000, groupSize: 2 }, { listing: async () => ({ symbols }) });
    t.actor.send({ type: 'START' });
    await advance(t, 500);
    const before = t.actor.getSnapshot().context.groups.map((g) => [...g]);
    const connectionsBefore = t.net.connections.length;
    symbols = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT'];
    await advance(t, 60_000, { step: 1_000 });
    const after = t.actor.getSnapshot().context.groups;
    for (const [i, g] of before.entries()) for (const s of g) assert.ok(after[i]!.includes(s), `${s} stayed in group ${i}`);
    assert.ok(after.flat().includes('XRP/USDT'));
    assert.equal(t.net.connections.length, connectionsBefore, 'no connector reconnected for a listing');
    const xrpGroup = after.findIndex((g) => g.includes('XRP/USDT'));
    assert.equal(children(t.actor)[`connector:binance:spot:${xrpGroup}`]!.getSnapshot().context.coins['XRP/USDT'].phase, 'subscribed');
    symbols = ['BTC/USDT', 'ETH/USDT', 'XRP/USDT'];
    await advance(t, 60_000, { step: 1_000 });
    assert.ok(!t.actor.getSnapshot().context.groups.flat().includes('SOL/USDT'));
    assert.equal(t.actor.system.get('coin:binance:spot:SOL/USDT')?.getSnapshot().value, 'Stopped');
    assert.equal(t.net.connections.length, connectionsBefore);
    t.actor.stop();
  });

  test('a connector that crashes is restarted as a fresh actor; its sibling is left alone', async () => {
    const t = start({}, { crashGroup: 1 });
    t.actor.send({ type: 'START' });
    await advance(t, 3_500, { step: 100 });
    const record = t.actor.getSnapshot().context.connectors['connector:binance:spot:1']!;
    assert.ok(record.restartAttempts >= 2, `restarted ${record.restartAttempts} times`);
    assert.match(record.lastError ?? '', /bug in connector/);
    const sibling = t.created.filter((c) => c.id === 'connector:binance:spot:0');
    assert.equal(sibling.length, 1, 'the healthy sibling was created once and never restarted');
    const crashedSockets = t.net.openConnections().filter((c) => c.input.groupIndex === 1);
    assert.ok(crashedSockets.length <= 1, `a crashed connector leaves no socket behind (${crashedSockets.length} open)`);
    t.actor.stop();
  });
});
