/**
 * The simulator's prepared trade burst (benchmarks): the trades burst() would send, generated and
 * rendered up front, written by send(). Over the wire it is the same feed as a live burst from the
 * same seed (same frames, same order), nothing is written before send(), and the ledger has the
 * trades from the moment they were prepared.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { connect, waitFor } from './helpers.js';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];
const COUNT = 5_000; // more than one send chunk (2048), not a multiple of it

async function withSim<T>(run: (sim: SimExchange) => Promise<T>): Promise<T> {
  const sim = await startSimExchange({
    mode: 'manual', seed: 11,
    venues: [{ exchange: 'binance', market: 'spot', symbols: SYMBOLS.map((symbol) => ({ symbol, tradesPerSecond: 0, tickersPerSecond: 0 })) }],
  });
  try {
    return await run(sim);
  } finally {
    await sim.stop();
  }
}

/** a client subscribed to every symbol's trades; resolves once the ack came */
async function subscribed(sim: SimExchange) {
  const c = await connect(sim.endpoints('binance', 'spot').wsUrl);
  c.send({ method: 'SUBSCRIBE', params: SYMBOLS.map((s) => `${s.replace('/', '').toLowerCase()}@trade`), id: 1 });
  await waitFor(() => c.frames.length >= 1);
  return c;
}

/**
 * the frames without their timestamps and ids (stamped when generated, and a Binance id is drawn
 * from the time, so the two runs differ there; the ids are checked apart)
 */
const unstamped = (frames: readonly string[]) => frames.map((f) => f.replace(/"(E|T|t)":\d+/g, '"$1":0'));

describe('prepared trade burst over the wire (binance spot)', () => {
  test('sends the frames a live burst sends, only on send(), with the ledger filled at prepare', async () => {
    const live = await withSim(async (sim) => {
      const c = await subscribed(sim);
      await sim.burst('binance', 'spot', COUNT);
      await waitFor(() => c.frames.length >= 1 + COUNT, 5000, 'the live burst');
      await c.close();
      return c.frames.slice(1);
    });
    const prepared = await withSim(async (sim) => {
      const c = await subscribed(sim);
      const burst = await sim.prepareBurst('binance', 'spot', COUNT);
      assert.equal(burst.trades, COUNT);
      assert.equal(sim.groundTruth().length, COUNT, 'generated when prepared');
      // a ping round trip: a frame written before send() would arrive before the pong (one TCP stream)
      const pong = new Promise<void>((resolve) => c.ws.once('pong', () => resolve()));
      c.ws.ping();
      await pong;
      assert.equal(c.frames.length, 1, 'nothing sent before send()');
      await Promise.all([burst.send(), burst.send()]);
      await waitFor(() => c.frames.length >= 1 + COUNT, 5000, 'the prepared burst');
      assert.equal(sim.stats().venues[0]!.framesSent, 1 + COUNT, 'sent once, whatever send() is called again');
      await c.close();
      return c.frames.slice(1);
    });
    assert.equal(prepared.length, COUNT);
    assert.deepEqual(unstamped(prepared), unstamped(live));
    // every symbol's ids follow on one another, as a live burst's do
    const trades = prepared.map((f) => JSON.parse(f) as { s: string; t: number });
    for (const s of SYMBOLS) {
      const ids = trades.filter((t) => t.s === s.replace('/', '')).map((t) => t.t);
      assert.ok(ids.length > 0, s);
      for (let i = 1; i < ids.length; i++) assert.equal(ids[i], (ids[i - 1] as number) + 1, `${s} id ${i}`);
    }
  });

  test('no trading symbol: nothing prepared, send() writes nothing', async () => {
    await withSim(async (sim) => {
      sim.inject({ kind: 'delist', exchange: 'binance', market: 'spot', symbols: SYMBOLS });
      const burst = await sim.prepareBurst('binance', 'spot', 100);
      assert.equal(burst.trades, 0);
      await burst.send();
      assert.equal(sim.groundTruth().length, 0);
    });
  });
});
