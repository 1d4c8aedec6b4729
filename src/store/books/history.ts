/**
 * Books from an opened store's environment: what `tv.bookAt(...)` and `tickvisor query --type book`
 * call. The book databases are looked up per call (lmdb-js keeps opened databases by name), so a
 * store that had no books when opened answers once a sink has written some.
 */
import type { RootDatabase } from 'lmdb';
import type { ExchangeId, Market } from '../../records.js';
import { openExistingBookDbs } from './keys.js';
import { bookAt, readBookRange, type BookAt, type BookRangeQuery, type BookRecords } from './read.js';

/** the stored book at `time` (inclusive), top `depth` per side (default 10); see BookAt */
export function storedBookAt(env: RootDatabase, exchange: ExchangeId, market: Market, symbol: string, time: number, depth?: number): BookAt {
  return bookAt(openExistingBookDbs(env), { exchange, market, symbol, time, ...(depth !== undefined ? { depth } : {}) });
}

/** a symbol's stored book records in the range, in stored order */
export function storedBookRange(env: RootDatabase, query: BookRangeQuery): BookRecords {
  return readBookRange(openExistingBookDbs(env), query);
}
