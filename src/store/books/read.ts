/**
 * Reading stored books back: the book at any past instant (one reverse seek in the sync index,
 * one forward scan of the records) and a symbol's records over a time range, streamed. Values are
 * blocks of records (block-codec.ts) or, in stores written before blocks, one record each
 * (codec.ts); both read the same.
 */
import type { Key } from 'lmdb';
import type { BookLevelTuple, BookRecord, ExchangeId, Market } from '../../records.js';
import { corrupt } from '../blocks/corrupt.js';
import { AFTER_ALL } from '../keys.js';
import { blockRecord, decodeBookBlock, isBookBlock, type BookBlock } from './block-codec.js';
import { decodeBookValue, KIND_CODE } from './codec.js';
import { bookPrefix, keyParts, symbolEnd, throughTime, type BookDbs, type BookKey } from './keys.js';

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
  const id = { exchange, market, symbol };
  if (firstResync !== undefined) return unsynced(dbs, id, firstResync);
  const snap = keyParts(snapshotKey);
  if (snap === undefined) throw corrupt('book sync index key');

  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  let started = false;
  let lastTimestamp = 0;
  let lastSequence = NaN;
  scan: for (const b of storedBlocks(dbs, id, snapshotKey, throughTime(exchange, market, symbol, time))) {
    for (let i = 0; i < b.count; i++) {
      const t = b.keyTimes[i]!;
      if (t < snap.time || (t === snap.time && b.keyNs[i]! < snap.n)) continue;
      if (t > time) break scan;
      const kind = b.kinds[i]!;
      if (!started && kind !== KIND_CODE.snapshot) throw corrupt('book sync index names a record that is no snapshot');
      if (kind === KIND_CODE.resync) return { synced: false, since: b.timestamps[i]!, reason: b.reasons[i] ?? 'resync' };
      if (kind === KIND_CODE.snapshot) {
        bids.clear();
        asks.clear();
      }
      started = true;
      const start = b.levelStart[i]!;
      const nb = b.bidCounts[i]!;
      apply(bids, b.prices, b.amounts, start, start + nb);
      apply(asks, b.prices, b.amounts, start + nb, b.levelStart[i + 1]!);
      lastTimestamp = b.timestamps[i]!;
      lastSequence = b.sequences[i]!;
    }
  }
  if (!started) throw corrupt('book sync index names a missing record');
  const book: StoredBook = {
    synced: true,
    type: 'book',
    exchange,
    market,
    symbol,
    timestamp: lastTimestamp,
    bids: top(bids, depth, true),
    asks: top(asks, depth, false),
  };
  if (!Number.isNaN(lastSequence)) book.sequence = lastSequence;
  return book;
}

interface SymbolId {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
}

/** the resync stored at `key` (named by the sync index) */
function unsynced(dbs: BookDbs, id: SymbolId, key: Key): UnsyncedBook {
  const at = keyParts(key);
  if (at === undefined) throw corrupt('book sync index key');
  for (const b of storedBlocks(dbs, id, key, [...(key as Key[]), AFTER_ALL])) {
    for (let i = 0; i < b.count; i++) {
      if (b.keyTimes[i] !== at.time || b.keyNs[i] !== at.n) continue;
      if (b.kinds[i] !== KIND_CODE.resync) throw corrupt('book sync index names a record that is no resync');
      return { synced: false, since: b.timestamps[i]!, reason: b.reasons[i] ?? 'resync' };
    }
  }
  throw corrupt('book sync index names a missing record');
}

/** amount 0 removes the level (BookRecord's update rule); a snapshot's levels are all non-zero */
function apply(side: Map<number, number>, prices: Float64Array, amounts: Float64Array, from: number, to: number): void {
  for (let j = from; j < to; j++) {
    const price = prices[j]!;
    const amount = amounts[j]!;
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

/**
 * The stored values of a symbol from the one holding `start` (a record's key, or a key prefix such
 * as [exchange, market, symbol, from]) up to `end` (exclusive), each decoded as a block: the value
 * with the greatest key ≤ `start` may hold records at or after it, so the scan starts there (one
 * reverse seek). A one-record value (stores written before blocks) comes as a block of one.
 * Callers skip the records before `start` and after what they want.
 */
function* storedBlocks(dbs: BookDbs, id: SymbolId, start: Key, end: Key): Generator<BookBlock> {
  const prefix = bookPrefix(id.exchange, id.market, id.symbol);
  let from: Key = start;
  for (const key of dbs.records.getKeys({ start, end: prefix, reverse: true, limit: 1, snapshot: true })) from = key;
  for (const { key, value } of dbs.records.getRange({ start: from, end, snapshot: true })) yield decodeStored(id, key, value);
}

function decodeStored(id: SymbolId, key: Key, value: Uint8Array): BookBlock {
  const parts = keyParts(key);
  if (parts === undefined) throw corrupt('book record key');
  if (isBookBlock(value)) return decodeBookBlock(value, parts);
  return recordAsBlock(decodeBookValue(value, { ...id, keyTime: parts.time }), parts);
}

/** a one-record value as a block of one, so readers have one shape to walk */
function recordAsBlock(r: BookRecord, key: BookKey): BookBlock {
  const nb = r.bids.length;
  const levels = nb + r.asks.length;
  const prices = new Float64Array(levels);
  const amounts = new Float64Array(levels);
  for (let j = 0; j < nb; j++) (prices[j] = r.bids[j]![0]), (amounts[j] = r.bids[j]![1]);
  for (let j = 0; j < r.asks.length; j++) (prices[nb + j] = r.asks[j]![0]), (amounts[nb + j] = r.asks[j]![1]);
  return {
    count: 1,
    keyTimes: Float64Array.of(key.time),
    keyNs: Float64Array.of(key.n),
    kinds: Uint8Array.of(KIND_CODE[r.kind]),
    timestamps: Float64Array.of(r.timestamp),
    localTimestamps: Float64Array.of(r.localTimestamp),
    sequences: Float64Array.of(r.sequence ?? NaN),
    bidCounts: Uint32Array.of(nb),
    askCounts: Uint32Array.of(r.asks.length),
    levelStart: Uint32Array.of(0, levels),
    prices,
    amounts,
    reasons: [r.reason],
  };
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
    const id = { exchange, market, symbol };
    const from = q.from ?? -Infinity;
    const to = q.to ?? Infinity;
    const start = q.from === undefined ? bookPrefix(exchange, market, symbol) : [exchange, market, symbol, q.from];
    const end = q.to === undefined ? symbolEnd(exchange, market, symbol) : throughTime(exchange, market, symbol, q.to);
    for (const b of storedBlocks(dbs, id, start, end)) {
      for (let i = 0; i < b.count; i++) {
        const t = b.keyTimes[i]!;
        if (t < from) continue;
        if (t > to) return;
        yield blockRecord(b, i, id);
      }
    }
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
