/**
 * Primitives of the hand-written frame scanners (the fast paths that read a venue's common frames
 * without JSON.parse), over the frame's UTF-8 bytes as they came off the socket: a frame is read
 * in place, between `start` and `stop` inside the socket's chunk, and never decoded into a string
 * (docs/architecture.md#websocket-client says why).
 *
 * Each reads one JSON token at a position and returns the index just past it, or -1 when the token
 * is not one the scanners take — which never means "bad frame", only "let JSON.parse read this
 * one". So they accept a strict subset of JSON: strings of printable ASCII without escapes,
 * numbers in JSON's grammar, true/false/null, no whitespace anywhere. Everything else (escapes,
 * any byte ≥ 0x80 outside an instrument id, whitespace, nested values, truncation) is left to the
 * JSON path, whose results, error messages and UTF-8 check stay the reference. A frame a scanner
 * takes is therefore ASCII apart from ids checked well-formed (utf8StringEnd), so valid UTF-8.
 *
 * Reads past `stop` return -1 or fail the caller's next check (a typed array reads `undefined`
 * past its end, and the scanners require the frame's last token to end exactly at `stop`).
 */

export const QUOTE = 34; // "
export const COMMA = 44; // ,
export const COLON = 58; // :
export const OPEN_BRACE = 123; // {
export const CLOSE_BRACE = 125; // }
export const OPEN_BRACKET = 91; // [
export const CLOSE_BRACKET = 93; // ]

/**
 * A frame given as text, as the bytes a scanner reads (a test's socket, the CLI, a frame the live
 * path decoded). Undefined for text with a lone surrogate: it has no UTF-8 bytes (encoding makes it
 * U+FFFD), so the JSON path reads it as it is. Off a socket no such text exists.
 */
export function scannableBytes(text: string): Buffer | undefined {
  // String.prototype.isWellFormed: ES2024, in Node 20; the project's lib is ES2023
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed() ? Buffer.from(text) : undefined;
}

/** A literal's bytes, for `literalAt` (ASCII only). */
export function literal(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** True when the bytes at `at` are `lit` and end by `stop`. */
export function literalAt(b: Uint8Array, at: number, stop: number, lit: Uint8Array): boolean {
  const n = lit.length;
  if (at + n > stop) return false;
  for (let k = 0; k < n; k++) if (b[at + k] !== lit[k]) return false;
  return true;
}

/**
 * Index just past the closing quote of the string whose opening quote is at `start`; -1 when it
 * holds a backslash (its value would differ from its bytes), a control character (invalid JSON:
 * JSON.parse must produce the error) or a byte ≥ 0x80 (UTF-8 the JSON path decodes and checks),
 * or is not terminated before `stop`.
 */
export function stringEnd(b: Uint8Array, start: number, stop: number): number {
  for (let i = start + 1; i < stop; i++) {
    const c = b[i] as number;
    if (c === QUOTE) return i + 1;
    if (c === 92 /* \ */ || c < 0x20 || c >= 0x80) return -1;
  }
  return -1;
}

/**
 * stringEnd for a string that may hold non-ASCII text (an instrument id such as Binance's
 * `币安人生USDT`): bytes ≥ 0x80 are taken when they form well-formed UTF-8 (RFC 3629: no overlong
 * form, no surrogate, nothing past U+10FFFF), so a frame a scanner takes stays valid UTF-8.
 */
export function utf8StringEnd(b: Uint8Array, start: number, stop: number): number {
  for (let i = start + 1; i < stop; i++) {
    const c = b[i] as number;
    if (c === QUOTE) return i + 1;
    if (c === 92 /* \ */ || c < 0x20) return -1;
    if (c < 0x80) continue;
    const n = utf8SequenceLength(b, i, stop);
    if (n === 0) return -1;
    i += n - 1;
  }
  return -1;
}

/** bytes of the well-formed UTF-8 sequence of more than one byte at `i`; 0 when it is not one */
function utf8SequenceLength(b: Uint8Array, i: number, stop: number): number {
  const c = b[i] as number;
  const tail = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < stop && (b[i + k] as number) >= lo && (b[i + k] as number) <= hi;
  if (c >= 0xc2 && c <= 0xdf) return tail(1) ? 2 : 0;
  if (c === 0xe0) return tail(1, 0xa0) && tail(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return tail(1) && tail(2) ? 3 : 0;
  if (c === 0xed) return tail(1, 0x80, 0x9f) && tail(2) ? 3 : 0;
  if (c === 0xf0) return tail(1, 0x90) && tail(2) && tail(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return tail(1) && tail(2) && tail(3) ? 4 : 0;
  if (c === 0xf4) return tail(1, 0x80, 0x8f) && tail(2) && tail(3) ? 4 : 0;
  return 0;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

/** Index just past the JSON number at `start` (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`), or -1. */
export function numberEnd(b: Uint8Array, start: number, stop: number): number {
  let i = start;
  if (b[i] === 45 /* - */) i++;
  const first = b[i];
  if (first === 48 /* 0 */) i++;
  else if (first !== undefined && first >= 49 && first <= 57) {
    i++;
    while (i < stop && isDigit(b[i])) i++;
  } else return -1;
  if (i < stop && b[i] === 46 /* . */) {
    i++;
    if (i >= stop || !isDigit(b[i])) return -1;
    while (i < stop && isDigit(b[i])) i++;
  }
  const e = i < stop ? b[i] : undefined;
  if (e === 101 || e === 69 /* e E */) {
    i++;
    const sign = b[i];
    if (sign === 43 || sign === 45 /* + - */) i++;
    if (i >= stop || !isDigit(b[i])) return -1;
    while (i < stop && isDigit(b[i])) i++;
  }
  return i;
}

const TRUE = literal('true');
const FALSE = literal('false');
const NULL = literal('null');

/** Index just past the scalar at `start` — a string, number, true, false or null — or -1 (objects and arrays included). */
export function scalarEnd(b: Uint8Array, start: number, stop: number): number {
  const c = b[start];
  if (c === QUOTE) return stringEnd(b, start, stop);
  if (c === 116 /* t */) return literalAt(b, start, stop, TRUE) ? start + 4 : -1;
  if (c === 102 /* f */) return literalAt(b, start, stop, FALSE) ? start + 5 : -1;
  if (c === 110 /* n */) return literalAt(b, start, stop, NULL) ? start + 4 : -1;
  return numberEnd(b, start, stop);
}

/**
 * Index just past an unsigned integer id written as digits — `0` or digits without a leading zero,
 * at most `maxDigits` — that is a whole JSON number (no fraction or exponent follows); -1 otherwise.
 * Its digits are then the id, exactly as the JSON.parse path keeps it (common.ts integerId).
 */
export function integerIdEnd(b: Uint8Array, start: number, stop: number, maxDigits: number): number {
  let i = start;
  const first = b[i];
  if (first === 48 /* 0 */) i++;
  else if (first !== undefined && first >= 49 && first <= 57) {
    i++;
    while (i < stop && isDigit(b[i])) i++;
  } else return -1;
  if (i - start > maxDigits) return -1;
  const next = i < stop ? b[i] : undefined;
  if (next === 46 || next === 101 || next === 69 /* . e E */) return -1;
  return i;
}

/** Most digits read as one exact integer: any 15-digit integer is exact and safe (10^15 < 2^53). */
export const MAX_EXACT_DIGITS = 15;

/**
 * The positive integer written as plain digits (no leading zero, at most 15) from `start` to
 * `end`, or -1 — what common.ts timestampMs accepts from such a JSON number. Longer or other forms
 * (`1.69e12`, 16 digits) are left to the JSON.parse path.
 */
export function positiveIntegerIn(b: Uint8Array, start: number, end: number): number {
  const digits = end - start;
  if (digits === 0 || digits > MAX_EXACT_DIGITS) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - 48);
  }
  return n > 0 && b[start] !== 48 ? n : -1;
}

/** True when the `length` bytes at `a` and at `c` are the same. */
export function sameBytes(b: Uint8Array, a: number, c: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (b[a + k] !== b[c + k]) return false;
  return true;
}

/** True when the key from `i` (its opening quote) to `keyEnd` (past its closing quote) is `quoted` (literal('"name"')). */
export function isKey(b: Uint8Array, i: number, keyEnd: number, quoted: Uint8Array): boolean {
  return keyEnd - i === quoted.length && literalAt(b, i, keyEnd, quoted);
}

/**
 * The ASCII bytes [start, end) as a string of their own (a fresh copy: it keeps no frame alive).
 * Node's latin1 slice of the bytes, which for ASCII is the text; asked of a plain Uint8Array (a
 * test's), the same through Buffer's prototype.
 */
export function asciiString(b: Uint8Array, start: number, end: number): string {
  return latin1Slice.call(b, start, end);
}

/** The UTF-8 bytes [start, end) — checked well-formed by utf8StringEnd — as their text. */
export function utf8String(b: Uint8Array, start: number, end: number): string {
  return utf8Slice.call(b, start, end);
}

type Slice = (this: Uint8Array, start: number, end: number) => string;
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: Slice }).latin1Slice;
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice: Slice }).utf8Slice;

/**
 * The digits [start, end) — a canonical integer of at most 15 digits (integerIdEnd's) — as the id
 * string: printed from the number they make, which for such digits is the same text, and cheaper
 * than slicing them out (measured: ~25 against ~50 ns).
 */
export function digitsString(b: Uint8Array, start: number, end: number): string {
  if (end - start > MAX_EXACT_DIGITS) return asciiString(b, start, end);
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + ((b[i] as number) - 48);
  return '' + n;
}
