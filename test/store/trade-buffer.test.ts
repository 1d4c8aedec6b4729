/**
 * The writer's tail memo buffer (src/store/blocks/trade-buffer.ts): rows appended batch by batch
 * read back exactly, and cutting it down keeps the newest rows.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TradeColumns } from '../../src/store/blocks/columns.js';
import { TradeRowBuffer } from '../../src/store/blocks/trade-buffer.js';

function rows(from: number, n: number): TradeColumns {
  const f = (k: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => k(from + i));
  return {
    length: n,
    timestamps: f((i) => 1_700_000_000_000 + i),
    localTimestamps: f((i) => 1_700_000_000_005 + i),
    ids: { kind: 'numeric', values: f((i) => 10_000 + i) },
    prices: f((i) => 97_000 + i / 100),
    amounts: f((i) => (i % 7) / 10 + 0.1),
    sides: Uint8Array.from({ length: n }, (_, i) => (from + i) % 2),
  };
}

const ids = (c: TradeColumns) => [...(c.ids.values as Float64Array)];

describe('trade row buffer', () => {
  test('rows appended batch by batch read back exactly, in one set of columns', () => {
    const buffer = new TradeRowBuffer();
    for (let b = 0; b < 64; b++) assert.ok(buffer.append(rows(b * 100, 100)));
    assert.equal(buffer.length, 6_400);
    const all = buffer.view(0, buffer.length);
    assert.deepEqual(ids(all), ids(rows(0, 6_400)));
    assert.deepEqual([...all.prices], [...rows(0, 6_400).prices]);
    assert.deepEqual([...all.sides], [...rows(0, 6_400).sides]);
    assert.deepEqual(ids(buffer.view(6_300, 6_400)), ids(rows(6_300, 100)), 'a trailing run is a view of the same rows');
  });

  test('growAhead: a large buffer three quarters full grows while the batch\'s budget lasts; a small one, or one with room, waits', () => {
    const filled = (n: number) => {
      const b = new TradeRowBuffer();
      for (let from = 0; from < n; from += 500) b.append(rows(from, Math.min(500, n - from)));
      return b;
    };
    // 6,500 rows: capacity 8,192 (doubled on the way), more than three quarters full
    const buffers = [filled(6_500), filled(6_500), filled(6_500)];
    const before = buffers[0]!.bytes;
    const budget = { growBytes: 1 };
    for (const b of buffers) b.growAhead(budget);
    assert.deepEqual(buffers.map((b) => b.bytes), [before * 2, before, before], 'the first spends the budget, the others wait for the next batch');
    assert.ok(budget.growBytes < 0);
    budget.growBytes = before * 2;
    for (const b of buffers) b.growAhead(budget);
    assert.deepEqual(buffers.map((b) => b.bytes), [before * 2, before * 2, before], 'the renewed budget lets one more through, not the first again');
    assert.deepEqual(ids(buffers[1]!.view(0, 6_500)), ids(rows(0, 6_500)), 'its rows survive the growth');
    const roomy = filled(5_000); // capacity 8,192, 61% full
    const small = filled(1_000); // capacity 1,024: only grows when full
    const plenty = { growBytes: 1e9 };
    const [r0, s0] = [roomy.bytes, small.bytes];
    roomy.growAhead(plenty);
    small.growAhead(plenty);
    assert.deepEqual([roomy.bytes, small.bytes], [r0, s0]);
  });

  test('keepFrom keeps the newest rows, room for a cycle like the last, and gives back what a quieter cycle did not use', () => {
    const buffer = new TradeRowBuffer();
    // batch by batch, as a tail grows: the buffer doubles on the way
    for (let from = 0; from < 5_010; from += 501) buffer.append(rows(from, 501));
    assert.equal(buffer.length, 5_010);
    const grown = buffer.bytes;
    buffer.keepFrom(5_000);
    assert.equal(buffer.length, 10);
    assert.deepEqual(ids(buffer.view(0, 10)), ids(rows(5_000, 10)));
    // the next cycle is likely as long: its rows fit without growing again, in less than the doubled buffer
    assert.ok(buffer.bytes >= 5_010 * 41 && buffer.bytes < grown, `${buffer.bytes} bytes after a cycle of 5,010 rows (grown to ${grown})`);
    const kept = buffer.bytes;
    buffer.append(rows(10, 4_990));
    assert.equal(buffer.bytes, kept, 'a cycle as long as the last one does not grow the buffer');
    // a quiet cycle: the memory of the long one goes back
    buffer.keepFrom(4_990);
    buffer.append(rows(5_000, 20));
    buffer.keepFrom(25);
    assert.equal(buffer.length, 5);
    assert.deepEqual(ids(buffer.view(0, 5)), ids(rows(5_015, 5)));
    assert.ok(buffer.bytes < 1_000 * 41, `${buffer.bytes} bytes after a cycle of 30 rows`);
  });

  test('a buffer of numeric ids refuses string ids, appending nothing', () => {
    const buffer = new TradeRowBuffer();
    buffer.append(rows(0, 3));
    const strings: TradeColumns = { ...rows(3, 2), ids: { kind: 'string', values: ['a', 'b'] } };
    assert.equal(buffer.append(strings), false);
    assert.equal(buffer.length, 3);
  });
});
