/**
 * One float64 column (timestamps, prices, amounts, ids, ticker fields) in the smallest of a few
 * forms, chosen per column per block by counting the bytes each would take, never by guessing:
 * - DECIMAL_DELTA: m_i = v_i·10^e as zigzag-varint deltas. Prices and timestamps move in small steps,
 *   so a 97123.45 price or a 1.7e12 ms timestamp usually costs 1 byte.
 * - DECIMAL_DELTA_RUNS: the same deltas as (delta, repeat) runs: consecutive ids (Δ = 1 forever) cost
 *   a few bytes per block instead of one per row.
 * - DECIMAL_UNSIGNED: m_i as plain varints when none is negative. Amounts jump around (0.5 then
 *   0.00012) and deltas would only add a sign bit.
 * - CONSTANT: one float64 for a column whose values are all bit-identical (a ticker's untouched
 *   high24h, a block of one row).
 * - DECIMAL_PACKED: the same integers (values or deltas) at a fixed bit width (packed-column.ts):
 *   no branch per value when decoding. Taken when it is at most PACKED_SLACK times the size of the
 *   smallest varint form: at worst a little more disk, for a decode without a branch per value
 *   (often less disk too: millisecond steps take 7 bits where their varints took 8).
 * - RAW: 8 bytes each, when some value is not a short decimal (1/3, 5e-324, 0.1+0.2...).
 * Exactness is verified value by value while encoding; the decoder returns the same bits.
 * The per-value loops read and write varints inline (1-, 2- and 3-byte fast paths) with local
 * positions: they are the codec's whole cost.
 */
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { corrupt } from './corrupt.js';
import { MAX_DECIMAL_EXPONENT, MAX_SCALED, POW10, raiseExponent } from './decimal-scale.js';
import { putVarint, unzigzag, varintLength, zigzag } from './varint.js';
import { decodePacked, packedSize, packedWidth, PackedKind, writePacked } from './packed-column.js';

/**
 * How much larger than the smallest varint form a packed one may be and still be chosen. Amounts
 * (1–3 byte varints, 1.8 bytes on average in the bench's series) pack into 18 bits: 25% more for
 * that column, about +0.4 bytes a trade, for the decode of the column without mispredicted branches.
 */
const PACKED_SLACK = 1.3;

/** the mode byte that starts a column */
export const FloatMode = {
  Raw: 0,
  Constant: 1,
  DecimalDelta: 2,
  DecimalUnsigned: 3,
  DecimalDeltaRuns: 4,
  DecimalPacked: 5,
} as const;
type FloatModeId = (typeof FloatMode)[keyof typeof FloatMode];

const LITTLE_ENDIAN = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;

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
 * Appends `values[0..n)` to `w` (mode byte first). `bytePerValue: true` leaves out the forms that
 * can cost less than a byte a value (constant, runs), so a decoder can bound a row count by the
 * bytes it was given.
 */
export function encodeFloatColumn(w: ByteWriter, values: Float64Array, n: number, bytePerValue = false): void {
  if (n === 0) {
    w.byte(FloatMode.Raw);
    return;
  }
  if (!bytePerValue && allBitIdentical(values, n)) {
    w.byte(FloatMode.Constant);
    w.float64(values[0]!);
    return;
  }
  const m = scratchFor(n);
  // scaling and size accounting in one pass; a value needing more decimals than those before it
  // raises the exponent and restarts (at most 12 times, so the cost stays bounded)
  let e = 0;
  let p = 1;
  let deltaBytes = 0;
  let unsignedBytes = 0;
  let runBytes = 0;
  let runs = 0;
  let runDelta = NaN;
  let runDeltaBytes = 0;
  let runLength = 0;
  let anyNegative = false;
  let prev = 0;
  // the largest value and the largest zigzag delta after the first: the packed forms' widths
  let maxValue = 0;
  let maxDelta = 0;
  let runZ = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const mi = Math.round(v * p);
    if (!(mi / p === v && Math.abs(mi) < MAX_SCALED && !(v === 0 && 1 / v < 0))) {
      e = raiseExponent(v, e);
      if (e < 0) return writeRaw(w, values, n);
      p = POW10[e]!;
      deltaBytes = unsignedBytes = runBytes = runs = runDeltaBytes = runLength = prev = maxValue = maxDelta = 0;
      runDelta = NaN;
      anyNegative = false;
      i = -1;
      continue;
    }
    m[i] = mi;
    const delta = mi - prev;
    prev = mi;
    if (delta === runDelta) {
      // same delta as the row before: same size, no new run
      runLength++;
      deltaBytes += runDeltaBytes;
      // (the row before may have been the first, whose delta is no packed one)
      if (runZ > maxDelta) maxDelta = runZ;
    } else {
      const z = zigzag(delta);
      runZ = z;
      if (i > 0 && z > maxDelta) maxDelta = z;
      const dz = varintLength(z);
      deltaBytes += dz;
      if (runLength > 0) runBytes += varintLength(runLength - 1);
      runs++;
      runBytes += dz;
      runDelta = delta;
      runDeltaBytes = dz;
      runLength = 1;
    }
    if (mi < 0) anyNegative = true;
    else {
      unsignedBytes += varintLength(mi);
      if (mi > maxValue) maxValue = mi;
    }
  }
  runBytes += varintLength(runLength - 1) + varintLength(runs);
  let mode: FloatModeId = FloatMode.DecimalDelta;
  let best = deltaBytes;
  if (runBytes < best && !bytePerValue) (mode = FloatMode.DecimalDeltaRuns), (best = runBytes);
  if (!anyNegative && unsignedBytes <= best) (mode = FloatMode.DecimalUnsigned), (best = unsignedBytes);
  if (!bytePerValue) {
    // packed forms cost under a byte a value when narrow, so never where bytePerValue is asked
    const deltaWidth = packedWidth(maxDelta);
    const valueWidth = anyNegative ? Infinity : packedWidth(maxValue);
    const packedDeltas = packedSize(PackedKind.Deltas, deltaWidth, n, m[0]!);
    const packedValues = packedSize(PackedKind.Values, valueWidth, n, 0);
    const packed = Math.min(packedDeltas, packedValues);
    if (packed <= best * PACKED_SLACK && packed + 1 < n * 8) {
      w.byte(FloatMode.DecimalPacked);
      w.byte(e);
      if (packedValues <= packedDeltas) writePacked(w, m, n, PackedKind.Values, valueWidth);
      else writePacked(w, m, n, PackedKind.Deltas, deltaWidth);
      return;
    }
  }
  // raw never loses more than the mode and exponent bytes, and it is the fastest to decode
  if (best + 1 >= n * 8) return writeRaw(w, values, n);
  w.byte(mode);
  w.byte(e);
  w.ensure(best);
  const buf = w.raw;
  let at = w.pos;
  if (mode === FloatMode.DecimalUnsigned) {
    for (let i = 0; i < n; i++) at = putVarint(buf, at, m[i]!);
  } else if (mode === FloatMode.DecimalDelta) {
    prev = 0;
    for (let i = 0; i < n; i++) {
      const mi = m[i]!;
      at = putVarint(buf, at, zigzag(mi - prev));
      prev = mi;
    }
  } else {
    at = putVarint(buf, at, runs);
    prev = 0;
    let i = 0;
    while (i < n) {
      const delta = m[i]! - prev;
      let j = i + 1;
      while (j < n && m[j]! - m[j - 1]! === delta) j++;
      at = putVarint(buf, at, zigzag(delta));
      at = putVarint(buf, at, j - i - 1);
      prev = m[j - 1]!;
      i = j;
    }
  }
  w.pos = at;
}

/** Reads a column written by encodeFloatColumn into `out[0..n)`. */
export function decodeFloatColumn(r: ByteReader, out: Float64Array, n: number): void {
  const mode = r.byte();
  if (mode === FloatMode.Raw) {
    if (r.remaining < n * 8) throw corrupt('truncated raw column');
    if (LITTLE_ENDIAN) {
      // the value is little-endian float64s: on a little-endian host that is a plain byte copy
      new Uint8Array(out.buffer, out.byteOffset, n * 8).set(r.bytes(n * 8));
    } else {
      for (let i = 0; i < n; i++) out[i] = r.float64();
    }
    return;
  }
  if (mode === FloatMode.Constant) {
    out.fill(r.float64(), 0, n);
    return;
  }
  if (mode < FloatMode.DecimalDelta || mode > FloatMode.DecimalPacked) throw corrupt(`unknown column mode ${mode}`);
  const e = r.byte();
  if (e > MAX_DECIMAL_EXPONENT) throw corrupt(`decimal exponent ${e}`);
  const p = POW10[e]!;
  if (mode === FloatMode.DecimalDeltaRuns) return decodeRuns(r, out, n, p);
  if (mode === FloatMode.DecimalPacked) return decodePacked(r, out, n, p);
  // every value takes at least one byte: refuse before looping on a count the bytes cannot hold
  if (r.remaining < n) throw corrupt('truncated decimal column');
  const buf = r.buf;
  const end = r.end;
  let at = r.pos;
  if (mode === FloatMode.DecimalUnsigned) {
    for (let i = 0; i < n; i++) {
      if (at >= end) throw corrupt('truncated decimal column');
      let x = buf[at]!;
      if (x < 0x80) at++;
      else if (at + 1 < end && buf[at + 1]! < 0x80) (x = (x & 0x7f) | (buf[at + 1]! << 7)), (at += 2);
      else if (at + 2 < end && buf[at + 2]! < 0x80) (x = (x & 0x7f) | ((buf[at + 1]! & 0x7f) << 7) | (buf[at + 2]! << 14)), (at += 3);
      else (r.pos = at), (x = r.varint()), (at = r.pos);
      out[i] = x / p;
    }
  } else {
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (at >= end) throw corrupt('truncated decimal column');
      let x = buf[at]!;
      if (x < 0x80) at++;
      else if (at + 1 < end && buf[at + 1]! < 0x80) (x = (x & 0x7f) | (buf[at + 1]! << 7)), (at += 2);
      else if (at + 2 < end && buf[at + 2]! < 0x80) (x = (x & 0x7f) | ((buf[at + 1]! & 0x7f) << 7) | (buf[at + 2]! << 14)), (at += 3);
      else (r.pos = at), (x = r.varint()), (at = r.pos);
      m += unzigzag(x);
      out[i] = m / p;
    }
  }
  r.pos = at;
}

function decodeRuns(r: ByteReader, out: Float64Array, n: number, p: number): void {
  const runs = r.varint();
  // a run takes at least two bytes and at least one row
  if (runs > n || runs * 2 > r.remaining) throw corrupt(`${runs} runs`);
  let i = 0;
  let m = 0;
  for (let k = 0; k < runs; k++) {
    const delta = r.zigzag();
    const end = i + r.varint() + 1;
    if (end > n) throw corrupt('runs longer than the block');
    for (; i < end; i++) {
      m += delta;
      out[i] = m / p;
    }
  }
  if (i !== n) throw corrupt('runs shorter than the block');
}
