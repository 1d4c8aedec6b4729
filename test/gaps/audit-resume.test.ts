/**
 * The REST audit across a restart: a process killed between two audits leaves trades the live
 * stream lost silently (no id hole to show them) behind its last audited window. The next process
 * resumes each symbol's windows where the store says the last one stood, so they are found.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VenueAuditor } from '../../src/audit/venue-auditor.js';
import { afterCommit } from '../../src/runtime/venue-audits.js';
import { fakeExchange, fakeStore, manualClock, trade } from './audit-fakes.js';

const quiet = { warn: () => undefined, info: () => undefined };
const SYMBOLS = ['A', 'B'];
const OPTIONS = { intervalMs: 100, share: 0.2, settleMs: 500, maxTrades: 1_000 };

function world() {
  const time = manualClock();
  const ex = fakeExchange();
  const store = fakeStore();
  /** the store's auditPositions: survives the process */
  const positions = new Map<string, number>();
  let n = 0;
  const auditor = (resume: boolean) =>
    new VenueAuditor({
      exchange: 'okx',
      market: 'spot',
      options: OPTIONS,
      io: { recentTrades: (s, f, b) => ex.recentTrades(s, f, b), storedIds: (s, f, t) => store.storedIds(s, f, t), backfill: (trades) => store.backfill(trades) },
      subscribed: () => SYMBOLS,
      backfillBusy: () => false,
      clock: time.clock,
      log: quiet,
      ...(resume ? { positions: { initial: new Map(positions), save: (symbol: string, from: number) => void positions.set(symbol, from) } } : {}),
    });
  return {
    time, ex, store, positions, auditor,
    /** the exchange trades for `ms`; the live stream stores what `store` says (nothing while no process runs) */
    async run(ms: number, stored: (n: number) => boolean) {
      for (let t = 0; t < ms; t += 50) {
        n++;
        for (const s of SYMBOLS) {
          const tr = trade(s, n, time.now());
          ex.publish(tr);
          if (stored(n)) store.put(tr);
        }
        await time.advance(50);
      }
    },
    missing(): string[] {
      const out: string[] = [];
      for (const s of SYMBOLS) {
        const held = new Set(store.ids(s));
        for (const t of ex.history.get(s) ?? []) if (!held.has(t.id)) out.push(`${s}:${t.id}`);
      }
      return out;
    },
  };
}

/** trades 21..30 lost silently by the first process, just before it dies after trade 32; down until 92 */
const firstLife = (n: number) => n <= 20 || (n > 30 && n <= 32);

describe('REST audit positions across a restart', () => {
  test('the new process audits on from where the dead one stood: the silent loss before the kill is found', async () => {
    const w = world();
    const first = w.auditor(true);
    first.start();
    await w.run(1_600, firstLife); // trades 1..32
    void first.stop(); // SIGKILL: whatever it had not audited yet is left behind
    await w.run(3_000, () => false); // 33..92: no process, nothing stored (longer than a first window looks back)
    const second = w.auditor(true);
    second.start();
    await w.run(3_000, () => true);
    await second.stop();
    // everything old enough to have been audited is stored (the newest second may still be unjudged)
    const settled = w.missing().filter((k) => Number(k.split(':')[1]) <= 130);
    assert.deepEqual(settled, []);
    // lost before the kill (10 a symbol) and published while down (60): filled by one process or the other
    const filled = [...first.stats(), ...second.stats()].reduce((n, r) => n + r.filled, 0);
    assert.equal(filled, 2 * 70);
  });

  test('without positions the restarted audit starts at its own start, and the loss before it stays', async () => {
    const w = world();
    const first = w.auditor(false);
    first.start();
    await w.run(1_600, firstLife);
    void first.stop();
    await w.run(3_000, () => false);
    const second = w.auditor(false);
    second.start();
    await w.run(3_000, () => true);
    await second.stop();
    const lost = w.missing().filter((k) => Number(k.split(':')[1]) <= 130);
    assert.ok(lost.length > 0, 'the control run shows what resuming is for');
  });

  test('a resumed symbol not audited yet is in the stats with zero counts (the status page lists it from the start)', async () => {
    const w = world();
    const first = w.auditor(true);
    first.start();
    await w.run(1_600, () => true);
    await first.stop();
    const second = w.auditor(true);
    second.start();
    await w.time.advance(100); // its symbols seen; the audit has judged a window of one at most
    const rows = second.stats();
    assert.deepEqual(rows.map((r) => r.symbol).sort(), SYMBOLS);
    const waiting = rows.filter((r) => r.windows === 0);
    assert.ok(waiting.length > 0, 'a symbol still waiting for its first window is listed');
    for (const r of waiting) assert.deepEqual([r.missing, r.filled, r.unfilled, r.failures], [0, 0, 0, 0]);
    await second.stop();
  });

  test('positions move forward as windows are judged, and a symbol first seen is saved at once', async () => {
    const w = world();
    const a = w.auditor(true);
    a.start();
    await w.time.advance(1_000);
    const t0 = w.time.now();
    assert.deepEqual([...w.positions.keys()].sort(), SYMBOLS);
    await w.run(3_000, () => true);
    await a.stop();
    for (const s of SYMBOLS) assert.ok(w.positions.get(s)! > t0 + 1_000, `${s} moved on: ${w.positions.get(s)! - t0}`);
  });
});

describe('afterCommit', () => {
  test('a position is written only after the flush that covers what was pushed before it; the latest per symbol', async () => {
    const written: string[] = [];
    let release: (() => void) | undefined;
    let flushes = 0;
    const flush = () => {
      flushes++;
      return new Promise<void>((resolve) => (release = resolve));
    };
    const save = afterCommit(flush, (symbol, from) => written.push(`${symbol}@${from}`));
    save('A', 1);
    save('A', 2); // waits for the next flush: it may cover a later backfill
    save('B', 5);
    await Promise.resolve();
    assert.deepEqual(written, []);
    release!();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(written, ['A@1']);
    release!();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(written, ['A@1', 'A@2', 'B@5']);
    assert.equal(flushes, 2);
  });

  test('a failing flush writes nothing', async () => {
    const written: string[] = [];
    const save = afterCommit(() => Promise.reject(new Error('store closed')), (symbol, from) => written.push(`${symbol}@${from}`));
    save('A', 1);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(written, []);
  });
});

describe('REST audit on a venue whose clock runs behind ours', () => {
  const cases = [
    { name: 'the first window starts where the subscription was in the exchange\'s time: a loss in the first moments is found', offset: 'known' },
    { name: 'an offset learned only after the symbol was first seen still moves its first window back: the loss is found', offset: 'late' },
    { name: 'control: taking first sight as exchange time leaves that loss unfound', offset: 'none' },
  ] as const;
  for (const c of cases) {
    test(c.name, async () => {
      const BEHIND = 4_000;
      const time = manualClock();
      const start = time.now();
      const ex = fakeExchange();
      const store = fakeStore();
      // 'late': no live frame measured yet for the first 600 ms (the estimator has nothing)
      const offset = c.offset === 'known' ? () => BEHIND : c.offset === 'late' ? () => (time.now() - start < 600 ? undefined : BEHIND) : undefined;
      const auditor = new VenueAuditor({
        exchange: 'okx',
        market: 'spot',
        options: OPTIONS,
        io: { recentTrades: (s, f, b) => ex.recentTrades(s, f, b), storedIds: (s, f, t) => store.storedIds(s, f, t), backfill: (trades) => store.backfill(trades) },
        subscribed: () => ['A'],
        backfillBusy: () => false,
        clock: time.clock,
        log: quiet,
        ...(offset ? { clockOffsetMs: offset } : {}),
      });
      auditor.start();
      for (let n = 1; n <= 100; n++) {
        const tr = trade('A', n, time.now() - BEHIND);
        ex.publish(tr);
        if (n < 3 || n > 8) store.put(tr); // 3..8 lost silently, right after the subscription
        await time.advance(50);
      }
      await auditor.stop();
      const held = new Set(store.ids('A'));
      const lost = (ex.history.get('A') ?? []).filter((t) => !held.has(t.id)).map((t) => Number(t.id));
      if (c.offset === 'none') assert.ok(lost.length > 0);
      else assert.deepEqual(lost, []);
    });
  }
});
