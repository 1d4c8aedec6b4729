/**
 * The socket faults added for issue 10, seen by a raw client: duplicated, replayed and shuffled
 * frames, a stall that buffers and delivers late, a data-only stall that keeps answering pings,
 * and faults pinned to one socket of a group. Fault windows run on the injected clock.
 *
 * "Nothing arrived" is never judged by waiting: a LIST_SUBSCRIPTIONS answer is written after every
 * data frame queued before it on the same socket, so once it is read, anything sent before it is too.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimExchange, type SimExchange, type SimOptions } from '../../src/sim/index.js';
import { connect, fakeClock, waitFor, type Recorder } from './helpers.js';

type Obj = Record<string, unknown>;

async function withSim(
  fn: (sim: SimExchange, clock: ReturnType<typeof fakeClock>) => Promise<void>,
  timing: SimOptions['timing'] = {},
): Promise<void> {
  const clock = fakeClock();
  const sim = await startSimExchange({
    mode: 'manual',
    now: clock.now,
    timing: { binanceSpotMaxIncomingPerWindow: 1000, ...timing },
    venues: [
      {
        exchange: 'binance',
        market: 'spot',
        symbols: [
          { symbol: 'BTC/USDT', tradesPerSecond: 20, tickersPerSecond: 0 },
          { symbol: 'ETH/USDT', tradesPerSecond: 20, tickersPerSecond: 0 },
        ],
      },
    ],
  });
  try {
    await fn(sim, clock);
  } finally {
    await sim.stop();
  }
}

async function subscribed(sim: SimExchange, streams = ['btcusdt@trade']): Promise<Recorder> {
  const c = await connect(sim.endpoints('binance', 'spot').wsUrl);
  c.send({ method: 'SUBSCRIBE', params: streams, id: 1 });
  await waitFor(() => c.frames.length === 1);
  return c;
}

let barrierId = 1000;
/** resolves once everything the server wrote to this socket before now has been read */
async function barrier(c: Recorder): Promise<void> {
  const id = ++barrierId;
  c.send({ method: 'LIST_SUBSCRIPTIONS', id });
  await waitFor(() => c.json().some((m) => (m as Obj | undefined)?.id === id), 2000, `answer ${id}`);
}

const trades = (c: Recorder) => c.json().filter((m) => (m as Obj | undefined)?.e === 'trade') as Obj[];
const ids = (c: Recorder, symbol?: string) => trades(c).filter((t) => symbol === undefined || t.s === symbol).map((t) => String(t.t));
const truthIds = (sim: SimExchange, symbol: string) => sim.groundTruth({ exchange: 'binance', market: 'spot', symbol }).map((t) => t.id);

describe('frame faults, observed from a client', () => {
  test('duplicate-frames: the same frame twice, back to back, only for the symbols named', async () => {
    await withSim(async (sim) => {
      const c = await subscribed(sim, ['btcusdt@trade', 'ethusdt@trade']);
      sim.inject({ kind: 'duplicate-frames', count: 3, symbols: ['BTC/USDT'] });
      sim.advance(1000);
      await barrier(c);
      const btc = ids(c, 'BTCUSDT');
      assert.equal(btc.length, 23);
      assert.deepEqual([...new Set(btc)], truthIds(sim, 'BTC/USDT'), 'every trade once, in order, plus the copies');
      const twins = btc.filter((id, i) => btc[i + 1] === id);
      assert.equal(twins.length, 3, 'each copy follows its original directly');
      assert.deepEqual(ids(c, 'ETHUSDT'), truthIds(sim, 'ETH/USDT'), 'the other symbol is untouched');
      // the count is used up: the next second is clean
      sim.advance(1000);
      await barrier(c);
      assert.equal(ids(c, 'BTCUSDT').length, 43);
      await c.close();
    });
  });

  test('replay-frames: what was sent during the window is sent again when it ends, in order', async () => {
    await withSim(async (sim, clock) => {
      const c = await subscribed(sim);
      sim.inject({ kind: 'replay-frames', durationMs: 1000, count: 5 });
      sim.advance(500);
      await barrier(c);
      const first = ids(c);
      assert.equal(first.length, 10);
      clock.advance(1001);
      sim.advance(500);
      await barrier(c);
      const all = ids(c);
      const truth = truthIds(sim, 'BTC/USDT');
      assert.deepEqual(all, [...truth.slice(0, 10), ...truth.slice(0, 5), ...truth.slice(10, 20)]);
      await c.close();
    });
  });

  test('out-of-order: each block of windowFrames frames of a symbol arrives shuffled; nothing lost', async () => {
    await withSim(async (sim, clock) => {
      const c = await subscribed(sim);
      sim.inject({ kind: 'out-of-order', windowFrames: 4, durationMs: 2000 });
      sim.advance(1000);
      await barrier(c);
      const got = ids(c);
      const truth = truthIds(sim, 'BTC/USDT');
      assert.equal(got.length, 20);
      for (let b = 0; b < 20; b += 4) {
        const block = got.slice(b, b + 4);
        assert.deepEqual([...block].sort(), truth.slice(b, b + 4).sort(), `block ${b / 4} holds its own frames`);
        assert.notDeepEqual(block, truth.slice(b, b + 4), `block ${b / 4} is out of order`);
      }
      // a block still incomplete when the fault ends is delivered at the next flush
      sim.advance(300);
      await barrier(c);
      assert.equal(ids(c).length, 24, 'two frames wait for their block');
      clock.advance(2001);
      sim.advance(50);
      await barrier(c);
      const after = ids(c);
      assert.deepEqual([...after].sort(), truthIds(sim, 'BTC/USDT').sort());
      assert.equal(after.length, 27);
      await c.close();
    });
  });

  test('stall-buffered: everything (data, answers, pongs) is held, then delivered late in order', async () => {
    await withSim(async (sim, clock) => {
      const c = await subscribed(sim);
      let pongs = 0;
      c.ws.on('pong', () => pongs++);
      const sentBefore = sim.stats().venues[0]!.framesSent;
      sim.inject({ kind: 'stall-buffered', durationMs: 5000 });
      sim.advance(1000);
      c.ws.ping();
      c.send({ method: 'LIST_SUBSCRIPTIONS', id: 7 });
      // held by the venue, not written: the socket saw nothing (checked synchronously on the server's counter)
      await waitFor(() => sim.stats().venues[0]!.messagesReceived >= 2);
      assert.equal(sim.stats().venues[0]!.framesSent, sentBefore);
      assert.equal(c.isClosed(), false);
      clock.advance(5001);
      sim.advance(1000);
      await waitFor(() => trades(c).length === 40 && pongs === 1);
      const frames = c.json().slice(1) as Obj[];
      const answer = frames.findIndex((m) => m.id === 7);
      assert.equal(answer, 20, 'the answer comes after the 20 trades held before it, before the new ones');
      assert.deepEqual(ids(c), truthIds(sim, 'BTC/USDT'), 'every trade, in order');
      await c.close();
    });
  });

  test('stall-data-only: no data frames, but pings, pongs and answers go on and the socket stays open', async () => {
    await withSim(
      async (sim, clock) => {
        const c = await subscribed(sim);
        let pongs = 0;
        let serverPings = 0;
        c.ws.on('pong', () => pongs++);
        c.ws.on('ping', () => serverPings++);
        sim.inject({ kind: 'stall-data-only', durationMs: 5000 });
        sim.advance(1000);
        c.ws.ping();
        await barrier(c);
        assert.equal(trades(c).length, 0, 'no trade frames');
        await waitFor(() => pongs === 1 && serverPings >= 2, 2000, 'keep-alive untouched');
        assert.equal(c.isClosed(), false);
        // the withheld trades exist: REST serves them
        assert.equal(truthIds(sim, 'BTC/USDT').length, 20);
        clock.advance(5001);
        sim.advance(1000);
        await barrier(c);
        assert.deepEqual(ids(c), truthIds(sim, 'BTC/USDT').slice(20), 'data resumes; the stalled trades never come');
        await c.close();
      },
      { binanceSpotPingIntervalMs: 30, binanceSpotPongTimeoutMs: 5000 },
    );
  });

  test('connection: N pins a fault to the Nth open socket; the others keep flowing', async () => {
    await withSim(async (sim, clock) => {
      const a = await subscribed(sim);
      const b = await subscribed(sim);
      sim.inject({ kind: 'stall-data-only', connection: 1, durationMs: 5000 });
      // a socket opened later is not the one the fault was bound to
      const late = await subscribed(sim);
      sim.advance(1000);
      await Promise.all([barrier(a), barrier(b), barrier(late)]);
      assert.equal(ids(a).length, 20);
      assert.equal(ids(b).length, 0);
      assert.equal(ids(late).length, 20);
      clock.advance(5001);
      // a disconnect pinned to socket 0 closes that one only
      sim.inject({ kind: 'disconnect', connection: 0 });
      assert.equal((await a.closed).code, 1001);
      sim.advance(500);
      await Promise.all([barrier(b), barrier(late)]);
      assert.equal(ids(b).length, 10);
      assert.equal(b.isClosed(), false);
      assert.equal(late.isClosed(), false);
      await b.close();
      await late.close();
    });
  });
});
