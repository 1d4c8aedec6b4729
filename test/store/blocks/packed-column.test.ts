import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../../src/prng.js';
import { ByteReader } from '../../../src/store/blocks/byte-reader.js';
import { ByteWriter } from '../../../src/store/blocks/byte-writer.js';
import { FloatMode, decodeFloatColumn, encodeFloatColumn } from '../../../src/store/blocks/float-column.js';
import { decodePacked, MAX_PACKED_WIDTH, PackedKind, writePacked } from '../../../src/store/blocks/packed-column.js';
import { StoreError } from '../../../src/store/errors.js';

const isCorrupt = (e: unknown) => e instanceof StoreError && e.code === 'TV_ERR_STORE_CORRUPT_VALUE';

function column(values: Float64Array, bytePerValue = false): { bytes: Uint8Array; back: Float64Array } {
  const w = new ByteWriter();
  encodeFloatColumn(w, values, values.length, bytePerValue);
  const bytes = w.finish();
  const back = new Float64Array(values.length);
  const r = new ByteReader(bytes);
  decodeFloatColumn(r, back, values.length);
  assert.equal(r.remaining, 0);
  return { bytes, back };
}

function series(seed: number, n: number): { timestamps: Float64Array; amounts: Float64Array; prices: Float64Array } {
  const rng = new Prng(seed);
  let ts = 1_767_614_400_000;
  let cents = 9_700_000;
  const timestamps = new Float64Array(n);
  const amounts = new Float64Array(n);
  const prices = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ts += rng.int(51);
    cents += rng.int(7) - 3;
    timestamps[i] = ts;
    prices[i] = cents / 100;
    amounts[i] = Math.max(1, Math.round(Math.exp(rng.next() * Math.log(200_000)))) / 100_000;
  }
  return { timestamps, amounts, prices };
}

test('trade-like columns (millisecond steps, cent ticks, five-decimal amounts) are packed and read back bit for bit', () => {
  for (const n of [2, 7, 8, 9, 64, 1000, 6700]) {
    const s = series(n, n);
    for (const [name, values] of Object.entries(s)) {
      const { bytes, back } = column(values);
      // a few rows: the packed form's fixed bytes can make a varint form the smaller one
      if (n >= 64) assert.equal(bytes[0], FloatMode.DecimalPacked, `${name} × ${n}`);
      for (let i = 0; i < n; i++) assert.ok(Object.is(back[i], values[i]), `${name}[${i}] of ${n}: ${back[i]} for ${values[i]}`);
    }
  }
});

test('a column that must cost a byte a value (ticker timestamps) is never packed', () => {
  const { bytes } = column(series(3, 500).timestamps, true);
  assert.notEqual(bytes[0], FloatMode.DecimalPacked);
});

test('packed values and deltas round-trip at widths 0 to 25, with a first value far above the width', () => {
  const rng = new Prng(5);
  for (let width = 0; width <= MAX_PACKED_WIDTH; width++) {
    for (const n of [1, 2, 3, 31, 64, 257]) {
      const max = width === 0 ? 0 : 2 ** width - 1;
      const values = Float64Array.from({ length: n }, (_, i) => (i === 0 ? max : Math.floor(rng.next() * (max + 1))));
      const w = new ByteWriter();
      writePacked(w, values, n, PackedKind.Values, width);
      const back = new Float64Array(n);
      const r = new ByteReader(w.finish());
      decodePacked(r, back, n, 1);
      assert.equal(r.remaining, 0);
      assert.deepEqual([...back], [...values], `values at width ${width} × ${n}`);
      // deltas of at most ±(max / 2) around a first value of ~1.7e12: zigzag fits `width`
      const half = Math.floor(max / 2);
      const m = new Float64Array(n);
      m[0] = 1_767_614_400_000;
      for (let i = 1; i < n; i++) m[i] = m[i - 1]! + (Math.floor(rng.next() * (half + 1)) * (rng.next() < 0.5 ? -1 : 1) || 0);
      const wd = new ByteWriter();
      writePacked(wd, m, n, PackedKind.Deltas, width);
      const backD = new Float64Array(n);
      const rd = new ByteReader(wd.finish());
      decodePacked(rd, backD, n, 1);
      assert.equal(rd.remaining, 0);
      assert.deepEqual([...backD], [...m], `deltas at width ${width} × ${n}`);
    }
  }
});

test('a packed column cut short, too wide, of an unknown kind, or deltas of no rows is corrupt', () => {
  const values = series(9, 300).amounts;
  const { bytes } = column(values);
  assert.equal(bytes[0], FloatMode.DecimalPacked);
  for (let len = 0; len < bytes.length; len++) {
    assert.throws(() => decodeFloatColumn(new ByteReader(bytes.subarray(0, len)), new Float64Array(300), 300), isCorrupt, `cut at ${len}`);
  }
  const wide = Uint8Array.from(bytes);
  wide[3] = MAX_PACKED_WIDTH + 1;
  assert.throws(() => decodeFloatColumn(new ByteReader(wide), new Float64Array(300), 300), isCorrupt);
  const kind = Uint8Array.from(bytes);
  kind[2] = 2;
  assert.throws(() => decodeFloatColumn(new ByteReader(kind), new Float64Array(300), 300), isCorrupt);
  assert.throws(() => decodePacked(new ByteReader(Uint8Array.of(PackedKind.Deltas, 3, 0, 0, 0, 0)), new Float64Array(0), 0, 1), isCorrupt);
  // a mode after this one (a newer writer's) is refused the same way this one is by older readers
  assert.throws(() => decodeFloatColumn(new ByteReader(Uint8Array.of(FloatMode.DecimalPacked + 1, 0, 0, 0, 0, 0)), new Float64Array(1), 1), isCorrupt);
});
