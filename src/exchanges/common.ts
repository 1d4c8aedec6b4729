/** Small pure helpers every adapter needs; one copy here instead of four. */
import { MalformedFrameError, type ControlMessage, type FrameFailureReason } from './types.js';
import { ownSlice } from './scan/own-slice.js';
import { asciiString } from './scan/byte-scan.js';

/** A field the kind requires that is absent is `missing-field`; one of the wrong form, `bad-field`. */
export function fieldReason(value: unknown): { reason: FrameFailureReason } {
  return { reason: value === undefined || value === null ? 'missing-field' : 'bad-field' };
}

/** The frame is JSON but not an object: no venue sends that, so it is as unreadable as bad JSON. */
export function notAnObject(): MalformedFrameError {
  return new MalformedFrameError('frame is not a JSON object', { reason: 'unreadable-json' });
}

/**
 * The largest frame a parser reads. Real frames are far below it: a Binance or Upbit event is
 * under 1 KB, a Bybit linear ticker snapshot ~0.7 KB, and the biggest batches we subscribe to —
 * Bybit `publicTrade` (up to ~1,000 trades per push in a burst) and OKX `trades` — stay near
 * 200 KB. Anything larger is not a market-data frame we asked for, and reading it would cost a
 * JSON.parse of unbounded size on the hot path.
 */
export const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * The text of a frame, checked against MAX_FRAME_BYTES before anything parses it.
 * WebSocket frames arrive as text or as binary (Upbit sends JSON inside binary frames).
 * A string needs at least one UTF-8 byte per UTF-16 unit and at most three, so only a string
 * between a third of the limit and the limit has its exact byte length computed.
 */
export function frameText(frame: string | Buffer): string {
  if (typeof frame === 'string') {
    const units = frame.length;
    if (units > MAX_FRAME_BYTES || (units * 3 > MAX_FRAME_BYTES && Buffer.byteLength(frame, 'utf8') > MAX_FRAME_BYTES)) {
      throw new MalformedFrameError(`frame over ${MAX_FRAME_BYTES} bytes`, { reason: 'too-large' });
    }
    return frame;
  }
  if (frame.length > MAX_FRAME_BYTES) throw new MalformedFrameError(`frame of ${frame.length} bytes is over ${MAX_FRAME_BYTES}`, { reason: 'too-large' });
  return frame.toString('utf8');
}

/**
 * The control messages of a data frame: none. One frozen array shared by every parse result
 * instead of a fresh `[]` per frame (one allocation less per frame on the hot path).
 */
export const NO_CONTROL: readonly ControlMessage[] = Object.freeze([]);

/** JSON.parse that reports a bad frame as MalformedFrameError instead of a SyntaxError. */
export function parseJsonFrame(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new MalformedFrameError(`not JSON: ${text.slice(0, 80)}`, { cause, reason: 'unreadable-json' });
  }
}

/** Longest exchange error text carried into a rejection reason. */
export const MAX_REASON_LENGTH = 300;

/**
 * A short, safe description of a wire value for error texts and rejection reasons. Never calls
 * a value's own `toString`: a frame can carry `{"toString":1}`, and String() of that throws a
 * TypeError instead of the MalformedFrameError the caller counts.
 */
export function preview(value: unknown, maxLength = 40): string {
  switch (typeof value) {
    case 'string':
      return value.length > maxLength ? `${value.slice(0, maxLength)}…` : value;
    case 'number':
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'undefined';
    default:
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
  }
}

/*
 * Numbers on the wire — the one rule all four parsers (and the REST row mappers) follow.
 *
 * Exchanges document some fields as JSON numbers (Binance `T`, `t`, `E`; Upbit prices and ids;
 * Bybit `ts`) and others as decimal strings (Binance and Bybit prices; OKX everything, timestamps
 * included). A parser accepts either form for either kind of field, as long as reading it cannot
 * be wrong — lenient, never wrong:
 * - a JSON number must be finite (JSON.parse reads `1e999` as Infinity);
 * - a numeric string must be plain decimal notation, as exchanges write it: an optional `-`,
 *   digits, an optional fraction and exponent (`"26150.40"`, `"-0.5"`, `"1e-8"`), at most
 *   MAX_NUMBER_TEXT characters, and finite. Refused: `""`, `" 1"`, `"1 "`, `"+1"`, `".5"`,
 *   `"0x1A"`, `"0b1"`, `"NaN"`, `"Infinity"`, `"1e999"`, `"1,5"` — Number() would read some of
 *   them, but no exchange writes them, so they mean a broken or hostile frame;
 * - a timestamp must be a safe integer (≤ 2^53 − 1), ms since epoch and > 0; a string must be
 *   canonical (`"1690000000120"`; not `"01"`, `"1.0"`, `"1e3"`);
 * - a sequential trade id is kept as its exact decimal string, never through a JS number: a
 *   canonical digit string as sent, a safe JSON number as written, and a JSON number above 2^53
 *   (already rounded by JSON.parse; Upbit's 17-digit ids) from the digits in the raw text
 *   (integerId with rawIntegerField / rawIntegerFields), so that one trade read live and again
 *   by REST gets the same id, and neighbouring ids stay distinct;
 * - booleans, objects, arrays and null are never numbers (optNum: null, absent and `""` mean "not
 *   sent"). Every refusal is a MalformedFrameError.
 * Value ranges (price > 0, clock skew) are the pipeline's validation, not the parser's.
 */

/** Longest numeric string read; real ones are under 25 characters. */
const MAX_NUMBER_TEXT = 64;

/** 10^0 … 10^15, each exactly representable as a double. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** Most digits whose integer stays exact in a double (10^15 < 2^53). */
const EXACT_DIGITS = 15;

/**
 * NaN unless `s` is plain decimal notation (see above). No regex: this runs for every price and
 * amount. The common form — `[-]digits[.digits]` with at most 15 digits, no exponent — is read
 * here in one pass: its digits form an exact integer m < 2^53 and, with f fraction digits, the
 * value is m / 10^f, one IEEE division of two exact doubles, so correctly rounded: the very double
 * Number(s) returns (the classic exact fast path of decimal-to-binary conversion). It halved the
 * cost of reading a price (≈80 → ≈25 ns) against checking the form, then Number(). Anything else
 * (an exponent, more digits, a stray character) takes the checks and Number() below.
 */
function decimalText(s: string): number {
  return decimalIn(s, 0, s.length);
}

/**
 * decimalText of `text.slice(start, end)`, without the slice: the frame scanners read a price in
 * place, inside the frame text (one string allocation less per price). The same code reads both,
 * so a price read in place is the very double a parsed field gives.
 */
export function decimalIn(text: string, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len > MAX_NUMBER_TEXT) return NaN;
  const negative = text.charCodeAt(start) === 45; /* '-' */
  let i = negative ? start + 1 : start;
  let m = 0;
  let digits = 0;
  let dot = -1;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 /* '.' */ && dot < 0) {
      dot = i;
    } else break;
  }
  // a whole string read, at least one digit, the last character a digit (not '1.'), the first
  // a digit or '-' (not '.5'), and few enough digits to be exact
  if (i === end && digits > 0 && digits <= EXACT_DIGITS && dot !== end - 1 && dot !== start) {
    const value = dot < 0 ? m : m / (POW10[end - 1 - dot] as number);
    return negative ? -value : value;
  }
  const first = text.charCodeAt(start);
  const last = text.charCodeAt(end - 1);
  // digit or '-' first and a digit last rules out padding, '+', '.5', 'NaN', 'Infinity'
  if (!((first >= 48 && first <= 57) || first === 45) || last < 48 || last > 57) return NaN;
  if (len > 2) {
    // Number() also reads 0x / 0o / 0b literals: a decimal never has x, o or b second
    const second = text.charCodeAt(start + 1) | 0x20;
    if (second === 0x78 || second === 0x6f || second === 0x62) return NaN;
  }
  return Number(text.slice(start, end));
}

/**
 * decimalIn of the ASCII bytes [start, end) of a frame (the byte scanners, scan/byte-scan.ts):
 * the same one-pass exact form, and for anything else the same checks and Number() on the text of
 * those bytes, so a price read from bytes is the very double the JSON path gives. Kept beside
 * decimalIn rather than behind one accessor: this runs twice per trade, and reading a string and
 * a byte array through one indirection made both slower.
 */
export function decimalBytes(b: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len > MAX_NUMBER_TEXT) return NaN;
  const negative = b[start] === 45; /* '-' */
  let i = negative ? start + 1 : start;
  let m = 0;
  let digits = 0;
  let dot = -1;
  for (; i < end; i++) {
    const c = b[i] as number;
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 /* '.' */ && dot < 0) {
      dot = i;
    } else break;
  }
  if (i === end && digits > 0 && digits <= EXACT_DIGITS && dot !== end - 1 && dot !== start) {
    const value = dot < 0 ? m : m / (POW10[end - 1 - dot] as number);
    return negative ? -value : value;
  }
  return decimalIn(asciiString(b, start, end), 0, len);
}

/** A finite number from a field that may be a JSON number or a decimal string. */
export function num(value: unknown, field: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? decimalText(value) : NaN;
  if (!Number.isFinite(n)) throw new MalformedFrameError(`field ${field} is not a number: ${preview(value)}`, fieldReason(value));
  return n;
}

/** Like num, but undefined when the field is absent or empty (a field not sent is never invented). */
export function optNum(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return num(value, field);
}

/** A safe integer from a JSON number or a canonical integer string; NaN otherwise. */
function safeInteger(value: unknown): number {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : NaN;
  if (typeof value !== 'string' || value.length === 0 || value.length > 16) return NaN;
  const n = Number(value);
  // String(n) === value only for the canonical form: no sign '+', no leading zeros, no exponent
  return Number.isSafeInteger(n) && String(n) === value ? n : NaN;
}

/** An exchange timestamp: ms since epoch, a positive safe integer (number or canonical string). */
export function timestampMs(value: unknown, field: string): number {
  const n = safeInteger(value);
  if (!(n > 0)) throw new MalformedFrameError(`field ${field} is not a timestamp: ${preview(value)}`, fieldReason(value));
  return n;
}

/** Longest trade id kept: ids end up inside store keys (LMDB keys are at most ~2 KB). */
export const MAX_ID_LENGTH = 128;

/** Longest integer id read (Upbit's have 17 digits today; room for growth, bounded for store keys). */
const MAX_INTEGER_ID_DIGITS = 40;

/** `"0"` or digits without a leading zero, at most MAX_INTEGER_ID_DIGITS: the one written form of an id. */
function canonicalDigits(s: string): boolean {
  const len = s.length;
  if (len === 0 || len > MAX_INTEGER_ID_DIGITS) return false;
  if (s.charCodeAt(0) === 48 /* '0' */) return len === 1;
  for (let k = 0; k < len; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * True when JSON.parse has read an integer id as a number it could not hold exactly (above
 * 2^53 − 1): its digits must then come from the frame's own text (rawIntegerField).
 */
export function needsRawDigits(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value) && value > 0;
}

/**
 * A sequential integer trade id (Binance `t`/`a`, Upbit `sequential_id`), as its exact decimal
 * string: a canonical digit string, or a JSON number. A number above 2^53 was rounded by
 * JSON.parse (Upbit's 17-digit `17883351803770004` reads as …4000): it is taken only with
 * `rawDigits`, the digits the frame's text holds for it, and only when they read back as the
 * same number (so digits found for another field are never taken).
 */
export function integerId(value: unknown, field: string, rawDigits?: string): string {
  if (typeof value === 'string') {
    if (canonicalDigits(value)) return value;
  } else if (typeof value === 'number' && value >= 0) {
    if (Number.isSafeInteger(value)) return String(value);
    if (rawDigits !== undefined && canonicalDigits(rawDigits) && Number(rawDigits) === value) return rawDigits;
  }
  throw new MalformedFrameError(`field ${field} is not an integer id: ${preview(value)}`, fieldReason(value));
}

/**
 * The digits of the integer JSON number that the raw JSON text gives `key` at its last
 * occurrence (JSON.parse keeps a repeated key's last value), or undefined. A scan with
 * lastIndexOf, no regex and no reviver: it runs only for the ids JSON.parse rounded
 * (needsRawDigits), and a `"key":` inside a string value cannot match, its quotes being escaped.
 */
export function rawIntegerField(text: string, key: string): string | undefined {
  const needle = `"${key}"`;
  let at = text.lastIndexOf(needle);
  while (at >= 0) {
    const digits = digitsAfterKey(text, at + needle.length);
    if (digits !== undefined) return digits;
    at = at === 0 ? -1 : text.lastIndexOf(needle, at - 1);
  }
  return undefined;
}

/**
 * The digits of every integer JSON number given to `key` in the raw JSON text, in text order:
 * one per row of a REST array of flat objects (Upbit trades/ticks), matched to the rows by
 * position. Keys whose value is not a plain integer (a string, a fraction) are left out.
 */
export function rawIntegerFields(text: string, key: string): string[] {
  const needle = `"${key}"`;
  const out: string[] = [];
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) {
    const digits = digitsAfterKey(text, at + needle.length);
    if (digits !== undefined) out.push(digits);
  }
  return out;
}

/** After a key's closing quote: optional whitespace, ':', optional whitespace, then the digits of an integer that ends there. */
function digitsAfterKey(text: string, pos: number): string | undefined {
  const len = text.length;
  while (pos < len && isJsonSpace(text.charCodeAt(pos))) pos++;
  if (text.charCodeAt(pos) !== 58 /* ':' */) return undefined;
  pos++;
  while (pos < len && isJsonSpace(text.charCodeAt(pos))) pos++;
  const start = pos;
  while (pos < len) {
    const c = text.charCodeAt(pos);
    if (c < 48 || c > 57) break;
    pos++;
  }
  if (pos === start) return undefined;
  // a fraction or exponent follows: not an integer id
  const next = text.charCodeAt(pos);
  if (next === 46 /* . */ || next === 101 /* e */ || next === 69 /* E */) return undefined;
  // a copy of its own: a 17-digit slice would be a view keeping the whole frame alive (ownSlice)
  return ownSlice(text, start, pos);
}

function isJsonSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * An opaque trade id (Bybit `i`: UUID-like or digits; OKX `tradeId`): a non-empty string up to
 * MAX_ID_LENGTH, or a JSON number that is a non-negative safe integer — a larger one was rounded
 * by JSON.parse and would name another trade.
 */
export function tradeId(value: unknown, field: string): string {
  if (typeof value === 'string') {
    if (value.length > 0 && value.length <= MAX_ID_LENGTH) return value;
  } else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    return String(value);
  }
  throw new MalformedFrameError(`field ${field} is not a trade id: ${preview(value)}`, fieldReason(value));
}

/** A non-empty string field (symbols, codes, topics). Numbers are not strings here. */
export function str(value: unknown, field: string): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new MalformedFrameError(`field ${field} is missing or not a string: ${preview(value)}`, fieldReason(value));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Quote assets, longest first, to split a concatenated id like `BTCUSDT` when no instrument table is at hand. */
const KNOWN_QUOTES = [
  'FDUSD', 'USDT', 'USDC', 'TUSD', 'BUSD', 'USDE', 'DAI', 'EUR', 'TRY', 'BRL', 'GBP', 'JPY', 'KRW',
  'BTC', 'ETH', 'BNB', 'USD',
];

/** `BTCUSDT` → `{ base: 'BTC', quote: 'USDT' }`; undefined when no known quote ends the id. */
export function splitConcatenated(nativeId: string): { base: string; quote: string } | undefined {
  const upper = nativeId.toUpperCase();
  for (const quote of KNOWN_QUOTES) {
    if (upper.length > quote.length && upper.endsWith(quote)) {
      return { base: upper.slice(0, -quote.length), quote };
    }
  }
  return undefined;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new RangeError(`chunk size must be >= 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Longest native instrument id read from a frame (real ones: under 30 characters). */
export const MAX_NATIVE_ID_LENGTH = 64;

/**
 * Guessed symbols remembered per parser. A connection sees its own group's ids; a stream of
 * ever-new ids (hostile or broken) must not grow memory without bound, so past this many the
 * guess is still made, just not kept.
 */
export const MAX_GUESSED_SYMBOLS = 4096;

/**
 * An id from a frame becomes part of a unified symbol and of store keys: it must be short and
 * free of whitespace and control characters. Any other character is allowed (Binance lists
 * non-ASCII symbols). Runs once per id not yet seen, never per frame.
 */
function checkNativeId(nativeId: string): void {
  const len = nativeId.length;
  if (len === 0 || len > MAX_NATIVE_ID_LENGTH) throw new MalformedFrameError(`instrument id of ${len} characters`);
  for (let k = 0; k < len; k++) {
    const c = nativeId.charCodeAt(k);
    if (c <= 0x20 || c === 0x7f) throw new MalformedFrameError(`instrument id with a control or space character: ${preview(nativeId)}`);
  }
}

/**
 * The listed part of a symbol mapper's table, one per instrument list: a venue's connections all get
 * the same list (the venue runtime hands out one array per listing), so 25 connections of a
 * 5,000-symbol venue share one 5,000-entry Map instead of holding 25 copies (~0.2 MB each). Weak:
 * the table goes with its listing.
 */
const listedTables = new WeakMap<readonly { nativeId: string; symbol: string }[], ReadonlyMap<string, string>>();

function listedTable(instruments: readonly { nativeId: string; symbol: string }[]): ReadonlyMap<string, string> {
  let table = listedTables.get(instruments);
  if (table === undefined) {
    const t = new Map<string, string>();
    for (const i of instruments) t.set(i.nativeId, i.symbol);
    listedTables.set(instruments, (table = t));
  }
  return table;
}

/**
 * Maps native ids to unified symbols, with a fallback guess for ids missing from the table.
 * A Map, never a plain object: ids such as `__proto__` or `constructor` are just keys.
 * The listed ids' table is shared by every mapper of the same instrument list; guesses are this
 * mapper's own (bounded by MAX_GUESSED_SYMBOLS).
 */
export function symbolMapper(
  instruments: readonly { nativeId: string; symbol: string }[] | undefined,
  guess: (nativeId: string) => string,
): (nativeId: string) => string {
  const table: ReadonlyMap<string, string> = instruments === undefined ? new Map() : listedTable(instruments);
  const guessed = new Map<string, string>();
  return (nativeId) => {
    let symbol = table.get(nativeId);
    if (symbol === undefined) {
      symbol = guessed.get(nativeId);
      if (symbol === undefined) {
        checkNativeId(nativeId);
        symbol = guess(nativeId);
        if (guessed.size < MAX_GUESSED_SYMBOLS) guessed.set(nativeId, symbol);
      }
    }
    return symbol;
  };
}

/**
 * Order of two decimal trade ids kept as exact strings (no leading zeros): the longer is the
 * larger, then lexical. Exact beyond 2^53, where Number() would round neighbours together.
 */
export function compareDecimalIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
