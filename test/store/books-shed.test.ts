import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BookRecord } from '../../src/records.js';
import { PendingRun } from '../../src/store/books/pending-run.js';
import { shedRuns, type SheddableRun } from '../../src/store/books/shed.js';

let t = 1_000;
function rec(symbol: string, kind: BookRecord['kind'], levels = 1): BookRecord {
  t += 1;
  const bids = Array.from({ length: levels }, (_, i) => [100 - i, 1] as [number, number]);
  return { type: 'book', exchange: 'bybit', market: 'spot', symbol, kind, timestamp: t, localTimestamp: t, bids, asks: [] };
}
function run(symbol: string, records: readonly BookRecord[], committing = 0): SheddableRun {
  const r = new PendingRun('bybit', 'spot', symbol, `bybit\u0000spot\u0000${symbol}`);
  for (const x of records) assert.ok(r.push(x));
  return { run: r, committing };
}
const records = (s: SheddableRun) => Array.from({ length: s.run.count }, (_, i) => s.run.record(i));
const kinds = (s: SheddableRun) => records(s).map((r) => r.kind);
const weight = (runs: readonly SheddableRun[]) => runs.reduce((n, s) => n + s.run.weight, 0);

test('the heaviest symbol sheds first: its records before its last snapshot become one resync, other symbols untouched', () => {
  const a = [rec('A', 'snapshot', 10), rec('A', 'update', 5), rec('A', 'update', 5), rec('A', 'snapshot', 10), rec('A', 'update')];
  const b = [rec('B', 'update'), rec('B', 'update')];
  const runs = [run('A', a), run('B', b)];
  const out = shedRuns(runs, weight(runs) - 10, 'behind');
  assert.deepEqual(kinds(runs[0]!), ['resync', 'snapshot', 'update']);
  assert.deepEqual(records(runs[1]!), b);
  assert.equal(out.dropped, 3);
  assert.equal(out.resyncs, 1);
  assert.deepEqual(out.broken, [], 'a snapshot follows: not broken');
  const resync = records(runs[0]!)[0]!;
  assert.equal(resync.timestamp, a[0]!.timestamp, 'the resync stands where the first shed record stood');
  assert.equal(resync.reason, 'behind');
  assert.deepEqual(records(runs[0]!).slice(1), a.slice(3), 'the rest exactly as written');
  assert.equal(runs[0]!.run.weight, 1 + 11 + 2);
});

test('nothing before the last snapshot: the updates after it go and the symbol is broken until its next snapshot', () => {
  const runs = [run('A', [rec('A', 'snapshot', 3), rec('A', 'update', 4), rec('A', 'update', 4)])];
  const out = shedRuns(runs, 5, 'behind');
  assert.deepEqual(kinds(runs[0]!), ['snapshot', 'resync']);
  assert.deepEqual(out.broken, ['bybit\u0000spot\u0000A']);
  assert.ok(weight(runs) <= 6);
});

test('a leading resync is kept with its own reason; a symbol down to a resync and a snapshot sheds no more', () => {
  const first = { ...rec('A', 'resync'), bids: [], reason: 'sequence gap' };
  const pending = [first, rec('A', 'update', 4), rec('A', 'snapshot', 20)];
  const runs = [run('A', pending)];
  const out = shedRuns(runs, 1, 'behind');
  assert.deepEqual(records(runs[0]!), [first, pending[2]]);
  assert.equal(out.resyncs, 0);
  assert.equal(out.dropped, 1);
});

test('records of a commit in flight are never shed, nor counted against the target', () => {
  const a = [rec('A', 'snapshot', 5), rec('A', 'update', 5), rec('A', 'update', 5), rec('A', 'update', 5)];
  const runs = [run('A', a, 2)];
  const out = shedRuns(runs, 0, 'behind');
  assert.deepEqual(records(runs[0]!).slice(0, 2), a.slice(0, 2), 'the committing prefix is intact');
  assert.deepEqual(kinds(runs[0]!), ['snapshot', 'update', 'resync']);
  assert.equal(out.dropped, 2);
  assert.deepEqual(out.broken, ['bybit\u0000spot\u0000A']);
});
