/**
 * One float64 column (timestamps, prices, amounts, ticker fields) in the smallest of a few forms,
 * chosen per column per block by counting bytes, never by guessing:
 * - DECIMAL_DELTA: m_i = v_i·10^e as zigzag-varint deltas. Prices and timestamps move in small steps,
 *   so a 97123.45 price or a 1.7e12 ms timestamp usually costs 1 byte.
 * - DECIMAL_UNSIGNED / DECIMAL_ZIGZAG: m_i as plain varints. Amounts jump around (0.5 then 0.00012)
 *   and deltas would only add a sign bit; unsigned when no m is negative.
 * - CONSTANT: one float64 for a column whose values are all bit-identical (a ticker's untouched
 *   high24h, a block of one row).
 * - RAW: 8 bytes each, when some value is not a short decimal (1/3, 5e-324, 1e21 with e > 0...).
 * Exactness is verified value by value while encoding; the decoder returns the same bits.
 */
import type { ByteReader } from './byte-reader.js';
import { type ByteWriter, varintLength, zigzag } from './byte-writer.js';
import { corrupt } from './corrupt.js';
import { MAX_DECIMAL_EXPONENT, POW10, findDecimalExponent } from './decimal-scale.js';

/** the mode byte that starts a column */
export const FloatMode = {
  Raw: 0,
  Constant: 1,
  DecimalDelta: 2,
  DecimalUnsigned: 3,
  DecimalZigzag: 4,
} as const;
type FloatModeId = (typeof FloatMode)[keyof typeof FloatMode];

/** scaled integers of the column being encoded; reused between calls (encode is synchronous) */
let scratch = new Float64Array(4096);

function scratchFor(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  return scratch;
}

function allBitIdentical(values: Float64Array, n: number): boolean {
  const first = values[0]!;
  if (first !== first) return false;
  const firstNegZero = first === 0 && 1 / first < 0;
  for (let i = 1; i < n; i++) {
    const v = values[i]!;
    if (v !== first) return false;
    if (first === 0 && 1 / v < 0 !== firstNegZero) return false;
  }
  return true;
}

function writeRaw(w: ByteWriter, values: Float64Array, n: number): void {
  w.byte(FloatMode.Raw);
  w.ensure(n * 8);
  for (let i = 0; i < n; i++) w.float64(values[i]!);
}

/**
 * Appends `values[0..n)` to `w` (mode byte first). `allowConstant: false` keeps at least one byte
 * per value, so a decoder can bound a row count by the bytes it was given.
 */
export function encodeFloatColumn(w: ByteWriter, values: Float64Array, n: number, allowConstant = true): void {
  if (n === 0) {
    w.byte(FloatMode.Raw);
    return;
  }
  if (allowConstant && allBitIdentical(values, n)) {
    w.byte(FloatMode.Constant);
    w.float64(values[0]!);
    return;
  }
  const e = findDecimalExponent(values, 0, n);
  if (e < 0) return writeRaw(w, values, n);
  const p = POW10[e]!;
  const m = scratchFor(n);
  let deltaBytes = 0;
  let unsignedBytes = 0;
  let zigzagBytes = 0;
  let anyNegative = false;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const mi = Math.round(v * p);
    if (mi / p !== v) return writeRaw(w, values, n); // findDecimalExponent's guess did not hold
    m[i] = mi;
    deltaBytes += varintLength(zigzag(mi - prev));
    const z = zigzag(mi);
    zigzagBytes += varintLength(z);
    if (mi < 0) anyNegative = true;
    else unsignedBytes += varintLength(mi);
    prev = mi;
  }
  if (Math.min(deltaBytes, zigzagBytes) + 2 >= n * 8) return writeRaw(w, values, n);
  let mode: FloatModeId;
  if (!anyNegative && unsignedBytes <= deltaBytes) mode = FloatMode.DecimalUnsigned;
  else if (deltaBytes <= zigzagBytes) mode = FloatMode.DecimalDelta;
  else mode = FloatMode.DecimalZigzag;
  w.byte(mode);
  w.byte(e);
  if (mode === FloatMode.DecimalUnsigned) {
    for (let i = 0; i < n; i++) w.varint(m[i]!);
  } else if (mode === FloatMode.DecimalZigzag) {
    for (let i = 0; i < n; i++) w.zigzag(m[i]!);
  } else {
    prev = 0;
    for (let i = 0; i < n; i++) {
      const mi = m[i]!;
      w.zigzag(mi - prev);
      prev = mi;
    }
  }
}

/** Reads a column written by encodeFloatColumn into `out[0..n)`. */
export function decodeFloatColumn(r: ByteReader, out: Float64Array, n: number): void {
  const mode = r.byte();
  if (mode === FloatMode.Raw) {
    if (r.remaining < n * 8) throw corrupt('truncated raw column');
    for (let i = 0; i < n; i++) out[i] = r.float64();
    return;
  }
  if (mode === FloatMode.Constant) {
    out.fill(r.float64(), 0, n);
    return;
  }
  if (mode < FloatMode.DecimalDelta || mode > FloatMode.DecimalZigzag) throw corrupt(`unknown column mode ${mode}`);
  const e = r.byte();
  if (e > MAX_DECIMAL_EXPONENT) throw corrupt(`decimal exponent ${e}`);
  // every value takes at least one byte: refuse before looping on a count the bytes cannot hold
  if (r.remaining < n) throw corrupt('truncated decimal column');
  const p = POW10[e]!;
  if (mode === FloatMode.DecimalUnsigned) {
    for (let i = 0; i < n; i++) out[i] = r.varint() / p;
  } else if (mode === FloatMode.DecimalZigzag) {
    for (let i = 0; i < n; i++) out[i] = r.zigzag() / p;
  } else {
    let m = 0;
    for (let i = 0; i < n; i++) {
      m += r.zigzag();
      out[i] = m / p;
    }
  }
}
