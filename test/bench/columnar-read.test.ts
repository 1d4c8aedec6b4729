/**
 * The store bench's columnar read, ahead of the store that has one: detected only when present,
 * and every row of every block counted, whether the store hands blocks out sync or async.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hasColumnarRead, lotsOf, scanColumns, type ColumnarReader } from '../../bench/store/columnar-read.js';
import type { TradeColumns } from '../../src/store/blocks/columns.js';
import type { RangeQuery } from '../../src/store/index.js';

function block(amounts: number[]): TradeColumns {
  const n = amounts.length;
  return {
    length: n,
    timestamps: new Float64Array(n),
    localTimestamps: new Float64Array(n),
    ids: { kind: 'numeric', values: Float64Array.from(amounts, (_, i) => i) },
    prices: new Float64Array(n).fill(97_000.5),
    amounts: Float64Array.from(amounts),
    sides: new Uint8Array(n),
  };
}
const blocks = [block([0.00001, 1.5]), block([0.12345]), block([2, 0.5, 0.25])];
const expectedLots = [0.00001, 1.5, 0.12345, 2, 0.5, 0.25].reduce((s, a) => s + lotsOf(a), 0);
const query: RangeQuery = { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'trade' };

describe('bench columnar read', () => {
  test('a store without readTradeColumns is told apart from one with it', () => {
    assert.equal(hasColumnarRead({ readRange: () => undefined }), false);
    assert.equal(hasColumnarRead({ readTradeColumns: 42 }), false);
    assert.equal(hasColumnarRead({ readTradeColumns: () => [] }), true);
  });

  test('a sync iterable: every row of every block, amounts summed exactly, the query passed through', async () => {
    const asked: RangeQuery[] = [];
    const reader: ColumnarReader = {
      readTradeColumns: (q) => {
        asked.push(q);
        return blocks;
      },
    };
    const scan = await scanColumns(reader, query);
    assert.deepEqual(asked, [query]);
    assert.equal(scan.rows, 6);
    assert.equal(scan.blocks, 3);
    assert.equal(scan.lots, expectedLots);
    assert.ok(scan.ms >= 0);
  });

  test('reuse is asked of the store only when the scan says so, and counts the same', async () => {
    const asked: unknown[] = [];
    const reader: ColumnarReader = {
      readTradeColumns: (_q, options) => {
        asked.push(options);
        return blocks;
      },
    };
    const reused = await scanColumns(reader, query, true);
    const fresh = await scanColumns(reader, query);
    assert.deepEqual(asked, [{ reuse: true }, undefined]);
    assert.equal(reused.lots, expectedLots);
    assert.equal(fresh.lots, expectedLots);
  });

  test('an async iterable gives the same', async () => {
    const reader: ColumnarReader = {
      async *readTradeColumns() {
        for (const b of blocks) yield b;
      },
    };
    const scan = await scanColumns(reader, query);
    assert.equal(scan.rows, 6);
    assert.equal(scan.lots, expectedLots);
  });
});
