/**
 * Venue-wide faults: the exchange's clock running ahead of real time, and a symbol delisted then
 * relisted mid-run. Both on the injected clock.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { connect, fakeClock, getJson, waitFor, type Recorder } from './helpers.js';

type Obj = Record<string, unknown>;

async function withSim(fn: (sim: SimExchange, clock: ReturnType<typeof fakeClock>) => Promise<void>): Promise<void> {
  const clock = fakeClock();
  const sim = await startSimExchange({
    mode: 'manual',
    now: clock.now,
    timing: { binanceSpotMaxIncomingPerWindow: 1000 },
    venues: [
      {
        exchange: 'binance',
        market: 'spot',
        symbols: [
          { symbol: 'BTC/USDT', tradesPerSecond: 20, tickersPerSecond: 0 },
          { symbol: 'ETH/USDT', tradesPerSecond: 20, tickersPerSecond: 0 },
        ],
      },
      { exchange: 'okx', market: 'spot', symbols: [{ symbol: 'BTC/USDT', tradesPerSecond: 20, tickersPerSecond: 0 }] },
    ],
  });
  try {
    await fn(sim, clock);
  } finally {
    await sim.stop();
  }
}

let nextId = 100;
async function request(c: Recorder, body: Obj): Promise<Obj> {
  const id = ++nextId;
  c.send({ ...body, id });
  await waitFor(() => c.json().some((m) => (m as Obj | undefined)?.id === id));
  return c.json().find((m) => (m as Obj | undefined)?.id === id) as Obj;
}

const trades = (c: Recorder, s: string) => c.json().filter((m) => (m as Obj | undefined)?.e === 'trade' && (m as Obj).s === s) as Obj[];

describe('venue faults', () => {
  test("clock-skew: the venue stamps trades with its own clock, skewMs ahead; wire, REST and ground truth agree", async () => {
    await withSim(async (sim, clock) => {
      const c = await connect(sim.endpoints('binance', 'spot').wsUrl);
      await request(c, { method: 'SUBSCRIBE', params: ['btcusdt@trade'] });
      sim.advance(1000);
      await request(c, { method: 'LIST_SUBSCRIPTIONS' });
      const straight = trades(c, 'BTCUSDT').map((t) => t.T as number);
      sim.inject({ kind: 'clock-skew', exchange: 'binance', skewMs: 5000, durationMs: 60_000 });
      sim.advance(1000);
      await request(c, { method: 'LIST_SUBSCRIPTIONS' });
      const skewed = trades(c, 'BTCUSDT').slice(20);
      assert.equal(skewed.length, 20);
      // generated over the same one-second step as before, 5 s later on the venue's clock
      skewed.forEach((t, i) => assert.equal(t.T, straight[i]! + 1000 + 5000));
      assert.ok(skewed.every((t) => t.E === t.T));
      const truth = sim.groundTruth({ exchange: 'binance', symbol: 'BTC/USDT' }).slice(20);
      assert.deepEqual(truth.map((t) => t.timestamp), skewed.map((t) => t.T), 'the ground truth keeps the venue timestamps');
      const rest = (await getJson(`${sim.endpoints('binance', 'spot').restUrl}/api/v3/trades?symbol=BTCUSDT&limit=20`)).body as Obj[];
      assert.deepEqual(rest.map((t) => t.time), skewed.map((t) => t.T));
      // the venue's own clock is what it answers to "what time is it"
      const time = (await getJson(`${sim.endpoints('binance', 'spot').restUrl}/api/v3/time`)).body as Obj;
      assert.equal(time.serverTime, clock.now() + 5000);
      // the other venue's clock is right
      const okx = sim.groundTruth({ exchange: 'okx' });
      assert.equal(okx[okx.length - 1]!.timestamp, straight[19]! + 1000);
      await c.close();
    });
  });

  test('delist: gone from the listing, untraded, unsubscribed and refused; relisted when durationMs ends', async () => {
    await withSim(async (sim, clock) => {
      const { wsUrl, restUrl } = sim.endpoints('binance', 'spot');
      const c = await connect(wsUrl);
      await request(c, { method: 'SUBSCRIBE', params: ['btcusdt@trade', 'ethusdt@trade'] });
      sim.advance(500);
      sim.inject({ kind: 'delist', exchange: 'binance', symbols: ['BTC/USDT'], durationMs: 10_000 });
      assert.deepEqual((await request(c, { method: 'LIST_SUBSCRIPTIONS' })).result, ['ethusdt@trade'], 'the venue dropped the stream');
      const listing = (await getJson(`${restUrl}/api/v3/exchangeInfo`)).body as { symbols: Obj[] };
      assert.deepEqual(listing.symbols.map((s) => s.symbol), ['ETHUSDT']);
      const refused = await request(c, { method: 'SUBSCRIBE', params: ['btcusdt@trade'] });
      assert.equal(refused.code, 2);
      assert.match(String(refused.msg), /btcusdt@trade/);
      const rest = await getJson(`${restUrl}/api/v3/trades?symbol=BTCUSDT`);
      assert.deepEqual([rest.status, (rest.body as Obj).code], [400, -1121]);
      const before = sim.groundTruth({ symbol: 'BTC/USDT', exchange: 'binance' }).length;
      sim.advance(1000);
      assert.equal(sim.groundTruth({ symbol: 'BTC/USDT', exchange: 'binance' }).length, before, 'not traded while delisted');
      await request(c, { method: 'LIST_SUBSCRIPTIONS' });
      assert.equal(trades(c, 'BTCUSDT').length, 10);
      assert.equal(trades(c, 'ETHUSDT').length, 30);
      // OKX refuses its delisted instrument the way it refuses an unknown one
      sim.inject({ kind: 'delist', exchange: 'okx', symbols: ['BTC/USDT'], durationMs: 10_000 });
      const okx = await connect(sim.endpoints('okx', 'spot').wsUrl);
      okx.send({ op: 'subscribe', args: [{ channel: 'trades', instId: 'BTC-USDT' }] });
      await waitFor(() => okx.frames.length === 1);
      assert.deepEqual([(okx.json()[0] as Obj).event, (okx.json()[0] as Obj).code], ['error', '60018']);
      await okx.close();

      clock.advance(10_001);
      const relisted = (await getJson(`${restUrl}/api/v3/exchangeInfo`)).body as { symbols: Obj[] };
      assert.deepEqual(relisted.symbols.map((s) => s.symbol), ['BTCUSDT', 'ETHUSDT']);
      sim.advance(500);
      await request(c, { method: 'LIST_SUBSCRIPTIONS' });
      assert.equal(trades(c, 'BTCUSDT').length, 10, 'relisting does not resubscribe anyone');
      assert.deepEqual((await request(c, { method: 'SUBSCRIBE', params: ['btcusdt@trade'] })).result, null);
      sim.advance(500);
      await request(c, { method: 'LIST_SUBSCRIPTIONS' });
      assert.equal(trades(c, 'BTCUSDT').length, 20);
      await c.close();
    });
  });
});
