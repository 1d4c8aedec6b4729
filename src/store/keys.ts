/**
 * LMDB key layout of the columnar store (ordered-binary array keys, compared element by element):
 *
 *   trade block:  [exchange, market, symbol, firstTimestamp, firstIdPart]         (`tradeBlocks`)
 *   ticker block: [exchange, market, symbol, firstTimestamp, firstLocalTimestamp, seq] (`tickerBlocks`)
 *   tail:         [exchange, market, symbol, 'ticker' | 'trade']                   (`tails`, see block-store.ts;
 *                 a trade tail lives in its cursor's value, `trade` entries are left by older writers)
 *   cursor:       [exchange, market, symbol]                                       (`cursors`)
 *   id:           [exchange, market, symbol, 'trade', id]     (string ids only, `tradeIds`; see id-guard.ts)
 *   id bucket:    [exchange, market, symbol, 'trade', bucket] (numeric ids, `idBlocks`; see id-guard.ts)
 *
 * A block's key is its first row, and a symbol's blocks hold disjoint, ordered ranges, so one
 * symbol's time range is one range scan over its blocks. Tickers have no exchange id: two ticker
 * blocks starting on the same (timestamp, localTimestamp) are told apart by `seq`.
 */
import type { Key } from 'lmdb';
import type { ExchangeId, Market, Trade } from '../records.js';

/**
 * Sorts after every id or tie-breaker element: ordered-binary writes a Uint8Array raw, and no
 * encoded number (first byte 0x08–0x17) or string (first byte ≥ 0x1b, never 0xff in UTF-8) starts
 * with 0xff. The same value as ordered-binary's MAXIMUM_KEY, which lmdb does not re-export.
 */
export const AFTER_ALL = new Uint8Array([0xff]);

/** Largest id kept as a number: beyond 2^53 a number would no longer round-trip to the same string. */
const MAX_NUMERIC_ID_DIGITS = 15;

/**
 * Canonical non-negative integer ids (`"0"`, `"28457001"`) become numbers so they sort numerically
 * within one millisecond ("9" before "10"); anything else (UUIDs, leading zeros) stays a string.
 * Both forms map back to exactly the original string.
 */
export function idPart(id: string): number | string {
  // a live trade's id is read here by the dedup window, the gap tracker and the pipeline's buffer
  // in turn: the last answer is kept, so the three cost one parse (and one boxed number: an id
  // past 2^31 is a heap number each time it is returned fresh)
  if (id === lastId) return lastPart;
  const part = readIdPart(id);
  lastId = id;
  lastPart = part;
  return part;
}

let lastId = '';
let lastPart: number | string = '';

function readIdPart(id: string): number | string {
  const len = id.length;
  if (len === 0 || len > MAX_NUMERIC_ID_DIGITS) return id;
  const first = id.charCodeAt(0);
  if (first === 48 /* '0' */) return len === 1 ? 0 : id;
  // the value is summed while the digits are checked: exact (every partial sum is below 10^15 <
  // 2^53, so it equals Number(id)) and ~2.5× faster than a second pass through Number(), which
  // mattered: a trade's id goes through here several times on its way to the store
  let n = 0;
  for (let i = 0; i < len; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return id;
    n = n * 10 + (c - 48);
  }
  return n;
}

export function idFromPart(part: Key | undefined): string {
  if (typeof part === 'number') return String(part);
  if (typeof part === 'string') return part;
  throw new TypeError(`unexpected id element in key: ${String(part)}`);
}

/**
 * The key's order of id elements: numbers numerically, every number before every string, strings
 * by code point (= UTF-8 byte order, what ordered-binary compares; JS `<` compares UTF-16 units,
 * which differs only past U+FFFF).
 */
export function compareIdParts(a: number | string, b: number | string): number {
  if (typeof a === 'number') return typeof b === 'number' ? (a < b ? -1 : a > b ? 1 : 0) : -1;
  if (typeof b === 'number') return 1;
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(i) as number;
    if (ca !== cb) return ca < cb ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

export function compareIds(a: string, b: string): number {
  return compareIdParts(idPart(a), idPart(b));
}

export function symbolPrefix(exchange: ExchangeId, market: Market, symbol: string): Key[] {
  return [exchange, market, symbol];
}

/** the string-id index's key (unchanged from store format 1) */
export function tradeIdKey(t: Trade, part: number | string = idPart(t.id)): Key[] {
  return [t.exchange, t.market, t.symbol, 'trade', part];
}

export function cursorKey(exchange: ExchangeId, market: Market, symbol: string): Key[] {
  return [exchange, market, symbol];
}
