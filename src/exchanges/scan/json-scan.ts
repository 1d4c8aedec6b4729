/**
 * Primitives of the hand-written frame scanners (the fast paths that read a venue's common trade
 * frame without JSON.parse). Each reads one JSON token of the frame text at a position and
 * returns the index just past it, or -1 when the token is not one the scanners take — which never
 * means "bad frame", only "let JSON.parse read this one". So they accept a strict subset of JSON:
 * strings without escapes, numbers in JSON's grammar, true/false/null, no whitespace anywhere.
 * Everything else (escapes, whitespace, nested values, truncation) is left to JSON.parse, whose
 * results and error messages stay the reference.
 */

export const QUOTE = 34; // "
export const COMMA = 44; // ,
export const COLON = 58; // :
export const OPEN_BRACE = 123; // {
export const CLOSE_BRACE = 125; // }
export const OPEN_BRACKET = 91; // [
export const CLOSE_BRACKET = 93; // ]

/**
 * Index just past the closing quote of the string whose opening quote is at `start`; -1 when it
 * holds a backslash (its value would differ from its text) or a raw control character (invalid
 * JSON: JSON.parse must produce the error), or is not terminated.
 */
export function stringEnd(text: string, start: number): number {
  const len = text.length;
  for (let i = start + 1; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c === 92 /* \ */ || c < 0x20) return -1;
  }
  return -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Index just past the JSON number at `start` (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`), or -1. */
export function numberEnd(text: string, start: number): number {
  let i = start;
  if (text.charCodeAt(i) === 45 /* - */) i++;
  const first = text.charCodeAt(i);
  if (first === 48 /* 0 */) i++;
  else if (first >= 49 && first <= 57) {
    i++;
    while (isDigit(text.charCodeAt(i))) i++;
  } else return -1;
  if (text.charCodeAt(i) === 46 /* . */) {
    i++;
    if (!isDigit(text.charCodeAt(i))) return -1;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69 /* e E */) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 43 || sign === 45 /* + - */) i++;
    if (!isDigit(text.charCodeAt(i))) return -1;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}

/** Index just past the scalar at `start` — a string, number, true, false or null — or -1 (objects and arrays included). */
export function scalarEnd(text: string, start: number): number {
  const c = text.charCodeAt(start);
  if (c === QUOTE) return stringEnd(text, start);
  if (c === 116 /* t */) return text.startsWith('true', start) ? start + 4 : -1;
  if (c === 102 /* f */) return text.startsWith('false', start) ? start + 5 : -1;
  if (c === 110 /* n */) return text.startsWith('null', start) ? start + 4 : -1;
  return numberEnd(text, start);
}

/**
 * Index just past an unsigned integer id written as digits — `0` or digits without a leading zero,
 * at most `maxDigits` — that is a whole JSON number (no fraction or exponent follows); -1 otherwise.
 * Its text is then the id, exactly as the JSON.parse path keeps it (common.ts integerId).
 */
export function integerIdEnd(text: string, start: number, maxDigits: number): number {
  let i = start;
  const first = text.charCodeAt(i);
  if (first === 48 /* 0 */) i++;
  else if (first >= 49 && first <= 57) {
    i++;
    while (isDigit(text.charCodeAt(i))) i++;
  } else return -1;
  if (i - start > maxDigits) return -1;
  const next = text.charCodeAt(i);
  if (next === 46 || next === 101 || next === 69 /* . e E */) return -1;
  return i;
}

/** Most digits of a timestamp read here: any 15-digit integer is exact and safe (10^15 < 2^53). */
const MAX_TIMESTAMP_DIGITS = 15;

/**
 * The positive integer written as plain digits (no leading zero, at most 15) from `start` to
 * `end`, or -1 — what common.ts timestampMs accepts from such a JSON number. Longer or other forms
 * (`1.69e12`, 16 digits) are left to the JSON.parse path.
 */
export function positiveIntegerIn(text: string, start: number, end: number): number {
  const digits = end - start;
  if (digits === 0 || digits > MAX_TIMESTAMP_DIGITS) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - 48);
  }
  return n > 0 && text.charCodeAt(start) !== 48 ? n : -1;
}

/** True when the `length` characters at `a` and at `b` are the same (no slice to compare). */
export function sameText(text: string, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  return true;
}

/** True when the key from `i` (its opening quote) to `keyEnd` (past its closing quote) is `quoted` (`'"name"'`). */
export function isKey(text: string, i: number, keyEnd: number, quoted: string): boolean {
  return keyEnd - i === quoted.length && text.startsWith(quoted, i);
}

/** V8 makes a slice of at least this many characters a view into its parent string (SlicedString). */
const SLICE_VIEW_MIN_LENGTH = 13;

/**
 * `text.slice(start, end)` as a string that does not keep `text` alive. V8 makes a longer slice a
 * view into its parent, so an id sliced from a frame would keep the whole frame in memory for as
 * long as the id lives — and ids live on in the dedup window (thousands per symbol; a Bybit frame
 * can be ~200 KB). Prefixing a character builds a cons string, and slicing that flattens it into a
 * fresh copy first: the result keeps that copy (one character longer), not the frame. Measured:
 * 2,000 ids of 36 characters from 100 KB frames kept 203 MB of heap as plain slices, 3 MB this way.
 * Shorter slices are copies already.
 */
export function ownSlice(text: string, start: number, end: number): string {
  const s = text.slice(start, end);
  return end - start < SLICE_VIEW_MIN_LENGTH ? s : (' ' + s).slice(1);
}
