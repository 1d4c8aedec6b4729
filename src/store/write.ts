/**
 * One batch = one LMDB write transaction holding the records, what says which trade ids are stored
 * (id-guard.ts) and the cursors that describe them, so a cursor never points past what is
 * committed and a trade id is stored once, whatever timestamps it arrives with.
 */
import type { Database, Key } from 'lmdb';
import type { MarketRecord, Ticker, Trade } from '../records.js';
import { encodeTicker, encodeTrade, TICKER_OPTIONAL_FIELDS, type ValueScratch } from './codec.js';
import { StoreError } from './errors.js';
import { flushBlocks, newIdState, noteNumericId, numericIdStored, type IdState } from './id-guard.js';
import { cursorKey, idPart, tickerKey, tradeIdKey, tradeKey, type TradeKeyWriter } from './keys.js';
import type { WriteResult } from './types.js';

/** A cursor as stored: exchange, market and symbol live in its key. */
export interface StoredCursor {
  lastTradeId: string;
  lastTimestamp: number;
  count: number;
  /** largest numeric trade id stored (-Infinity: none); see id-guard.ts */
  maxId?: number;
  /** see TradeCursor.resumeTradeId */
  resumeTradeId?: string;
  resumeTimestamp?: number;
}

export interface StoreDbs {
  records: Database<Uint8Array, Key>;
  cursors: Database<StoredCursor, Key>;
  /** string trade id → its timestamp (float64 LE), one entry per stored trade with a string id */
  tradeIds: Database<Uint8Array, Key>;
  /** numeric trade ids: per block of ids, the timestamp range they were stored at */
  idBlocks: Database<Uint8Array, Key>;
}

/** Per-store write state kept across batches. */
export interface WriterState {
  scratch: ValueScratch;
  /** ticker tie-breaker; see keys.ts */
  tickerSeq: number;
  /** trade keys as bytes (see keys.ts) */
  keys: TradeKeyWriter;
  /** the string-id index's value, reused: lmdb-js copies it inside the transaction */
  idValue: Buffer;
}

/** MDB_NOOVERWRITE: the put fails when the key exists; hoisted to allocate once. */
const NO_OVERWRITE = { noOverwrite: true } as const;

/**
 * Inside a write transaction lmdb-js's putSync reports whether the put happened (write.js:
 * `put(...) === SYNC_PROMISE_SUCCESS`); its .d.ts says void, hence this one typed wrapper.
 */
function putIfAbsent(db: Database<Uint8Array, Key>, key: Key, value: Uint8Array): boolean {
  return (db.putSync as unknown as (k: Key, v: Uint8Array, o: typeof NO_OVERWRITE) => boolean).call(db, key, value, NO_OVERWRITE);
}

/**
 * Checked before the transaction starts: lmdb-js runs our callback inside a shared write
 * transaction, and a throw half-way would commit half a batch. Validation proper is the pipeline's
 * job; this only guards what would break a key or a value.
 */
export function assertStorable(records: readonly MarketRecord[]): void {
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as MarketRecord;
    const ok =
      typeof r === 'object' && r !== null &&
      typeof r.exchange === 'string' && (r.exchange as string) !== '' &&
      typeof r.market === 'string' && (r.market as string) !== '' &&
      typeof r.symbol === 'string' && r.symbol !== '' &&
      Number.isFinite(r.timestamp) && Number.isFinite(r.localTimestamp) &&
      (r.type === 'trade'
        ? typeof r.id === 'string' && r.id !== '' && Number.isFinite(r.price) && Number.isFinite(r.amount) &&
          (r.side === 'buy' || r.side === 'sell')
        : r.type === 'ticker' && Number.isFinite(r.last) && tickerOptionalsAreNumbers(r));
    if (!ok) {
      throw new StoreError('TV_ERR_STORE_INVALID_RECORD', `record ${i} of the batch cannot be stored`);
    }
  }
}

function tickerOptionalsAreNumbers(t: Ticker): boolean {
  for (const f of TICKER_OPTIONAL_FIELDS) {
    const v = t[f];
    if (v !== undefined && typeof v !== 'number') return false;
  }
  return true;
}

/** one symbol's cursor while a batch is applied */
interface Touch {
  key: Key[];
  cursor: StoredCursor;
  /** idPart(cursor.lastTradeId), kept so a tie on timestamp costs no id parsing */
  lastPart: number | string;
  /** a trade was written: the cursor changed */
  dirty: boolean;
  ids: IdState;
}

/** Runs inside the write transaction. Synchronous on purpose: lmdb-js holds the write lock meanwhile. */
export function applyBatch(records: readonly MarketRecord[], dbs: StoreDbs, state: WriterState, openGaps?: ReadonlySet<string>): WriteResult {
  let written = 0;
  let duplicates = 0;
  // cursors touched by this batch, read once and written once; symbol maps under exchange and
  // market so a record costs one Map.get with the string it already holds (no joined key)
  const touched = new Map<string, Map<string, Map<string, Touch>>>();
  let venueExchange = '';
  let venueMarket = '';
  let venue: Map<string, Touch> | undefined;

  for (let i = 0; i < records.length; i++) {
    const r = records[i] as MarketRecord;
    if (r.type === 'ticker') {
      const value = encodeTicker(r, state.scratch);
      while (!putIfAbsent(dbs.records, tickerKey(r, ++state.tickerSeq), value)) {
        // collision with a ticker from an earlier process: take the next sequence number
      }
      written++;
      continue;
    }
    const part = idPart(r.id);
    if (venue === undefined || r.exchange !== venueExchange || r.market !== venueMarket) {
      venueExchange = r.exchange;
      venueMarket = r.market;
      let markets = touched.get(r.exchange);
      if (markets === undefined) touched.set(r.exchange, (markets = new Map()));
      venue = markets.get(r.market);
      if (venue === undefined) markets.set(r.market, (venue = new Map()));
    }
    let touch = venue.get(r.symbol);
    if (touch === undefined) {
      const ckey = cursorKey(r.exchange, r.market, r.symbol);
      const stored = dbs.cursors.get(ckey);
      const cursor = stored ? { ...stored } : { lastTradeId: '', lastTimestamp: -Infinity, count: 0 };
      const ids = newIdState([r.exchange, r.market, r.symbol, 'trade'], cursor.maxId ?? -Infinity);
      touch = { key: ckey, cursor, lastPart: idPart(cursor.lastTradeId), dirty: false, ids };
      venue.set(r.symbol, touch);
    }
    // the id decides: a second copy of an id is refused whatever its timestamp
    if (typeof part === 'number') {
      if (numericIdStored(dbs.records, dbs.idBlocks, touch.ids, part)) {
        duplicates++;
        continue;
      }
    } else {
      state.idValue.writeDoubleLE(r.timestamp, 0);
      if (!putIfAbsent(dbs.tradeIds, tradeIdKey(r, part), state.idValue)) {
        duplicates++;
        continue;
      }
    }
    const key = state.keys.write(r, part) ?? tradeKey(r);
    const value = encodeTrade(r, state.scratch);
    if (afterCursor(touch, r.timestamp, part)) {
      // sorts after every stored trade of its symbol, so the key cannot exist: a plain put,
      // which skips MDB_NOOVERWRITE's extra work (~0.4 µs a put); the live stream's common case
      dbs.records.putSync(key, value);
    } else if (!putIfAbsent(dbs.records, key, value)) {
      // cannot happen once the id said "new" (same key, same id); kept as the last word
      duplicates++;
      continue;
    }
    if (typeof part === 'number') noteNumericId(touch.ids, part, r.timestamp);
    written++;
    touch.dirty = true;
    advanceCursor(touch, r, part);
  }

  for (const markets of touched.values()) {
    for (const venueTouches of markets.values()) {
      for (const [symbol, { key, cursor, dirty, ids }] of venueTouches) {
        if (!dirty) continue;
        flushBlocks(dbs.idBlocks, ids);
        cursor.maxId = ids.maxId;
        // no known hole: everything up to the newest trade is whole, a restart may resume there
        if (openGaps === undefined || !openGaps.has(symbol)) {
          cursor.resumeTradeId = cursor.lastTradeId;
          cursor.resumeTimestamp = cursor.lastTimestamp;
        }
        dbs.cursors.putSync(key, cursor);
      }
    }
  }
  return { written, duplicates };
}

/**
 * True when a trade's key sorts strictly after the cursor's trade, the newest stored for the
 * symbol (cursors commit with their records, so the cursor is exact). Keys order by timestamp,
 * then by the id element: numbers numerically, every number before every string. Only numeric
 * ids are compared on a tie: JS string order (UTF-16) and key order (UTF-8 bytes) can differ.
 */
function afterCursor(touch: Touch, timestamp: number, part: number | string): boolean {
  const last = touch.cursor.lastTimestamp;
  if (timestamp > last) return true;
  return timestamp === last && typeof part === 'number' && typeof touch.lastPart === 'number' && part > touch.lastPart;
}

/** The cursor names the newest trade by (timestamp, id); an older backfilled trade only adds to count. */
function advanceCursor(touch: Touch, t: Trade, part: number | string): void {
  const cursor = touch.cursor;
  cursor.count++;
  if (t.timestamp > cursor.lastTimestamp || (t.timestamp === cursor.lastTimestamp && compareParts(part, touch.lastPart) > 0)) {
    cursor.lastTimestamp = t.timestamp;
    cursor.lastTradeId = t.id;
    touch.lastPart = part;
  }
}

/** Same order as the key's id element: numeric ids numerically, before any string id. */
export function compareIds(a: string, b: string): number {
  return compareParts(idPart(a), idPart(b));
}

function compareParts(pa: number | string, pb: number | string): number {
  if (typeof pa === 'number') return typeof pb === 'number' ? pa - pb : -1;
  if (typeof pb === 'number') return 1;
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}
