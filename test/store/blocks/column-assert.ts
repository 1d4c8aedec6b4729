/** Bit-exact comparisons for codec round-trips (assert.deepEqual would call -0 equal to 0). */
import assert from 'node:assert/strict';
import type { TickerColumns, TradeColumns } from '../../../src/store/blocks/columns.js';
import { TICKER_OPTIONAL_COLUMNS } from '../../../src/store/blocks/columns.js';

/** the first n values of `actual` have the same float64 bits as `expected` (any NaN equals any NaN) */
export function assertSameFloats(actual: Float64Array, expected: Float64Array, n: number, what: string): void {
  assert.equal(actual.length, n, `${what}: length`);
  const bits = new BigUint64Array(1);
  const f = new Float64Array(bits.buffer);
  for (let i = 0; i < n; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    f[0] = a;
    const ab = bits[0];
    f[0] = e;
    if (ab !== bits[0]) assert.fail(`${what}[${i}]: got ${Object.is(a, -0) ? '-0' : a}, wrote ${Object.is(e, -0) ? '-0' : e}`);
  }
}

export function assertSameTrades(actual: TradeColumns, expected: TradeColumns): void {
  const n = expected.length;
  assert.equal(actual.length, n, 'length');
  assertSameFloats(actual.timestamps, expected.timestamps, n, 'timestamps');
  assertSameFloats(actual.localTimestamps, expected.localTimestamps, n, 'localTimestamps');
  assertSameFloats(actual.prices, expected.prices, n, 'prices');
  assertSameFloats(actual.amounts, expected.amounts, n, 'amounts');
  assert.deepEqual([...actual.sides], [...expected.sides.subarray(0, n)], 'sides');
  assert.equal(actual.ids.kind, expected.ids.kind, 'id kind');
  if (expected.ids.kind === 'numeric' && actual.ids.kind === 'numeric') {
    assertSameFloats(actual.ids.values, expected.ids.values, n, 'ids');
  } else {
    assert.deepEqual(actual.ids.values, expected.ids.values.slice(0, n), 'ids');
  }
}

export function assertSameTickers(actual: TickerColumns, expected: TickerColumns): void {
  const n = expected.length;
  assert.equal(actual.length, n, 'length');
  assertSameFloats(actual.timestamps, expected.timestamps, n, 'timestamps');
  assertSameFloats(actual.localTimestamps, expected.localTimestamps, n, 'localTimestamps');
  assertSameFloats(actual.last, expected.last, n, 'last');
  for (const k of TICKER_OPTIONAL_COLUMNS) assertSameFloats(actual.optional[k], expected.optional[k], n, k);
}
