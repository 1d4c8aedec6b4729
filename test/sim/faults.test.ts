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
    timing: { binanceSpotMaxIncomingPerWindow: 100 },
    venues: [
      { exchange: 'binance', market: 'spot', symbols: [{ symbol: 'BTC/USDT', tradesPerSecond: 20, tickersPerSecond: 0 }] },
      { exchange: 'binance', market: 'futures', symbols: [{ symbol: 'BTC/USDT:USDT', tradesPerSecond: 20, tickersPerSecond: 0 }] },
    ],
  });
  try {
    await fn(sim, clock);
  } finally {
    await sim.stop();
  }
}

async function subscribed(sim: SimExchange): Promise<Recorder> {
  const c = await connect(sim.endpoints('binance', 'spot').wsUrl);
  c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 1 });
  await waitFor(() => c.frames.length === 1);
  return c;
}

const trades = (c: Recorder) => c.json().filter((m) => (m as Obj | undefined)?.e === 'trade') as Obj[];

describe('fault injection, observed from a client', () => {
  test('disconnect closes the matching venue sockets now and leaves the others', async () => {
    await withSim(async (sim) => {
      const spot = await subscribed(sim);
      const fut = await connect(sim.endpoints('binance', 'futures').wsUrl);
      sim.inject({ kind: 'disconnect', exchange: 'binance', market: 'spot' });
      const closed = await spot.closed;
      assert.equal(closed.code, 1001);
      assert.equal(fut.isClosed(), false);
      // new connections are accepted right away
      const again = await subscribed(sim);
      await again.close();
      await fut.close();
    });
  });

  test('stall: the socket stays open but sends no data and no pong; data resumes when it ends', async () => {
    await withSim(async (sim, clock) => {
      const c = await subscribed(sim);
      let pongs = 0;
      c.ws.on('pong', () => pongs++);
      sim.inject({ kind: 'stall', durationMs: 10_000 });
      sim.advance(1000);
      c.ws.ping();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(trades(c).length, 0);
      assert.equal(pongs, 0);
      assert.equal(c.isClosed(), false);
      clock.advance(10_001);
      sim.advance(1000);
      c.ws.ping();
      await waitFor(() => trades(c).length === 20 && pongs === 1);
      await c.close();
    });
  });

  test('malformed: garbage frames (truncated JSON, wrong types) are interleaved with real ones', async () => {
    await withSim(async (sim) => {
      const c = await subscribed(sim);
      sim.inject({ kind: 'malformed', count: 4 });
      sim.advance(1000);
      await waitFor(() => c.frames.length === 1 + 20 + 4);
      const unparsable = c.json().filter((m) => m === undefined).length;
      const wrongTypes = trades(c).filter((t) => typeof t.p !== 'string').length;
      assert.equal(unparsable, 2);
      assert.equal(wrongTypes, 2);
      assert.equal(trades(c).filter((t) => typeof t.p === 'string').length, 20, 'real frames all delivered');
      assert.equal(sim.stats().venues[0]!.garbageFrames, 4);
      await c.close();
    });
  });

  test("reject-subscribe answers with the venue's error frame", async () => {
    await withSim(async (sim) => {
      sim.inject({ kind: 'reject-subscribe', count: 1 });
      const c = await connect(sim.endpoints('binance', 'spot').wsUrl);
      c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 1 });
      c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 2 });
      await waitFor(() => c.frames.length === 2);
      assert.equal((c.json()[0] as Obj).code, 2);
      assert.deepEqual(c.json()[1], { result: null, id: 2 });
      await c.close();
    });
  });

  test("rest-429 answers the venue's rate-limit response with Retry-After", async () => {
    await withSim(async (sim) => {
      sim.inject({ kind: 'rest-429', exchange: 'binance', market: 'spot', count: 1 });
      const url = `${sim.endpoints('binance', 'spot').restUrl}/api/v3/exchangeInfo`;
      const r = await getJson(url);
      assert.equal(r.status, 429);
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      assert.equal((r.body as Obj).code, -1003);
      assert.equal((await getJson(url)).status, 200);
    });
  });

  test('drop-messages: trades stay in the ledger and REST, but their frames never arrive', async () => {
    await withSim(async (sim) => {
      const c = await subscribed(sim);
      sim.advance(500);
      sim.inject({ kind: 'drop-messages', count: 5, symbols: ['BTC/USDT'] });
      sim.advance(500);
      const truth = sim.groundTruth({ market: 'spot' });
      assert.equal(truth.length, 20);
      await waitFor(() => trades(c).length === 15);
      await new Promise((r) => setTimeout(r, 20));
      const seen = new Set(trades(c).map((t) => String(t.t)));
      const missing = truth.filter((t) => !seen.has(t.id)).map((t) => t.id);
      assert.deepEqual(missing, truth.slice(10, 15).map((t) => t.id));
      const { restUrl } = sim.endpoints('binance', 'spot');
      const rest = (await getJson(`${restUrl}/api/v3/historicalTrades?symbol=BTCUSDT&fromId=${missing[0]}&limit=5`)).body as Obj[];
      assert.deepEqual(rest.map((t) => String(t.id)), missing);
      assert.equal(sim.stats().venues[0]!.tradesDropped, 5);
      await c.close();
    });
  });

  test('server-restart drops every socket, refuses WS and REST while down, then serves again', async () => {
    await withSim(async (sim, clock) => {
      const c = await subscribed(sim);
      sim.inject({ kind: 'server-restart', exchange: 'binance', market: 'spot', durationMs: 5000 });
      const closed = await c.closed;
      assert.equal(closed.code, 1006, 'no closing handshake');
      await assert.rejects(connect(sim.endpoints('binance', 'spot').wsUrl));
      await assert.rejects(fetch(`${sim.endpoints('binance', 'spot').restUrl}/api/v3/ping`));
      // the other market is unaffected
      assert.equal((await getJson(`${sim.endpoints('binance', 'futures').restUrl}/fapi/v1/ping`)).status, 200);
      clock.advance(5001);
      const back = await subscribed(sim);
      assert.equal((await getJson(`${sim.endpoints('binance', 'spot').restUrl}/api/v3/ping`)).status, 200);
      await back.close();
    });
  });

  test('slow: frames arrive late but in order', async () => {
    await withSim(async (sim) => {
      const c = await subscribed(sim);
      sim.inject({ kind: 'slow', latencyMs: 120 });
      const t0 = Date.now();
      sim.advance(1000);
      await new Promise((r) => setTimeout(r, 40));
      assert.equal(trades(c).length, 0, 'still in flight');
      await waitFor(() => trades(c).length === 20);
      assert.ok(Date.now() - t0 >= 110);
      sim.clearFaults();
      sim.advance(1000);
      await waitFor(() => trades(c).length === 40);
      const ids = trades(c).map((t) => t.t as number);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      await c.close();
    });
  });

  test('ground truth equals what a client that never lost a frame received', async () => {
    await withSim(async (sim) => {
      const c = await subscribed(sim);
      sim.advance(3000);
      await sim.burst('binance', 'spot', 5000);
      await waitFor(() => trades(c).length === 5060);
      const received = trades(c).map((t) => ({
        id: String(t.t),
        price: Number(t.p),
        amount: Number(t.q),
        side: t.m ? 'sell' : 'buy',
        timestamp: t.T,
      }));
      const truth = sim.groundTruth({ exchange: 'binance', market: 'spot' }).map(({ id, price, amount, side, timestamp }) => ({ id, price, amount, side, timestamp }));
      assert.deepEqual(received, truth);
      await c.close();
    });
  });
});
