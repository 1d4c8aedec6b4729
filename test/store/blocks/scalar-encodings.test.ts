import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../../src/prng.js';
import { ByteReader } from '../../../src/store/blocks/byte-reader.js';
import { ByteWriter } from '../../../src/store/blocks/byte-writer.js';
import { FloatMode, decodeFloatColumn, encodeFloatColumn } from '../../../src/store/blocks/float-column.js';
import { unzigzag, varintLength, zigzag } from '../../../src/store/blocks/varint.js';
import { StoreError } from '../../../src/store/errors.js';

const isCorrupt = (e: unknown) => e instanceof StoreError && e.code === 'TV_ERR_STORE_CORRUPT_VALUE';

test('varints round-trip across 0..2^53-1, including both sides of the 32-bit boundary', () => {
  const rng = new Prng(7);
  const values = [0, 1, 127, 128, 16383, 16384, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35, 2 ** 49, Number.MAX_SAFE_INTEGER];
  for (let i = 0; i < 2000; i++) values.push(Math.floor(rng.next() * 2 ** rng.int(54)));
  const w = new ByteWriter(4);
  for (const v of values) w.varint(v);
  const bytes = w.finish();
  assert.equal(bytes.length, values.reduce((a, v) => a + varintLength(v), 0));
  const r = new ByteReader(bytes);
  for (const v of values) assert.equal(r.varint(), v);
  assert.equal(r.remaining, 0);
});

test('zigzag is exact up to |v| < 2^52 and inverts', () => {
  for (const v of [0, -1, 1, -64, 64, 2 ** 31, -(2 ** 31), 2 ** 32 + 1, -(2 ** 32 + 1), 2 ** 52 - 1, -(2 ** 52 - 1)]) {
    assert.equal(unzigzag(zigzag(v)), v);
    const w = new ByteWriter();
    w.zigzag(v);
    assert.equal(new ByteReader(w.finish()).zigzag(), v);
  }
});

test('a varint past 2^53 - 1 or longer than 8 bytes is corrupt, not a wrong number', () => {
  assert.throws(() => new ByteReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)).varint(), isCorrupt);
  assert.throws(() => new ByteReader(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)).varint(), isCorrupt);
  assert.throws(() => new ByteReader(Uint8Array.of(0x80)).varint(), isCorrupt);
});

test('a column is decimal-scaled at the smallest exact exponent, bit for bit, or stored raw', () => {
  /** the exponent the column was stored at, -1 for raw; and it must read back bit for bit */
  const scale = (...values: number[]) => {
    const w = new ByteWriter();
    encodeFloatColumn(w, Float64Array.from(values), values.length, true);
    const bytes = w.finish();
    const back = new Float64Array(values.length);
    const r = new ByteReader(bytes);
    decodeFloatColumn(r, back, values.length);
    assert.equal(r.remaining, 0);
    for (let i = 0; i < values.length; i++) assert.ok(Object.is(back[i], values[i]), `${values[i]} came back as ${back[i]}`);
    return bytes[0] === FloatMode.Raw ? -1 : bytes[1];
  };
  assert.equal(scale(97123.45, 97123.5, 97123), 2);
  assert.equal(scale(143250000, 143251000), 0);
  assert.equal(scale(0.5, 0.00123, 1), 5, 'a later value with more decimals rescales the earlier ones');
  assert.equal(scale(1e-8), 8);
  assert.equal(scale(1e-12), 12);
  assert.equal(scale(1e-13), -1);
  assert.equal(scale(0.1 + 0.2), -1, '0.30000000000000004 has 17 decimals');
  assert.equal(scale(5e-324), -1);
  assert.equal(scale(1 / 3), -1);
  assert.equal(scale(123456.789), 3);
  assert.equal(scale(1e21), -1, 'above 2^51: deltas would no longer be exact');
  assert.equal(scale(2 ** 51 - 1, 2 ** 51 - 2), 0, 'the largest scaled integers still fit');
  assert.equal(scale(2 ** 51 - 1), -1, 'one value whose varint is 8 bytes is as cheap raw');
  assert.equal(scale(-0), -1, '-0 would come back as 0');
  assert.equal(scale(Number.NaN), -1);
  assert.equal(scale(Number.POSITIVE_INFINITY), -1);
  assert.equal(scale(-97123.45, 0), 2);
});

test('decimal columns read 1-, 2-, 3- and longer varints exactly, unsigned and as deltas, and refuse one cut short', () => {
  // both sides of each varint length the decoder reads inline (1, 2 and 3 bytes) and beyond
  const edges = [0, 127, 128, 16383, 16384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, 5, 16384, 3];
  const forms = [Float64Array.from(edges), Float64Array.from(edges, (v, i) => (i % 2 ? -v : v)), Float64Array.from(edges, (v) => v / 1e5)];
  for (const values of forms) {
    const w = new ByteWriter();
    encodeFloatColumn(w, values, values.length, true);
    const bytes = w.finish();
    assert.ok(bytes[0] === FloatMode.DecimalUnsigned || bytes[0] === FloatMode.DecimalDelta, `mode ${bytes[0]}`);
    const back = new Float64Array(values.length);
    const r = new ByteReader(bytes);
    decodeFloatColumn(r, back, values.length);
    assert.equal(r.remaining, 0);
    assert.deepEqual([...back], [...values]);
    // every cut inside the column, including inside a 3-byte varint, is corrupt (never a wrong number)
    for (let len = 2; len < bytes.length; len++) {
      assert.throws(() => decodeFloatColumn(new ByteReader(bytes.subarray(0, len)), new Float64Array(values.length), values.length), isCorrupt, `cut at ${len}`);
    }
  }
});
