/**
 * LMDB key layout (ordered-binary array keys, compared element by element):
 *
 *   trade:  [exchange, market, symbol, 'trade',  timestamp, id]
 *   ticker: [exchange, market, symbol, 'ticker', timestamp, localTimestamp, seq]
 *   cursor: [exchange, market, symbol]            (in the separate `cursors` DB)
 *
 * One symbol's time range of one type is therefore one contiguous range scan.
 * A trade's key is a pure function of its identity, so the same trade written twice (live and
 * again by REST backfill) lands on the same key and the store can refuse the second copy.
 * Tickers have no exchange id; equal exchange timestamps are told apart by the receive time plus
 * a per-store sequence (retried on the improbable collision, so a ticker is never overwritten).
 */
import type { Key } from 'lmdb';
import type { ExchangeId, Market, Ticker, Trade } from '../records.js';
import type { RangeQuery } from './types.js';

/**
 * Sorts after every id or tie-breaker element: ordered-binary writes a Uint8Array raw, and no
 * encoded number (first byte 0x08–0x17) or string (first byte ≥ 0x1b, never 0xff in UTF-8) starts
 * with 0xff. The same value as ordered-binary's MAXIMUM_KEY, which lmdb does not re-export.
 */
const AFTER_ALL = new Uint8Array([0xff]);

/** Largest id kept as a number: beyond 2^53 a number would no longer round-trip to the same string. */
const MAX_NUMERIC_ID_DIGITS = 15;

/**
 * Canonical non-negative integer ids (`"0"`, `"28457001"`) become numbers so they sort numerically
 * within one millisecond ("9" before "10"); anything else (UUIDs, leading zeros) stays a string.
 * Both forms map back to exactly the original string.
 */
export function idPart(id: string): number | string {
  const len = id.length;
  if (len === 0 || len > MAX_NUMERIC_ID_DIGITS) return id;
  const first = id.charCodeAt(0);
  if (first === 48 /* '0' */) return len === 1 ? 0 : id;
  for (let i = 0; i < len; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return id;
  }
  return Number(id);
}

export function idFromPart(part: Key | undefined): string {
  if (typeof part === 'number') return String(part);
  if (typeof part === 'string') return part;
  throw new TypeError(`unexpected id element in key: ${String(part)}`);
}

export function tradeKey(t: Trade): Key[] {
  return [t.exchange, t.market, t.symbol, 'trade', t.timestamp, idPart(t.id)];
}

export function tickerKey(t: Ticker, seq: number): Key[] {
  return [t.exchange, t.market, t.symbol, 'ticker', t.timestamp, t.localTimestamp, seq];
}

export function cursorKey(exchange: ExchangeId, market: Market, symbol: string): Key[] {
  return [exchange, market, symbol];
}

/** `start` inclusive, `end` exclusive, as lmdb-js getRange takes them. */
export function rangeBounds(query: RangeQuery, type: 'trade' | 'ticker'): { start: Key[]; end: Key[] } {
  const prefix: Key[] = [query.exchange, query.market, query.symbol, type];
  const start = query.from === undefined ? prefix : [...prefix, query.from];
  const end = query.to === undefined ? [...prefix, AFTER_ALL] : [...prefix, query.to, AFTER_ALL];
  return { start, end };
}
