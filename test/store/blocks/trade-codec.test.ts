import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../../src/prng.js';
import { tradeBlockCodec } from '../../../src/store/blocks/trade-codec.js';
import type { TradeColumns, TradeIdColumn } from '../../../src/store/blocks/columns.js';
import { StoreError } from '../../../src/store/errors.js';
import { assertSameTrades } from './column-assert.js';
import { randomFloatColumn, randomIdColumn } from './random-columns.js';
import { binanceLike, bybitLike, okxSwapLike, upbitLike } from './realistic-blocks.js';

function roundTrip(c: TradeColumns): Uint8Array {
  const bytes = tradeBlockCodec.encode(c);
  assertSameTrades(tradeBlockCodec.decode(bytes), c);
  return bytes;
}

function block(n: number, over: Partial<Omit<TradeColumns, 'length'>> = {}): TradeColumns {
  return {
    length: n,
    timestamps: over.timestamps ?? Float64Array.from({ length: n }, (_, i) => 1_764_700_000_000 + i * 7),
    localTimestamps: over.localTimestamps ?? Float64Array.from({ length: n }, (_, i) => 1_764_700_000_003 + i * 7),
    ids: over.ids ?? { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => 1000 + i) },
    prices: over.prices ?? Float64Array.from({ length: n }, (_, i) => Number((97123.45 + i / 100).toFixed(2))),
    amounts: over.amounts ?? Float64Array.from({ length: n }, (_, i) => Number(((i % 97) / 1e5 + 0.00001).toFixed(5))),
    sides: over.sides ?? Uint8Array.from({ length: n }, (_, i) => i % 3 === 0 ? 1 : 0),
  };
}

test('seeded random blocks of every column shape round-trip bit for bit', () => {
  const rng = new Prng(1301);
  for (let k = 0; k < 400; k++) {
    const n = [0, 1, 2, 3, 7, 8, 9, 64, 1024, 3000][rng.int(10)]!;
    const cols = [randomFloatColumn(rng, n), randomFloatColumn(rng, n), randomFloatColumn(rng, n), randomFloatColumn(rng, n)];
    const { style: idStyle, ids } = randomIdColumn(rng, n);
    const c: TradeColumns = {
      length: n,
      timestamps: cols[0]!.values,
      localTimestamps: rng.next() < 0.5 ? cols[1]!.values : cols[0]!.values.map((t) => t + rng.int(30)),
      ids,
      prices: cols[2]!.values,
      amounts: cols[3]!.values,
      sides: Uint8Array.from({ length: n }, () => rng.int(2)),
    };
    try {
      roundTrip(c);
    } catch (err) {
      throw new Error(`case ${k}: n=${n}, columns ${cols.map((x) => x.style).join(' / ')}, ids ${idStyle}: ${(err as Error).message}`);
    }
  }
});

test('realistic venue blocks round-trip (Binance, OKX swap, Upbit 17-digit ids, Bybit UUIDs)', () => {
  for (const make of [binanceLike, okxSwapLike, upbitLike, bybitLike]) for (const n of [1, 1024, 4000]) roundTrip(make(n, n));
});

test('decimals that look short but are not come back exact: 0.1+0.2, 1e-8, 5e-324, 123456.789, 1e21, -0', () => {
  const values = [0.1 + 0.2, 0.3, 1e-8, 5e-324, 123456.789, 1e21, 1e-21, 2 ** 53 + 2, 97123.45, 0.00123];
  for (const v of values) {
    for (const n of [1, 5]) {
      roundTrip(block(n, { prices: new Float64Array(n).fill(v), amounts: Float64Array.from({ length: n }, (_, i) => (i % 2 ? v : 0.5)) }));
    }
  }
  // -0 is not required by the contract, but an exact codec keeps it rather than silently making it 0
  roundTrip(block(3, { prices: Float64Array.of(1.5, -0, 2.5) }));
  roundTrip(block(3, { amounts: Float64Array.of(-0, -0, -0) }));
});

test('one row, all-equal rows and identical timestamps', () => {
  roundTrip(block(1));
  const n = 500;
  roundTrip(
    block(n, {
      timestamps: new Float64Array(n).fill(1_764_700_000_000),
      localTimestamps: new Float64Array(n).fill(1_764_700_000_005),
      prices: new Float64Array(n).fill(97123.45),
      amounts: new Float64Array(n).fill(0.001),
      sides: new Uint8Array(n).fill(1),
      ids: { kind: 'string', values: new Array<string>(n).fill('same') },
    }),
  );
});

test('id strings come back exactly as written: uppercase UUIDs, leading zeros, huge digit strings, non-ASCII', () => {
  const cases: string[][] = [
    ['0f8fad5b-d9cb-469f-a165-70867728950e', '7c9e6679-7425-40de-944b-e07fc1f90ae7'],
    ['0F8FAD5B-D9CB-469F-A165-70867728950E', '7c9e6679-7425-40de-944b-e07fc1f90ae7'],
    ['0f8fad5b-d9cb-469f-a165-70867728950e', '7c9e6679-7425-40de-944b-e07fc1f90aE7'],
    ['17103275719220001', '17103275719220002', '17103275719240123'],
    ['0', '1', '999999999', '1000000000', '1000000001'],
    ['007', '0', '08'],
    ['123456789012345678901234', '1'], // a delta too large for exact arithmetic: stored as text
    ['1234567890123456789012345'],
    ['', 'ä', '€', '😀', 'a\uD800', '\uDFFF'],
  ];
  for (const values of cases) {
    const ids: TradeIdColumn = { kind: 'string', values };
    roundTrip(block(values.length, { ids }));
  }
});

test('ids are cheap where the venue makes them cheap: consecutive numeric, 17-digit and lowercase UUIDs', () => {
  const n = 1000;
  // baseline: one id repeated, a single run of a few bytes
  const base = tradeBlockCodec.encode(block(n, { ids: { kind: 'numeric', values: new Float64Array(n).fill(7) } })).length;
  const idBytes = (ids: TradeIdColumn) => roundTrip(block(n, { ids })).length - base;
  const consecutive = idBytes({ kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => 5e9 + i) });
  assert.ok(consecutive <= 8, `consecutive ids: ${consecutive} bytes for the block`);
  const upbit = Array.from({ length: n }, (_, i) => String(17103275719220001n + BigInt(i * 1234)));
  const upbitBytes = idBytes({ kind: 'string', values: upbit });
  assert.ok(upbitBytes <= 2 * n + 16, `17-digit ids 1234 apart: ${upbitBytes} bytes (2 a row expected)`);
  const rng = new Prng(n);
  const uuids = Array.from({ length: n }, () => rng.uuid());
  const uuidBytes = idBytes({ kind: 'string', values: uuids });
  assert.ok(uuidBytes >= 16 * n - 16 && uuidBytes <= 16 * n + 16, `UUIDs: ${uuidBytes} bytes (16 a row expected)`);
  // the same UUIDs with one uppercase letter cannot use the binary form: text, ~37 bytes a row
  const upper = [...uuids];
  upper[500] = upper[500]!.toUpperCase();
  assert.ok(idBytes({ kind: 'string', values: upper }) > 30 * n);
});

test('a realistic 1,024-trade block stays small (bytes per trade, measured 4.95 / 5.11 / 8.64)', () => {
  const perTrade = (c: TradeColumns) => roundTrip(c).length / c.length;
  for (const seed of [1, 2, 3]) {
    assert.ok(perTrade(binanceLike(1024, seed)) <= 5.5, `binance ${perTrade(binanceLike(1024, seed))}`);
    assert.ok(perTrade(okxSwapLike(1024, seed)) <= 5.6, `okx ${perTrade(okxSwapLike(1024, seed))}`);
    assert.ok(perTrade(upbitLike(1024, seed)) <= 9.2, `upbit ${perTrade(upbitLike(1024, seed))}`);
  }
});

test('the value starts with codec id 2 and the row count as LEB128 (the convention the store reads)', () => {
  const bytes = tradeBlockCodec.encode(binanceLike(300, 9));
  assert.equal(bytes[0], 2);
  assert.equal(bytes[1], (300 & 0x7f) | 0x80);
  assert.equal(bytes[2], 300 >>> 7);
});

test('columns that break the contract are refused at encode, not stored wrong', () => {
  const refused = (c: TradeColumns) =>
    assert.throws(() => tradeBlockCodec.encode(c), (e: unknown) => e instanceof StoreError && e.code === 'TV_ERR_STORE_INVALID_RECORD');
  refused({ ...block(4), sides: Uint8Array.of(0, 1, 2, 0) });
  refused({ ...block(4), prices: new Float64Array(3) });
  refused({ ...block(4), length: -1 });
  refused({ ...block(4), ids: { kind: 'string', values: ['a'] } });
});

test('a value handed over as a Buffer view at an odd offset (as LMDB returns it) decodes the same', () => {
  const rng = new Prng(1305);
  for (let k = 0; k < 60; k++) {
    const n = 1 + rng.int(200);
    const c: TradeColumns = { ...block(n), ids: randomIdColumn(rng, n).ids, prices: randomFloatColumn(rng, n).values };
    const bytes = tradeBlockCodec.encode(c);
    const pool = Buffer.alloc(bytes.length + 13);
    pool.set(bytes, 7);
    assertSameTrades(tradeBlockCodec.decode(pool.subarray(7, 7 + bytes.length)), c);
  }
});
