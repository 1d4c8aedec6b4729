/**
 * The writer's tail memo buffer (src/store/blocks/trade-buffer.ts): rows appended batch by batch
 * read back exactly, a buffer told how far it will grow gets there in one step, and cutting it
 * down keeps the newest rows.
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
  test('a buffer told how far it will grow allocates that once, and reads back every row', () => {
    const buffer = new TradeRowBuffer();
    assert.ok(buffer.append(rows(0, 100), 6_400));
    const allocated = buffer.bytes;
    assert.ok(allocated >= 6_400 * 41, `allocated ${allocated} bytes`);
    for (let b = 1; b < 64; b++) assert.ok(buffer.append(rows(b * 100, 100), 6_400));
    assert.equal(buffer.bytes, allocated, 'no regrowth on the way to the expected size');
    assert.equal(buffer.length, 6_400);
    const all = buffer.view(0, buffer.length);
    assert.deepEqual(ids(all), ids(rows(0, 6_400)));
    assert.deepEqual([...all.prices], [...rows(0, 6_400).prices]);
    assert.deepEqual([...all.sides], [...rows(0, 6_400).sides]);
  });

  test('without a hint it doubles; past the hint it still grows; keepFrom keeps the newest rows', () => {
    const buffer = new TradeRowBuffer();
    buffer.append(rows(0, 10));
    const small = buffer.bytes;
    assert.ok(small < 1_000 * 41, 'no hint: a small buffer');
    buffer.append(rows(10, 5_000), 100); // a hint below what is needed is no limit
    assert.equal(buffer.length, 5_010);
    buffer.keepFrom(5_000);
    assert.equal(buffer.length, 10);
    assert.deepEqual(ids(buffer.view(0, 10)), ids(rows(5_000, 10)));
    assert.ok(buffer.bytes < 5_010 * 41, 'a buffer cut to a tenth gives memory back');
  });

  test('a buffer of numeric ids refuses string ids, appending nothing', () => {
    const buffer = new TradeRowBuffer();
    buffer.append(rows(0, 3));
    const strings: TradeColumns = { ...rows(3, 2), ids: { kind: 'string', values: ['a', 'b'] } };
    assert.equal(buffer.append(strings, 1_000), false);
    assert.equal(buffer.length, 3);
  });
});
