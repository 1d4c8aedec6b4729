/**
 * Trade ids in the cheapest exact form their block allows (one kind byte, then the ids):
 * - NUMERIC: the `numeric` kind, as a float column (Binance/OKX ids are consecutive integers, so
 *   the zigzag deltas are mostly 1 byte each).
 * - DIGITS: `string` ids that are all canonical decimal integers of up to 24 digits (Upbit's 17-digit
 *   sequential_id, Bybit spot's 19-digit ids): above 2^53, so held as (high, low 9 digits) pairs and
 *   stored as a first pair plus zigzag deltas of the whole value. No BigInt: it is several times
 *   slower and the deltas fit a double anyway (a block whose deltas do not falls back to UTF8).
 * - UUID: every id a lowercase canonical 8-4-4-4-12 UUID (Bybit derivatives): 16 bytes instead of 36.
 *   One uppercase letter anywhere and the block is UTF8, so ids come back exactly as the venue wrote them.
 * - UTF8: length-prefixed UTF-8 for anything else.
 * - UTF16: raw code units, only for ids holding an unpaired surrogate (UTF-8 cannot carry one).
 */
import type { TradeIdColumn } from './columns.js';
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { putVarint, varintLength, zigzag } from './varint.js';
import { corrupt } from './corrupt.js';
import { decodeFloatColumn, encodeFloatColumn } from './float-column.js';

const Kind = { Numeric: 0, Digits: 1, Uuid: 2, Utf8: 3, Utf16: 4 } as const;

const SURROGATE = /[\uD800-\uDFFF]/;
/** the low part of a DIGITS id holds its last 9 digits */
const LOW = 1e9;
/** a high part is at most 15 digits (24 - 9) */
const MAX_HIGH = 1e15;
/** deltas stay below 2^52 so their zigzag form is exact */
const MAX_DELTA = 2 ** 52;

export function encodeIdColumn(w: ByteWriter, ids: TradeIdColumn, n: number): void {
  if (ids.kind === 'numeric') {
    w.byte(Kind.Numeric);
    encodeFloatColumn(w, ids.values, n);
    return;
  }
  const values = ids.values;
  if (n > 0 && encodeUuids(w, values, n)) return;
  if (n > 0 && encodeDigits(w, values, n)) return;
  if (values.slice(0, n).some((s) => SURROGATE.test(s) && !isWellFormed(s))) return encodeUtf16(w, values, n);
  encodeUtf8(w, values, n);
}

/** `numeric`: where numeric ids go (n entries; see column-memory.ts), unused when the ids are text */
export function decodeIdColumn(r: ByteReader, n: number, numeric: Float64Array): TradeIdColumn {
  const kind = r.byte();
  switch (kind) {
    case Kind.Numeric: {
      const values = numeric;
      decodeFloatColumn(r, values, n);
      return { kind: 'numeric', values };
    }
    case Kind.Digits:
      return { kind: 'string', values: decodeDigits(r, n) };
    case Kind.Uuid:
      return { kind: 'string', values: decodeUuids(r, n) };
    case Kind.Utf8:
      return { kind: 'string', values: decodeUtf8(r, n) };
    case Kind.Utf16:
      return { kind: 'string', values: decodeUtf16(r, n) };
    default:
      throw corrupt(`unknown id kind ${kind}`);
  }
}

/** true when every surrogate in `s` is part of a pair (String.prototype.isWellFormed is not in ES2023 typings) */
function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

// --- DIGITS ---

/** the parsed id of `parseDigits`, kept in two module slots instead of a tuple per id */
let parsedHigh = 0;
let parsedLow = 0;

/**
 * Parses a canonical decimal id of 1..24 digits (no sign, no leading zero but "0") into
 * parsedHigh/parsedLow; false for anything else, which then stays text.
 */
function parseDigits(s: string): boolean {
  const len = s.length;
  if (len === 0 || len > 24 || (len > 1 && s.charCodeAt(0) === 0x30)) return false;
  const split = len - 9;
  let high = 0;
  let low = 0;
  for (let k = 0; k < len; k++) {
    const d = s.charCodeAt(k) - 0x30;
    if (d < 0 || d > 9) return false;
    if (k < split) high = high * 10 + d;
    else low = low * 10 + d;
  }
  parsedHigh = high;
  parsedLow = low;
  return true;
}

/** false (nothing written) when an id is not canonical digits or a delta is too large to be exact */
function encodeDigits(w: ByteWriter, values: readonly string[], n: number): boolean {
  const start = w.pos;
  if (!parseDigits(values[0]!)) return false;
  let high = parsedHigh;
  let low = parsedLow;
  w.byte(Kind.Digits);
  w.varint(high);
  w.varint(low);
  w.ensure(n * 8);
  const buf = w.raw;
  let at = w.pos;
  for (let i = 1; i < n; i++) {
    if (!parseDigits(values[i]!)) {
      w.pos = start;
      return false;
    }
    const delta = (parsedHigh - high) * LOW + (parsedLow - low);
    if (!(Math.abs(delta) < MAX_DELTA)) {
      w.pos = start;
      return false;
    }
    at = putVarint(buf, at, zigzag(delta));
    high = parsedHigh;
    low = parsedLow;
  }
  w.pos = at;
  return true;
}

function decodeDigits(r: ByteReader, n: number): string[] {
  if (n === 0) throw corrupt('digit ids in an empty block');
  // the first id takes two varints and every further one at least a byte
  if (r.remaining < n + 1) throw corrupt('truncated digit ids');
  let high = r.varint();
  let low = r.varint();
  if (high >= MAX_HIGH || low >= LOW) throw corrupt('digit id out of range');
  const out = new Array<string>(n);
  // ids of a block share their high digits for long stretches: convert them once per change
  let highText = String(high);
  let textHigh = high;
  out[0] = high === 0 ? String(low) : highText + String(LOW + low).slice(1);
  for (let i = 1; i < n; i++) {
    const d = r.zigzag();
    const t = low + d;
    const carry = Math.floor(t / LOW);
    low = t - carry * LOW;
    high += carry;
    if (high === 0) {
      out[i] = String(low);
      continue;
    }
    if (high !== textHigh) {
      if (high < 0 || high >= MAX_HIGH) throw corrupt('digit id out of range');
      highText = String(high);
      textHigh = high;
    }
    // LOW + low has ten digits, a leading 1 then low zero-padded to nine
    out[i] = highText + String(LOW + low).slice(1);
  }
  return out;
}

// --- UUID ---

const HEX_PAIRS: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** value of a lowercase hex digit's char code, -1 for anything else (uppercase included) */
const HEX_VALUE = Int8Array.from({ length: 128 }, (_, c) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1));

/**
 * Validates and packs in one pass (a regex first would read every id twice); false, with nothing
 * written, at the first id that is not a lowercase canonical UUID.
 */
function encodeUuids(w: ByteWriter, values: readonly string[], n: number): boolean {
  const start = w.pos;
  w.byte(Kind.Uuid);
  w.ensure(n * 16);
  const buf = w.raw;
  let p = w.pos;
  for (let i = 0; i < n; i++) {
    const s = values[i]!;
    if (s.length !== 36 || s.charCodeAt(8) !== 0x2d || s.charCodeAt(13) !== 0x2d || s.charCodeAt(18) !== 0x2d || s.charCodeAt(23) !== 0x2d) {
      w.pos = start;
      return false;
    }
    for (let k = 0; k < 36; k += 2) {
      if (k === 8 || k === 13 || k === 18 || k === 23) k++;
      const hi = HEX_VALUE[s.charCodeAt(k)] ?? -1;
      const lo = HEX_VALUE[s.charCodeAt(k + 1)] ?? -1;
      if ((hi | lo) < 0) {
        w.pos = start;
        return false;
      }
      buf[p++] = (hi << 4) | lo;
    }
  }
  w.pos = p;
  return true;
}

/** ASCII codes of the two hex digits of each byte value: [hi, lo] at 2b, 2b+1 */
const HEX_CODES = Uint8Array.from(HEX_PAIRS.join(''), (c) => c.charCodeAt(0));

function decodeUuids(r: ByteReader, n: number): string[] {
  const b = r.bytes(n * 16);
  // all ids' text into one latin1 buffer, then one slice per id: no string concatenation per id
  const text = Buffer.allocUnsafe(n * 36);
  const out = new Array<string>(n);
  for (let i = 0, p = 0, t = 0; i < n; i++, t += 36) {
    let q = t;
    for (let k = 0; k < 16; k++, p++) {
      if (k === 4 || k === 6 || k === 8 || k === 10) text[q++] = 0x2d;
      const x = b[p]! * 2;
      text[q++] = HEX_CODES[x]!;
      text[q++] = HEX_CODES[x + 1]!;
    }
    out[i] = text.toString('latin1', t, t + 36);
  }
  return out;
}

// --- UTF8 / UTF16 ---

const utf8 = new TextEncoder();

function encodeUtf8(w: ByteWriter, values: readonly string[], n: number): void {
  w.byte(Kind.Utf8);
  for (let i = 0; i < n; i++) {
    const s = values[i]!;
    const max = s.length * 3; // UTF-8 bytes per UTF-16 code unit, at most
    w.ensure(max + 8);
    const lengthAt = w.pos;
    // write the text behind room for the longest possible length varint, then the length, then
    // slide the text down: one pass over the string instead of measuring it first
    const reserve = varintLength(max);
    const { written } = utf8.encodeInto(s, w.raw.subarray(lengthAt + reserve, lengthAt + reserve + max));
    w.varint(written);
    w.raw.copyWithin(w.pos, lengthAt + reserve, lengthAt + reserve + written);
    w.pos += written;
  }
}

function decodeUtf8(r: ByteReader, n: number): string[] {
  if (r.remaining < n) throw corrupt('truncated string ids');
  const buf = Buffer.from(r.buf.buffer, r.buf.byteOffset, r.buf.byteLength);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const len = r.varint();
    if (len > r.remaining) throw corrupt('truncated string id');
    out[i] = buf.toString('utf8', r.pos, r.pos + len);
    r.pos += len;
  }
  return out;
}

function encodeUtf16(w: ByteWriter, values: readonly string[], n: number): void {
  w.byte(Kind.Utf16);
  for (let i = 0; i < n; i++) {
    const s = values[i]!;
    w.varint(s.length);
    w.ensure(s.length * 2);
    const buf = w.raw;
    let p = w.pos;
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      buf[p++] = c & 0xff;
      buf[p++] = c >>> 8;
    }
    w.pos = p;
  }
}

function decodeUtf16(r: ByteReader, n: number): string[] {
  if (r.remaining < n) throw corrupt('truncated string ids');
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const len = r.varint();
    const b = r.bytes(len * 2);
    let s = '';
    for (let k = 0; k < len; k++) s += String.fromCharCode(b[2 * k]! | (b[2 * k + 1]! << 8));
    out[i] = s;
  }
  return out;
}

