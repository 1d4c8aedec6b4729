import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GapFiller, RESUME_SKEW_MS } from '../../src/ingest/gap-filler.js';
import type { GapWindow } from '../../src/ingest/gap-tracker.js';
import { createAdapter } from '../../src/exchanges/index.js';
import type { BackfillRequest, BackfillResult, ExchangeAdapter, Instrument } from '../../src/exchanges/types.js';
import type { MarketRecord, Trade } from '../../src/records.js';
import type { Clock } from '../../src/time/clock.js';
import { ManualClock, jumpingClock } from './helpers.js';

const T0 = 1_700_000_000_000;
const instrument = (symbol: string): Instrument => ({ symbol, nativeId: symbol, base: 'X', quote: 'USDT', active: true });
const trade = (symbol: string, id: string, timestamp: number): Trade => ({
  type: 'trade', exchange: 'okx', market: 'spot', symbol, id, price: 1, amount: 1, side: 'buy', timestamp, localTimestamp: timestamp,
});

function setup(answer: (r: BackfillRequest) => Promise<BackfillResult>, maxAttempts = 5, clock: Clock = jumpingClock(T0)) {
  const requests: BackfillRequest[] = [];
  const pushed: MarketRecord[][] = [];
  // by default a clock that only the filler's waits move, recording them
  const sleeps = 'waits' in clock ? (clock as { waits: number[] }).waits : [];
  const warnings: string[] = [];
  const adapter: ExchangeAdapter = {
    ...createAdapter('okx', 'spot'),
    backfillTrades: (_http, request) => {
      requests.push(request);
      return answer(request);
    },
  };
  const filler = new GapFiller({
    adapter,
    rest: async () => ({ status: 200, headers: {}, body: null }),
    restUrl: 'http://unused',
    instrument: (s) => (s === 'GONE' ? undefined : instrument(s)),
    push: (records) => pushed.push([...records]),
    log: { warn: (_o, msg) => warnings.push(msg), info: () => undefined },
    clock,
    maxAttempts,
  });
  return { filler, requests, pushed, sleeps, warnings };
}

describe('gap filler', () => {
  test('a window without afterId is asked for by time, with the trade that closed it', async () => {
    const f = setup(async (r) => ({ trades: [trade(r.instrument.symbol, 'q1', r.from + 1)], complete: true }));
    f.filler.add([{ symbol: 'QUIET', from: T0 - 1_030, to: T0 + 4_000, untilId: 'q6', reason: 'subscribe' }]);
    await f.filler.whenIdle();
    assert.equal(f.requests.length, 1);
    const r = f.requests[0]!;
    assert.equal('afterId' in r, false);
    assert.deepEqual([r.from, r.to, r.untilId], [T0 - 1_030, T0 + 4_000, 'q6']);
    assert.deepEqual(f.filler.counters, { detected: 1, merged: 0, filled: 1, unfilled: 0, backfilledTrades: 1, failures: 0, pending: 0 });
    assert.equal(f.pushed.length, 1);
  });

  test("a restart's window bounded by time alone is asked from RESUME_SKEW_MS earlier; windows after a known trade are not", async () => {
    // REST may stamp trades apart from the socket: the trades just after a time-bound start, stamped
    // before it by REST, were cut off (a killed collector restarted under a REST skew lost them)
    const f = setup(async () => ({ trades: [], complete: true }));
    f.filler.add([
      { symbol: 'A', from: T0, to: T0 + 4_000, untilId: 'a9', reason: 'resume' },
      { symbol: 'B', afterId: 'b1', from: T0, to: T0 + 4_000, untilId: 'b9', reason: 'resume' },
      { symbol: 'C', from: T0, to: T0 + 4_000, untilId: 'c9', reason: 'subscribe' },
    ]);
    await f.filler.whenIdle();
    const from = Object.fromEntries(f.requests.map((r) => [r.instrument.symbol, r.from]));
    assert.deepEqual(from, { A: T0 - RESUME_SKEW_MS, B: T0, C: T0 });
    assert.ok(RESUME_SKEW_MS >= 2_000, 'covers the 2 s REST skew the scenarios inject');
  });

  test('windows of one symbol waiting in the queue merge: earliest start (with its id, or none), latest end', async () => {
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const f = setup(async (r) => {
      if (r.instrument.symbol === 'BUSY') await first;
      return { trades: [], complete: true };
    });
    f.filler.add([{ symbol: 'BUSY', afterId: '1', from: T0, to: T0 + 1, reason: 'sequence' }]);
    const windows: GapWindow[] = [
      { symbol: 'ALT', afterId: 'a9', from: T0 + 500, to: T0 + 900, untilId: 'b1', reason: 'reconnect' },
      { symbol: 'ALT', from: T0 + 100, to: T0 + 300, untilId: 'a1', reason: 'subscribe' },
      { symbol: 'ALT', afterId: 'b5', from: T0 + 950, to: T0 + 2_000, untilId: 'c1', reason: 'silence' },
    ];
    f.filler.add(windows);
    assert.equal(f.filler.counters.pending, 1);
    release();
    await f.filler.whenIdle();
    const alt = f.requests.filter((r) => r.instrument.symbol === 'ALT');
    assert.equal(alt.length, 1);
    assert.equal(alt[0]!.afterId, undefined, 'the earliest start held no id: the merged window goes by time');
    assert.deepEqual([alt[0]!.from, alt[0]!.to, alt[0]!.untilId], [T0 + 100, T0 + 2_000, 'c1']);
    const c = f.filler.counters;
    assert.deepEqual([c.detected, c.merged, c.filled, c.unfilled], [4, 2, 2, 0], 'every window is accounted for: filled, unfilled, or merged into one that was');
  });

  test('first-subscription windows wait behind every other window', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const f = setup(async (r) => {
      if (r.instrument.symbol === 'S0') await gate;
      return { trades: [], complete: true };
    });
    // a large start: many symbols in doubt, then a real hole and a reconnect behind them
    f.filler.add(Array.from({ length: 50 }, (_, i): GapWindow => ({ symbol: `S${i}`, from: T0, to: T0 + i, reason: 'subscribe' })));
    f.filler.add([
      { symbol: 'HOLE', afterId: '1', from: T0, to: T0 + 5, missing: 3, reason: 'sequence' },
      { symbol: 'S7', afterId: 's7', from: T0 + 100, to: T0 + 200, reason: 'reconnect' },
    ]);
    release();
    await f.filler.whenIdle();
    const order = f.requests.map((r) => r.instrument.symbol);
    assert.equal(order[0], 'S0', 'already being fetched when the others came');
    assert.deepEqual(order.slice(1, 3), ['S7', 'HOLE'], 'the merged S7 window holds a reconnect: urgent too');
    assert.equal(order.length, 51);
  });

  test('a failing request is retried with backoff; an exchange that cannot serve it all is reported unfilled', async () => {
    let calls = 0;
    const f = setup(async () => {
      if (++calls < 3) throw new Error('HTTP 503');
      return { trades: [], complete: false };
    });
    f.filler.add([{ symbol: 'BTC', afterId: '9', from: T0, to: T0 + 10, reason: 'silence' }]);
    await f.filler.whenIdle();
    assert.equal(calls, 3);
    assert.deepEqual(f.sleeps, [1_000, 2_000]);
    assert.equal(f.filler.counters.failures, 2);
    assert.equal(f.filler.counters.unfilled, 1);
    assert.ok(f.warnings.some((w) => w.startsWith('gap only partly filled')));
  });

  test('an unknown instrument is counted unfilled, never silently dropped', async () => {
    const f = setup(async () => ({ trades: [], complete: true }));
    f.filler.add([{ symbol: 'GONE', from: T0, to: T0 + 1, reason: 'subscribe' }]);
    await f.filler.whenIdle();
    assert.equal(f.requests.length, 0);
    assert.equal(f.filler.counters.unfilled, 1);
  });

  test('an unproven answer leaves the window open: parked, other windows go first, asked again after a backoff, and it heals', async () => {
    const answers: Record<string, number> = {};
    const f = setup(async (r) => {
      const n = (answers[r.instrument.symbol] = (answers[r.instrument.symbol] ?? 0) + 1);
      if (r.instrument.symbol === 'LIAR' && n === 1) return { trades: [trade('LIAR', 'a1', T0 + 1)], complete: false, incomplete: 'unproven' };
      return { trades: [trade(r.instrument.symbol, 'a1', T0 + 1), trade(r.instrument.symbol, 'a2', T0 + 2)], complete: true };
    });
    f.filler.add([
      { symbol: 'LIAR', afterId: '0', from: T0, to: T0 + 10, untilId: '9', reason: 'reconnect' },
      { symbol: 'OTHER', afterId: '0', from: T0, to: T0 + 10, untilId: '9', reason: 'reconnect' },
    ]);
    await f.filler.whenIdle();
    assert.deepEqual(f.requests.map((r) => r.instrument.symbol), ['LIAR', 'OTHER', 'LIAR'], 'the parked window waits behind the queue');
    assert.deepEqual(f.sleeps, [1_000], 'one backoff, through the injected sleep');
    assert.equal(f.filler.counters.filled, 2);
    assert.equal(f.filler.counters.unfilled, 0);
    const liarIds = f.pushed.flat().filter((r) => r.symbol === 'LIAR').map((r) => (r as Trade).id);
    assert.deepEqual(liarIds, ['a1', 'a2'], 'what the unproven answer brought is pushed at once, and not again');
    assert.equal(f.filler.counters.backfilledTrades, 4);
    assert.ok(f.filler.idle);
  });

  test('an exchange that keeps answering unproven: bounded tries with growing backoff, then unfilled, logged once', async () => {
    const f = setup(async () => ({ trades: [], complete: false, incomplete: 'unproven' }), 3);
    f.filler.add([{ symbol: 'BTC', afterId: '9', from: T0, to: T0 + 10, untilId: '20', reason: 'sequence' }]);
    await f.filler.whenIdle();
    assert.equal(f.requests.length, 3);
    assert.deepEqual(f.sleeps, [1_000, 2_000]);
    assert.equal(f.filler.counters.unfilled, 1);
    assert.equal(f.filler.counters.filled, 0);
    assert.equal(f.warnings.filter((w) => w.startsWith('gap not filled: the exchange kept answering')).length, 1);
    assert.equal(f.filler.counters.pending, 0);
  });

  test('a window of a parked symbol joins it: one request covers both when due', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const f = setup(async () => {
      if (++calls === 1) {
        // while this unproven answer is on its way, a newer window of the symbol arrives
        queueMicrotask(() => release());
        return { trades: [], complete: false, incomplete: 'unproven' };
      }
      return { trades: [], complete: true };
    });
    release = () => f.filler.add([{ symbol: 'BTC', afterId: '30', from: T0 + 30, to: T0 + 40, untilId: '40', reason: 'silence' }]);
    f.filler.add([{ symbol: 'BTC', afterId: '9', from: T0, to: T0 + 10, untilId: '20', reason: 'sequence' }]);
    await f.filler.whenIdle();
    const last = f.requests.at(-1)!;
    assert.equal(last.afterId, '9');
    assert.equal(last.untilId, '40');
    assert.equal(f.filler.counters.unfilled, 0);
    assert.ok(f.filler.idle);
  });

  test('on a ManualClock a parked window is asked again exactly when its backoff is up, not before', async () => {
    const clock = new ManualClock(T0);
    let n = 0;
    const f = setup(async (r) => (++n === 1 ? { trades: [], complete: false, incomplete: 'unproven' } : { trades: [trade(r.instrument.symbol, 'a1', T0 + 1)], complete: true }), 5, clock);
    f.filler.add([{ symbol: 'BTC', afterId: '0', from: T0, to: T0 + 10, untilId: '9', reason: 'reconnect' }]);
    const turns = async () => {
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    };
    await turns();
    assert.equal(f.requests.length, 1);
    assert.equal(f.filler.openSymbols().has('BTC'), true, 'parked: still a known hole');
    clock.advance(999);
    await turns();
    assert.equal(f.requests.length, 1, 'the backoff (1 s) is not up');
    clock.advance(1);
    await f.filler.whenIdle();
    assert.equal(f.requests.length, 2);
    assert.equal(f.filler.counters.filled, 1);
    assert.equal(clock.pending, 0, 'no wait left behind');
  });

  test('stop while a window is parked: the filler goes idle at once', async () => {
    // a clock that never moves: only stop() can end the wait
    const clock = new ManualClock(T0);
    const f = setup(async () => ({ trades: [], complete: false, incomplete: 'unproven' }), 5, clock);
    f.filler.add([{ symbol: 'BTC', afterId: '9', from: T0, to: T0 + 10, untilId: '20', reason: 'sequence' }]);
    while (clock.pending === 0) await new Promise((r) => setImmediate(r));
    f.filler.stop();
    await f.filler.whenIdle();
    assert.ok(f.filler.idle);
    assert.equal(f.requests.length, 1);
  });

  test('open floors: each symbol\'s earliest window start, queued or being filled, and kept after stop for the holes left unfilled', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const f = setup(async (r) => {
      await blocked;
      return { trades: [trade(r.instrument.symbol, 'q1', r.from + 1)], complete: true };
    });
    f.filler.add([{ symbol: 'A', afterId: 'a1', from: T0 - 500, to: T0, untilId: 'a9', reason: 'sequence' }]);
    f.filler.add([
      { symbol: 'B', afterId: 'b1', from: T0 - 300, to: T0, untilId: 'b9', reason: 'reconnect' },
      { symbol: 'B', afterId: 'b0', from: T0 - 900, to: T0 - 400, untilId: 'b5', reason: 'sequence' },
    ]);
    const floors = new Map<string, number>([['A', T0 - 800]]);
    f.filler.openFloors(floors);
    // A is being filled (its own floor was lower and stays); B's two windows merged: the earliest start
    assert.deepEqual(Object.fromEntries(floors), { A: T0 - 800, B: T0 - 900 });
    f.filler.stop();
    const after = new Map<string, number>();
    f.filler.openFloors(after);
    assert.deepEqual(Object.fromEntries(after), { A: T0 - 500, B: T0 - 900 }, 'the holes stop() left are still open');
    release();
  });
});
