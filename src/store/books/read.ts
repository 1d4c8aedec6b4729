/**
 * Reading stored books back: the book at any past instant (one reverse seek in the sync index,
 * one forward scan of the records) and a symbol's records over a time range, streamed.
 */
import type { Key } from 'lmdb';
import type { BookLevelTuple, BookRecord, ExchangeId, Market } from '../../records.js';
import { corrupt } from '../blocks/corrupt.js';
import { decodeBookValue, KIND_CODE } from './codec.js';
import { bookPrefix, keyParts, symbolEnd, throughTime, type BookDbs } from './keys.js';

/** the book as stored at an instant, top `depth` per side, best first */
export interface StoredBook {
  synced: true;
  type: 'book';
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  /** the time of the last stored record applied (snapshot or update) */
  timestamp: number;
  /** the venue's update id after that record, where the venue has one */
  sequence?: number;
  bids: BookLevelTuple[];
  asks: BookLevelTuple[];
}

/** a resync lies between the last snapshot and the instant asked: no consistent book there */
export interface UnsyncedBook {
  synced: false;
  /** when the book broke: the first resync after the last snapshot */
  since: number;
  reason: string;
}

/** undefined: no snapshot stored at or before the instant */
export type BookAt = StoredBook | UnsyncedBook | undefined;

export interface BookAtQuery {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  /** ms since epoch, inclusive */
  time: number;
  /** levels per side; default 10 */
  depth?: number;
}

export const DEFAULT_BOOK_DEPTH = 10;

export function bookAt(dbs: BookDbs | undefined, q: BookAtQuery): BookAt {
  const { exchange, market, symbol, time } = q;
  // NaN is no instant (ordered-binary would sort it after every time: the latest book)
  if (dbs === undefined || Number.isNaN(time)) return undefined;
  const depth = q.depth ?? DEFAULT_BOOK_DEPTH;
  // newest first: resyncs after the last snapshot, then the snapshot itself
  let firstResync: Key | undefined;
  let snapshotKey: Key | undefined;
  for (const { key, value } of dbs.syncs.getRange({ start: throughTime(exchange, market, symbol, time), end: bookPrefix(exchange, market, symbol), reverse: true, snapshot: true })) {
    const kind = value.length === 1 ? value[0] : -1;
    if (kind === KIND_CODE.snapshot) {
      snapshotKey = key;
      break;
    }
    if (kind !== KIND_CODE.resync) throw corrupt('book sync index entry');
    firstResync = key;
  }
  if (snapshotKey === undefined) return undefined;
  if (firstResync !== undefined) return unsynced(dbs, exchange, market, symbol, firstResync);

  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  let last: BookRecord | undefined;
  for (const { key, value } of dbs.records.getRange({ start: snapshotKey, end: throughTime(exchange, market, symbol, time), snapshot: true })) {
    const r = decode(exchange, market, symbol, key, value);
    if (last === undefined && r.kind !== 'snapshot') throw corrupt('book sync index names a record that is no snapshot');
    if (r.kind === 'resync') return unsynced(dbs, exchange, market, symbol, key);
    if (r.kind === 'snapshot') {
      bids.clear();
      asks.clear();
    }
    apply(bids, r.bids);
    apply(asks, r.asks);
    last = r;
  }
  if (last === undefined) throw corrupt('book sync index names a missing record');
  const book: StoredBook = {
    synced: true,
    type: 'book',
    exchange,
    market,
    symbol,
    timestamp: last.timestamp,
    bids: top(bids, depth, true),
    asks: top(asks, depth, false),
  };
  if (last.sequence !== undefined) book.sequence = last.sequence;
  return book;
}

function unsynced(dbs: BookDbs, exchange: ExchangeId, market: Market, symbol: string, key: Key): UnsyncedBook {
  const value = dbs.records.get(key);
  if (value === undefined) throw corrupt('book sync index names a missing record');
  const r = decode(exchange, market, symbol, key, value);
  if (r.kind !== 'resync') throw corrupt('book sync index names a record that is no resync');
  return { synced: false, since: r.timestamp, reason: r.reason ?? 'resync' };
}

/** amount 0 removes the level (BookRecord's update rule); a snapshot's levels are all non-zero */
function apply(side: Map<number, number>, levels: readonly BookLevelTuple[]): void {
  for (const [price, amount] of levels) {
    if (amount === 0) side.delete(price);
    else side.set(price, amount);
  }
}

/** best `depth` levels: a partial selection would do, but depth ≪ levels rarely matters at 1 000 levels */
function top(side: Map<number, number>, depth: number, descending: boolean): BookLevelTuple[] {
  const levels = [...side] as BookLevelTuple[];
  levels.sort(descending ? (a, b) => b[0] - a[0] : (a, b) => a[0] - b[0]);
  return levels.slice(0, Math.max(0, depth));
}

function decode(exchange: ExchangeId, market: Market, symbol: string, key: Key, value: Uint8Array): BookRecord {
  const parts = keyParts(key);
  if (parts === undefined) throw corrupt('book record key');
  return decodeBookValue(value, { exchange, market, symbol, keyTime: parts.time });
}

export interface BookRangeQuery {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  /** inclusive lower bound on the stored time (ms) */
  from?: number;
  /** inclusive upper bound on the stored time (ms) */
  to?: number;
}

/** a range's records; `for (… of …)` reads synchronously underneath, `for await` works too */
export interface BookRecords extends Iterable<BookRecord>, AsyncIterable<BookRecord> {}

/** the stored records of the range in stored order, one at a time (bounded memory however long the range) */
export function readBookRange(dbs: BookDbs | undefined, q: BookRangeQuery): BookRecords {
  const scan = function* (): Generator<BookRecord> {
    if (dbs === undefined) return;
    const { exchange, market, symbol } = q;
    const start = q.from === undefined ? bookPrefix(exchange, market, symbol) : [exchange, market, symbol, q.from];
    const end = q.to === undefined ? symbolEnd(exchange, market, symbol) : throughTime(exchange, market, symbol, q.to);
    for (const { key, value } of dbs.records.getRange({ start, end, snapshot: true })) yield decode(exchange, market, symbol, key, value);
  };
  return {
    [Symbol.iterator]: scan,
    [Symbol.asyncIterator]: () => {
      const source = scan();
      return {
        next: () => Promise.resolve(source.next()),
        return: (value?: unknown) => Promise.resolve(source.return(value as undefined)),
      };
    },
  };
}
