/**
 * The writer's tail memo buffer (src/store/blocks/trade-buffer.ts): rows appended batch by batch
 * read back exactly across its chunks, and cutting it down keeps the newest rows without copying
 * them, its whole chunks going to a pool the next growth takes them from.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TradeColumns } from '../../src/store/blocks/columns.js';
import { chunkAllocation, CHUNK_ROWS, TradeRowBuffer } from '../../src/store/blocks/trade-buffer.js';

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

  test('rows across chunks read back exactly, from any start to any end; a run within one chunk is a view of it', () => {
    const buffer = new TradeRowBuffer();
    const n = CHUNK_ROWS * 3 + 123;
    for (let from = 0; from < n; from += 777) buffer.append(rows(from, Math.min(777, n - from)));
    assert.equal(buffer.length, n);
    for (const [a, b] of [[0, n], [1, CHUNK_ROWS + 1], [CHUNK_ROWS - 5, CHUNK_ROWS + 5], [CHUNK_ROWS * 2, CHUNK_ROWS * 3], [n - 1, n], [7, 7]] as const) {
      const v = buffer.view(a, b);
      const want = rows(a, b - a);
      assert.equal(v.length, b - a);
      assert.deepEqual([ids(v), [...v.timestamps], [...v.localTimestamps], [...v.prices], [...v.amounts], [...v.sides]], [ids(want), [...want.timestamps], [...want.localTimestamps], [...want.prices], [...want.amounts], [...want.sides]], `rows ${a}..${b}`);
    }
    const inside = buffer.view(CHUNK_ROWS + 10, CHUNK_ROWS + 20);
    const again = buffer.view(CHUNK_ROWS + 10, CHUNK_ROWS + 20);
    assert.equal(inside.prices.buffer, again.prices.buffer, 'no copy: both are views of the chunk');
  });

  test('one or a few rows at a time (a steady symbol), across chunks and a small first chunk\'s doubling, read back exactly', () => {
    const buffer = new TradeRowBuffer();
    const n = CHUNK_ROWS * 2 + 77;
    let step = 1;
    for (let from = 0; from < n; from += step, step = (step % 19) + 1) buffer.append(rows(from, Math.min(step, n - from)));
    assert.equal(buffer.length, n);
    for (const [a, b] of [[0, n], [3, 17], [CHUNK_ROWS - 2, CHUNK_ROWS + 3], [n - 5, n]] as const) {
      const v = buffer.view(a, b);
      const want = rows(a, b - a);
      assert.deepEqual([ids(v), [...v.timestamps], [...v.localTimestamps], [...v.prices], [...v.amounts], [...v.sides]], [ids(want), [...want.timestamps], [...want.localTimestamps], [...want.prices], [...want.amounts], [...want.sides]], `rows ${a}..${b}`);
    }
  });

  test('a cut moves no row: whole chunks before it go to the pool, and the next growth of any buffer takes them back', () => {
    const a = new TradeRowBuffer();
    for (let from = 0; from < CHUNK_ROWS * 4; from += 500) a.append(rows(from, Math.min(500, CHUNK_ROWS * 4 - from)));
    const grown = a.bytes;
    a.keepFrom(CHUNK_ROWS * 3 + 100);
    assert.equal(a.length, CHUNK_ROWS - 100);
    assert.deepEqual(ids(a.view(0, a.length)), ids(rows(CHUNK_ROWS * 3 + 100, CHUNK_ROWS - 100)));
    assert.equal(a.bytes, grown / 4, 'three chunks given back');
    // another buffer grows into them: no new memory
    const fresh = chunkAllocation.freshBytes;
    const b = new TradeRowBuffer();
    b.append(rows(0, CHUNK_ROWS * 3));
    assert.equal(chunkAllocation.freshBytes, fresh, 'three chunks from the pool');
    assert.deepEqual(ids(b.view(0, b.length)), ids(rows(0, CHUNK_ROWS * 3)));
    // the first buffer goes on after its cut, across its chunk's end
    a.append(rows(CHUNK_ROWS * 4, 300));
    assert.deepEqual(ids(a.view(0, a.length)), ids(rows(CHUNK_ROWS * 3 + 100, CHUNK_ROWS + 200)));
    // emptied, it keeps one chunk and starts again at its front
    a.keepFrom(a.length);
    assert.equal(a.length, 0);
    assert.equal(a.bytes, CHUNK_ROWS * 41);
    a.append(rows(9, 3));
    assert.deepEqual(ids(a.view(0, 3)), ids(rows(9, 3)));
  });

  test('a quiet symbol holds a small chunk: it doubles from 64 rows up to a whole chunk, its rows kept', () => {
    const buffer = new TradeRowBuffer();
    buffer.append(rows(0, 10));
    assert.equal(buffer.bytes, 64 * 41);
    buffer.keepFrom(4); // a cut inside the small chunk
    buffer.append(rows(10, 100));
    assert.equal(buffer.bytes, 128 * 41);
    assert.deepEqual(ids(buffer.view(0, buffer.length)), ids(rows(4, 106)));
    buffer.append(rows(110, CHUNK_ROWS));
    assert.deepEqual(ids(buffer.view(0, buffer.length)), ids(rows(4, 106 + CHUNK_ROWS)));
  });

  test('string ids stay with their rows through cuts and chunks', () => {
    const buffer = new TradeRowBuffer();
    const withText = (from: number, n: number): TradeColumns => ({ ...rows(from, n), ids: { kind: 'string', values: Array.from({ length: n }, (_, i) => `u${from + i}`) } });
    buffer.append(withText(0, CHUNK_ROWS + 50));
    buffer.keepFrom(CHUNK_ROWS - 10);
    buffer.append(withText(CHUNK_ROWS + 50, 5));
    const v = buffer.view(0, buffer.length);
    assert.deepEqual(v.ids.values, Array.from({ length: 65 }, (_, i) => `u${CHUNK_ROWS - 10 + i}`));
    assert.deepEqual([...v.timestamps], [...rows(CHUNK_ROWS - 10, 65).timestamps]);
  });

  test('a buffer of numeric ids refuses string ids, appending nothing', () => {
    const buffer = new TradeRowBuffer();
    buffer.append(rows(0, 3));
    const strings: TradeColumns = { ...rows(3, 2), ids: { kind: 'string', values: ['a', 'b'] } };
    assert.equal(buffer.append(strings), false);
    assert.equal(buffer.length, 3);
  });
});
