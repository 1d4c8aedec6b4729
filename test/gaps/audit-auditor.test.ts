import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuditIo } from '../../src/audit/run-audit.js';
import { AUDIT_OVERLAP_MS, VenueAuditor } from '../../src/audit/venue-auditor.js';
import { fakeExchange, fakeStore, manualClock, trade } from './audit-fakes.js';

const quiet = { warn: () => undefined, info: () => undefined };
const SYMBOLS = ['A', 'B', 'C'];

/**
 * A venue in fake time: every symbol trades every 50 ms; the live stream stores each trade as it
 * is published except those `drop` says it lost (no disconnect, no id hole: nothing else sees it).
 */
function venue(options: { drop: (symbol: string, n: number) => boolean; intervalMs?: number; settleMs?: number; maxTrades?: number }) {
  const time = manualClock();
  const ex = fakeExchange(Number.POSITIVE_INFINITY, options.maxTrades);
  const store = fakeStore();
  const dropped: string[] = [];
  let n = 0;
  let busy = false;
  const io: AuditIo = {
    recentTrades: (s, f, b) => ex.recentTrades(s, f, b),
    storedIds: (s, f, t) => store.storedIds(s, f, t),
    backfill: (trades) => store.backfill(trades),
  };
  const auditor = new VenueAuditor({
    exchange: 'okx',
    market: 'spot',
    options: { intervalMs: options.intervalMs ?? 100, share: 0.2, settleMs: options.settleMs ?? 500, maxTrades: options.maxTrades ?? 1_000 },
    io,
    subscribed: () => SYMBOLS,
    backfillBusy: () => busy,
    clock: time.clock,
    log: quiet,
  });
  return {
    time, ex, store, dropped, auditor, io,
    setBusy: (b: boolean) => { busy = b; },
    /** publish for `ms` of fake time, the auditor's timers running in between */
    async run(ms: number) {
      for (let t = 0; t < ms; t += 50) {
        n++;
        for (const s of SYMBOLS) {
          const tr = trade(s, n, time.now());
          ex.publish(tr);
          if (options.drop(s, n)) dropped.push(`${s}:${n}`);
          else store.put(tr);
        }
        await time.advance(50);
      }
    },
  };
}

describe('VenueAuditor in fake time', () => {
  test('finds every trade the live stream lost silently and fills it; counters per symbol', async () => {
    const v = venue({ drop: (s, n) => (s === 'A' && n % 7 === 0) || (s === 'C' && n >= 40 && n < 45) });
    v.auditor.start();
    await v.run(10_000);
    v.auditor.stop();
    const stats = new Map(v.auditor.stats().map((r) => [r.symbol, r]));
    const until = Math.min(...SYMBOLS.map((s) => stats.get(s)!.auditedUntil!));
    assert.ok(until >= v.time.now() - 1_500, `audited up to ${v.time.now() - until} ms before now`);
    for (const s of SYMBOLS) {
      const truth = v.ex.history.get(s)!.filter((t) => t.timestamp <= until).map((t) => t.id);
      const held = new Set(v.store.ids(s));
      assert.deepEqual(truth.filter((id) => !held.has(id)), [], `${s}: every trade up to the audited time is stored`);
    }
    const a = stats.get('A')!;
    const c = stats.get('C')!;
    assert.equal(c.missing, 5);
    assert.equal(c.filled, 5);
    assert.ok(a.missing >= 25 && a.missing === a.filled, JSON.stringify(a));
    assert.equal(stats.get('B')!.missing, 0);
    assert.ok(SYMBOLS.every((s) => stats.get(s)!.windows >= 20), 'each symbol audited in turn, about once per 3 intervals');
    assert.ok(SYMBOLS.every((s) => stats.get(s)!.unfilled === 0 && stats.get(s)!.failures === 0));
    assert.equal(v.time.pending(), 0, 'stop() leaves no timer behind');
  });

  test('a window busier than one answer holds is judged whole over several audits: nothing skipped, nothing unfilled', async () => {
    // each symbol's turn comes every 3 s (60 trades), one answer holds 25: without a backlog the
    // older 35 of every window would never be looked at, and the trades lost there never found
    const v = venue({ drop: (s, n) => s === 'B' && n > 40 && n % 10 === 3, intervalMs: 1_000, maxTrades: 25 });
    v.auditor.start();
    await v.run(20_000);
    const stats = new Map(v.auditor.stats().map((r) => [r.symbol, r]));
    const b = stats.get('B')!;
    const until = b.auditedUntil!;
    assert.ok(until >= v.time.now() - 5_000, `B audited up to ${v.time.now() - until} ms before now`);
    const truth = v.ex.history.get('B')!.filter((t) => t.timestamp <= until).map((t) => t.id);
    const held = new Set(v.store.ids('B'));
    assert.deepEqual(truth.filter((id) => !held.has(id)), [], 'every trade of B up to the audited time is stored');
    assert.ok(b.missing >= 25 && b.filled === b.missing, JSON.stringify(b));
    assert.ok(SYMBOLS.every((s) => stats.get(s)!.unfilled === 0), 'the exchange serves it all: nothing counted unfilled');
    assert.ok(v.ex.calls.some((c) => c.beforeId !== undefined), 'the older part was asked for below where an answer stopped');
    v.auditor.stop();
  });

  test('the windows of a symbol cover time from its first sight on with no hole, each reaching AUDIT_OVERLAP_MS back over the last', async () => {
    const v = venue({ drop: () => false });
    const seen: { symbol: string; from: number }[] = [];
    const recent = v.io.recentTrades;
    v.io.recentTrades = (s, f) => {
      seen.push({ symbol: s, from: f });
      return recent(s, f);
    };
    const ends = new Map<string, number[]>();
    const tick = v.auditor.tick.bind(v.auditor);
    v.auditor.tick = async () => {
      const r = await tick();
      if (r?.until !== undefined) ends.set(r.symbol, [...(ends.get(r.symbol) ?? []), r.until]);
      return r;
    };
    const start = v.time.now();
    v.auditor.start();
    await v.run(5_000);
    v.auditor.stop();
    for (const s of SYMBOLS) {
      const froms = seen.filter((x) => x.symbol === s).map((x) => x.from);
      const untils = ends.get(s)!;
      assert.ok(froms[0]! - start <= 1_000, 'the first window starts when the symbol was first seen subscribed');
      for (let k = 1; k < froms.length; k++) assert.equal(froms[k], untils[k - 1]! + 1 - AUDIT_OVERLAP_MS, `${s}: window ${k} reaches back over window ${k - 1}'s end`);
    }
  });

  test('no audit starts while gap backfill has work: known gaps come first', async () => {
    const v = venue({ drop: () => false });
    v.auditor.start();
    await v.run(2_000);
    const before = v.ex.calls.length;
    assert.ok(before > 0);
    v.setBusy(true);
    await v.run(3_000);
    assert.equal(v.ex.calls.length, before, 'no REST request from the audit while backfill is busy');
    v.setBusy(false);
    await v.run(1_000);
    assert.ok(v.ex.calls.length > before, 'audits resume once backfill is idle');
    v.auditor.stop();
  });

  test('a failed audit is counted and its window tried again on the symbol\'s next turn', async () => {
    const v = venue({ drop: (s, n) => s === 'B' && n === 20 });
    let fail = true;
    const asked: number[] = [];
    const recent = v.io.recentTrades;
    v.io.recentTrades = async (s, f) => {
      if (s === 'B') asked.push(f);
      if (fail && s === 'B') throw new Error('TV_ERR_REST_FAILED');
      return recent(s, f);
    };
    v.auditor.start();
    await v.run(3_000);
    const b = v.auditor.stats().find((r) => r.symbol === 'B')!;
    assert.ok(b.failures > 0 && b.windows === 0);
    fail = false;
    await v.run(2_000);
    v.auditor.stop();
    const after = v.auditor.stats().find((r) => r.symbol === 'B')!;
    assert.ok(after.windows > 0);
    assert.equal(after.filled, 1, 'the trade lost during the failures is found once REST answers again');
    assert.ok(asked.slice(0, b.failures + 1).every((f) => f === asked[0]), 'the same window until it succeeds');
  });
});

describe('VenueAuditor stop', () => {
  test('waits for the audit in flight, which pushes nothing once stopped', async () => {
    const time = manualClock();
    let release: (() => void) | undefined;
    let pushed = 0;
    const auditor = new VenueAuditor({
      exchange: 'bybit',
      market: 'spot',
      options: { intervalMs: 100, share: 0.2, settleMs: 0, maxTrades: 1_000 },
      io: {
        recentTrades: async (symbol, from) => {
          await new Promise<void>((resolve) => (release = resolve));
          return { trades: [trade(symbol, 1, from), trade(symbol, 2, from + 10)], complete: true };
        },
        storedIds: async () => new Set<string>(),
        backfill: (t) => (pushed += t.length),
      },
      subscribed: () => ['A'],
      backfillBusy: () => false,
      clock: time.clock,
      log: quiet,
    });
    auditor.start();
    await time.advance(2_000);
    assert.ok(release, 'an audit is waiting for REST');
    let stopped = false;
    const stopping = auditor.stop().then(() => (stopped = true));
    await time.advance(10);
    assert.equal(stopped, false, 'stop waits for the audit in flight');
    release!();
    await stopping;
    assert.equal(pushed, 0, 'nothing pushed into a pipeline that may be closing');
    assert.equal(time.pending(), 0);
  });
});

describe('VenueAuditor: what it says', () => {
  test('a window beyond what the exchange serves, with nothing missing, is said once per symbol at info, not warned each time', async () => {
    const time = manualClock();
    const ex = fakeExchange(5); // serves only its 5 newest trades, like Bybit's short history
    const store = fakeStore();
    const said: { level: string; msg: string }[] = [];
    const auditor = new VenueAuditor({
      exchange: 'bybit',
      market: 'spot',
      options: { intervalMs: 100, share: 0.2, settleMs: 200, maxTrades: 1_000 },
      io: { recentTrades: (s, f, b) => ex.recentTrades(s, f, b), storedIds: (s, f, t) => store.storedIds(s, f, t), backfill: (t) => store.backfill(t) },
      subscribed: () => ['A'],
      backfillBusy: () => false,
      clock: time.clock,
      log: { warn: (_o, msg) => said.push({ level: 'warn', msg }), info: (_o, msg) => said.push({ level: 'info', msg }) },
    });
    auditor.start();
    for (let n = 1; n <= 200; n++) {
      const t = trade('A', n, time.now());
      ex.publish(t);
      store.put(t);
      await time.advance(10);
    }
    auditor.stop();
    const a = auditor.stats().find((r) => r.symbol === 'A')!;
    assert.ok(a.unfilled >= 3, `windows beyond reach counted: ${a.unfilled}`);
    assert.deepEqual(said.map((s) => s.level), ['info'], said.map((s) => s.msg).join('\n'));
  });
});
