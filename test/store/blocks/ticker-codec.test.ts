import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../../src/prng.js';
import { tickerBlockCodec } from '../../../src/store/blocks/ticker-codec.js';
import { TICKER_OPTIONAL_COLUMNS, type TickerColumns, type TickerOptionalColumn } from '../../../src/store/blocks/columns.js';
import { StoreError } from '../../../src/store/errors.js';
import { assertSameTickers } from './column-assert.js';
import { randomFloatColumn } from './random-columns.js';
import { tickerLike } from './realistic-blocks.js';

function roundTrip(c: TickerColumns): Uint8Array {
  const bytes = tickerBlockCodec.encode(c);
  assertSameTickers(tickerBlockCodec.decode(bytes), c);
  return bytes;
}

function optional(make: (k: TickerOptionalColumn) => Float64Array): Record<TickerOptionalColumn, Float64Array> {
  return Object.fromEntries(TICKER_OPTIONAL_COLUMNS.map((k) => [k, make(k)])) as Record<TickerOptionalColumn, Float64Array>;
}

test('seeded random ticker blocks round-trip, absent fields (NaN) included', () => {
  const rng = new Prng(1302);
  for (let k = 0; k < 300; k++) {
    const n = [0, 1, 2, 9, 100, 2000][rng.int(6)]!;
    const timestamps = randomFloatColumn(rng, n).values;
    const presence = () => [0, 1, rng.next()][rng.int(3)]!;
    const c: TickerColumns = {
      length: n,
      timestamps,
      localTimestamps: rng.next() < 0.5 ? randomFloatColumn(rng, n).values : timestamps.map((t) => t + 1 + rng.int(20)),
      last: randomFloatColumn(rng, n).values,
      optional: optional(() => {
        const p = presence();
        return randomFloatColumn(rng, n).values.map((v) => (rng.next() < p ? v : NaN));
      }),
    };
    try {
      roundTrip(c);
    } catch (err) {
      throw new Error(`case ${k}, n=${n}: ${(err as Error).message}`);
    }
  }
});

test('a field present on some rows only keeps which rows had it', () => {
  const n = 10;
  const c: TickerColumns = {
    length: n,
    timestamps: Float64Array.from({ length: n }, (_, i) => 1_764_700_000_000 + i),
    localTimestamps: Float64Array.from({ length: n }, (_, i) => 1_764_700_000_002 + i),
    last: new Float64Array(n).fill(97123.45),
    optional: optional((k) => Float64Array.from({ length: n }, (_, i) => (k === 'bid' && i % 3 === 0 ? NaN : 100 + i))),
  };
  const back = tickerBlockCodec.decode(roundTrip(c));
  assert.deepEqual(
    [...back.optional.bid].map((v) => Number.isNaN(v)),
    Array.from({ length: n }, (_, i) => i % 3 === 0),
  );
});

test('all-equal rows and a block with every optional field absent', () => {
  const n = 1000;
  const same: TickerColumns = {
    length: n,
    timestamps: new Float64Array(n).fill(1_764_700_000_000),
    localTimestamps: new Float64Array(n).fill(1_764_700_000_000),
    last: new Float64Array(n).fill(0.1 + 0.2),
    optional: optional(() => new Float64Array(n).fill(NaN)),
  };
  const bytes = roundTrip(same);
  // timestamps keep a byte a row (so a decoder can bound a row count), the rest is constant
  assert.ok(bytes.length >= n && bytes.length < n + 64, `${bytes.length} bytes`);
});

test('a realistic 1,024-ticker block stays small (measured 12.24 bytes per ticker)', () => {
  for (const seed of [1, 2, 3]) {
    const bytes = roundTrip(tickerLike(1024, seed));
    assert.ok(bytes.length / 1024 <= 13, `${bytes.length / 1024} bytes per ticker`);
  }
});

test('ticker columns that break the contract are refused at encode', () => {
  const c = tickerLike(5);
  assert.throws(
    () => tickerBlockCodec.encode({ ...c, last: new Float64Array(2) }),
    (e: unknown) => e instanceof StoreError && e.code === 'TV_ERR_STORE_INVALID_RECORD',
  );
  const partial = { ...c.optional } as Partial<Record<TickerOptionalColumn, Float64Array>>;
  delete partial.ask;
  assert.throws(
    () => tickerBlockCodec.encode({ ...c, optional: partial as Record<TickerOptionalColumn, Float64Array> }),
    (e: unknown) => e instanceof StoreError && e.code === 'TV_ERR_STORE_INVALID_RECORD',
  );
});
