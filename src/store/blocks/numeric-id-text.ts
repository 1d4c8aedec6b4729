/**
 * The text of a numeric trade id (columns.ts: a canonical integer of at most 15 digits), as
 * String(v) gives it, built faster. Above 2^31 an id is a heap double, and V8's double-to-string
 * costs ~130 ns; Binance's and OKX's ids are all there (4.8e9…). Split into its high digits (the
 * same for a billion consecutive ids, so converted once and kept) and its last nine (a small
 * integer, converted by the fast integer path) it costs ~55 ns: the largest part of a record read.
 */

const LOW = 1e9;
const SMALL_INT = 2 ** 31;

let lastHigh = -1;
let lastHighText = '';

export function numericIdText(v: number): string {
  if (v < SMALL_INT) return String(v);
  const high = Math.floor(v / LOW);
  if (high !== lastHigh) {
    lastHigh = high;
    lastHighText = String(high);
  }
  // LOW + low has ten digits: a leading 1, then low zero-padded to nine (and stays a small integer)
  return lastHighText + String(LOW + (v - high * LOW)).slice(1);
}
