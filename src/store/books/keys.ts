/**
 * Where order books live in the LMDB environment: two named databases beside the trade and
 * ticker blocks (ordered-binary array keys, compared element by element):
 *
 *   bookRecords: [exchange, market, symbol, time, n] → a block of records (block-codec.ts) whose
 *                first record has that key, or (stores written before blocks) one record (codec.ts)
 *   bookSyncs:   [exchange, market, symbol, time, n] → kind byte, for snapshots and resyncs only,
 *                at the record's own key (inside a block or not)
 *
 * The record at key K lives in the value with the greatest key ≤ K (blocks of one symbol hold
 * disjoint key ranges, in key order). `bookSyncs` is the index of where the book became
 * consistent (a snapshot) or stopped being so (a resync): the book at T starts from one reverse
 * seek there, then one reverse seek in `bookRecords` for the block holding that snapshot and one
 * forward scan from it to T. A symbol's keys only ever grow: `time` is the
 * record's timestamp, raised to the symbol's last stored time when it would go back (venue
 * clocks and local resync times mix), so the stored order is the order the records were applied
 * in; `n` counts records within one time, so ties keep arrival order. A writer continues from the
 * symbol's last stored key (read once per process), so keys never collide with an earlier run's.
 *
 * Store format: unchanged (2). These databases are new and only added to: a reader that predates
 * them never opens them and reads trades and tickers as before; `tickvisor migrate` (format 1 → 2)
 * never touches them (format 1 had no books). Nothing an older reader relies on changes meaning,
 * which is what a format bump would have to announce. Blocks came after the one-record values,
 * still format 2: trades and tickers mean what they meant, and the one earlier tickvisor that
 * reads books refuses a block's leading byte (2) as a corrupt value, one line, rather than
 * misread it. That earlier version must not WRITE books into a store holding blocks: it takes a
 * block's first key for the symbol's last and would key new records inside the block (README).
 */
import type { Database, Key, RootDatabase } from 'lmdb';
import { openExistingDb } from '../format.js';
import { AFTER_ALL } from '../keys.js';
import { decodeBookBlockKeys, isBookBlock } from './block-codec.js';

export const BOOK_RECORDS_DB = 'bookRecords';
export const BOOK_SYNCS_DB = 'bookSyncs';

export interface BookDbs {
  records: Database<Uint8Array, Key>;
  syncs: Database<Uint8Array, Key>;
}

/** the book databases for writing (created when missing) */
export function openBookDbs(env: RootDatabase): BookDbs {
  return {
    records: env.openDB<Uint8Array, Key>({ name: BOOK_RECORDS_DB, encoding: 'binary' }),
    syncs: env.openDB<Uint8Array, Key>({ name: BOOK_SYNCS_DB, encoding: 'binary' }),
  };
}

/** the book databases of a store that may have none (a read-only store, or one without books yet) */
export function openExistingBookDbs(env: RootDatabase): BookDbs | undefined {
  const records = openExistingDb<Uint8Array>(env, BOOK_RECORDS_DB, 'binary');
  const syncs = openExistingDb<Uint8Array>(env, BOOK_SYNCS_DB, 'binary');
  return records === undefined || syncs === undefined ? undefined : { records, syncs };
}

export interface BookKey {
  time: number;
  n: number;
}

export function bookKey(exchange: string, market: string, symbol: string, k: BookKey): Key[] {
  return [exchange, market, symbol, k.time, k.n];
}

export function bookPrefix(exchange: string, market: string, symbol: string): Key[] {
  return [exchange, market, symbol];
}

/** every key of the symbol at `time` or before: the end of a range read up to `time` inclusive */
export function throughTime(exchange: string, market: string, symbol: string, time: number): Key[] {
  return [exchange, market, symbol, time, AFTER_ALL];
}

export function symbolEnd(exchange: string, market: string, symbol: string): Key[] {
  return [exchange, market, symbol, AFTER_ALL];
}

/** the (time, n) of a stored key, or undefined for a key of another shape (refused by the caller) */
export function keyParts(key: Key): BookKey | undefined {
  if (!Array.isArray(key) || key.length !== 5) return undefined;
  const time = key[3];
  const n = key[4];
  return typeof time === 'number' && typeof n === 'number' ? { time, n } : undefined;
}

/**
 * The symbol's last stored RECORD's key: one reverse seek, and when the last value is a block
 * (block-codec.ts), its key column decoded (the block's own key is its first record's).
 */
export function lastBookKey(records: Database<Uint8Array, Key>, exchange: string, market: string, symbol: string): BookKey | undefined {
  for (const { key, value } of records.getRange({ start: symbolEnd(exchange, market, symbol), end: bookPrefix(exchange, market, symbol), reverse: true, limit: 1 })) {
    const first = keyParts(key);
    if (first === undefined || !isBookBlock(value)) return first;
    const { times, ns } = decodeBookBlockKeys(value, first);
    return { time: times[times.length - 1]!, n: ns[ns.length - 1]! };
  }
  return undefined;
}

/** the key the next record of a symbol takes: after `last`, at `timestamp` unless that would go back */
export function nextBookKey(last: BookKey | undefined, timestamp: number): BookKey {
  if (last === undefined || timestamp > last.time) return { time: timestamp, n: 0 };
  return { time: last.time, n: last.n + 1 };
}
