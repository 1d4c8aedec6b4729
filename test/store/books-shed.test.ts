import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BookRecord } from '../../src/records.js';
import { bookWeight, shedBooks } from '../../src/store/books/shed.js';

let t = 1_000;
function rec(symbol: string, kind: BookRecord['kind'], levels = 1): BookRecord {
  t += 1;
  const bids = Array.from({ length: levels }, (_, i) => [100 - i, 1] as [number, number]);
  return { type: 'book', exchange: 'bybit', market: 'spot', symbol, kind, timestamp: t, localTimestamp: t, bids, asks: [] };
}
const weight = (rs: readonly BookRecord[]) => rs.reduce((n, r) => n + bookWeight(r), 0);
const of = (rs: readonly BookRecord[], symbol: string) => rs.filter((r) => r.symbol === symbol).map((r) => r.kind);

test('the heaviest symbol sheds first: its records before its last snapshot become one resync, other symbols untouched', () => {
  const pending = [rec('A', 'snapshot', 10), rec('B', 'update'), rec('A', 'update', 5), rec('A', 'update', 5), rec('B', 'update'), rec('A', 'snapshot', 10), rec('A', 'update')];
  const before = pending.filter((r) => r.symbol === 'B');
  const out = shedBooks(pending, weight(pending) - 10, 'behind');
  assert.deepEqual(of(out.pending, 'A'), ['resync', 'snapshot', 'update']);
  assert.deepEqual(out.pending.filter((r) => r.symbol === 'B'), before);
  assert.equal(out.dropped, 3);
  assert.equal(out.resyncs, 1);
  assert.deepEqual(out.broken, [], 'a snapshot follows: not broken');
  const resync = out.pending.find((r) => r.kind === 'resync')!;
  assert.equal(resync.timestamp, pending[0]!.timestamp, 'the resync stands where the first shed record stood');
  assert.equal(resync.reason, 'behind');
  assert.ok(out.pending.indexOf(resync) < out.pending.findIndex((r) => r.symbol === 'B'));
});

test('nothing before the last snapshot: the updates after it go and the symbol is broken until its next snapshot', () => {
  const pending = [rec('A', 'snapshot', 3), rec('A', 'update', 4), rec('A', 'update', 4)];
  const out = shedBooks(pending, 5, 'behind');
  assert.deepEqual(of(out.pending, 'A'), ['snapshot', 'resync']);
  assert.deepEqual(out.broken, ['bybit\u0000spot\u0000A']);
  assert.ok(weight(out.pending) <= 6);
});

test('a leading resync is kept with its own reason; a symbol down to a resync and a snapshot sheds no more', () => {
  const first = { ...rec('A', 'resync'), reason: 'sequence gap' };
  const pending = [first, rec('A', 'update', 4), rec('A', 'snapshot', 20)];
  const out = shedBooks(pending, 1, 'behind');
  assert.deepEqual(out.pending, [first, pending[2]]);
  assert.equal(out.resyncs, 0);
  assert.equal(out.dropped, 1);
});
