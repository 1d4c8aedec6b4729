/**
 * One batch = one LMDB write transaction holding the blocks, what says which trade ids are stored
 * (id-guard.ts), the tails (block-store.ts) and the cursors that describe them (a cursor carries its
 * trade tail: one put per symbol besides the block), so a cursor never
 * points past what is committed and a trade id is stored once, whatever timestamps it arrives with.
 *
 * The batch is applied in two passes: the first decides, record by record, what is new (ids) and
 * groups it per symbol; the second writes each symbol's rows as blocks (block-store.ts).
 */
import type { Database, Key } from 'lmdb';
import type { MarketRecord, Ticker, Trade } from '../records.js';
import { appendRows, mergeOlderRows, putIfAbsent, readTail, tailKey, type BlockDb, type SymbolBlocks, type TailState } from './block-store.js';
import { TICKER_OPTIONAL_COLUMNS, type TickerColumns, type TradeColumns } from './blocks/columns.js';
import { sortRows } from './blocks/row-kind.js';
import { tickerColumnsFrom, tickerRows } from './blocks/ticker-rows.js';
import { tradeColumnsFrom, tradeRows } from './blocks/trade-rows.js';
import { StoreError } from './errors.js';
import { flushBuckets, newIdState, noteNumericId, numericIdStored, type IdState } from './id-guard.js';
import { AFTER_ALL, compareIdParts, idPart, symbolPrefix, tradeIdKey } from './keys.js';
import type { WriteResult } from './types.js';
import type { WriterCache } from './writer-cache.js';
import type { JournalDb, JournalState } from './journal.js';

/**
 * A symbol starts a tail memo (block-store.ts TailMemo) with a batch of at least this many new
 * rows, or when it is written steadily (WriterCache.steadyWriter): the memo spares re-reading the
 * tail when batches are large (a busy symbol, a burst) or frequent; a quiet symbol's batches of a
 * row or two join rarely, and thousands of them would each keep a buffer.
 */
const MEMO_FROM_ROWS = 16;

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
  /**
   * the symbol's trade tail (block-store.ts), kept here so a batch puts one value per symbol, not
   * two. Absent in cursors written before it moved here: their tail is in the `tails` DB, read
   * once, then carried here (that entry is left as it was: a writer that still reads it only
   * compacts a different number of trailing blocks, which changes no row).
   */
  tail?: TailState;
  /** the id bucket whose `idBlocks` entry this writer left open, and the lowest timestamp it has (id-guard.ts) */
  openBucket?: [number, number];
}

export interface StoreDbs {
  /** trade blocks (keys.ts) */
  tradeBlocks: BlockDb;
  /** ticker blocks (keys.ts) */
  tickerBlocks: BlockDb;
  cursors: Database<StoredCursor, Key>;
  /** string trade id → its timestamp (float64 LE), one entry per stored trade with a string id */
  tradeIds: Database<Uint8Array, Key>;
  /** numeric trade ids: per bucket of ids, the timestamp range they were stored at */
  idBlocks: Database<Uint8Array, Key>;
  /** each symbol's trailing small ticker blocks (block-store.ts); trade tails of cursors written before they moved into the cursor */
  tails: Database<TailState, Key>;
  /** the newest live trades before they are folded into blocks (journal.ts); absent in a read-only store that never had one */
  journal?: JournalDb;
}

/** Per-store write state kept across batches. */
export interface WriterState {
  /** the writer's copy of the trade journal (journal.ts) */
  journal: JournalState;
  /** the string-id index's value, reused: lmdb-js copies it inside the transaction */
  idValue: Buffer;
  /** cursors and tails as last written (writer-cache.ts) */
  cache: WriterCache;
}

/**
 * Checked before the transaction starts: lmdb-js runs our callback inside a shared write
 * transaction, and a throw half-way would commit half a batch. Validation proper is the pipeline's
 * job; this only guards what would break a key or a block (a block column holds finite numbers;
 * NaN in a ticker column means "absent").
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
  for (const f of TICKER_OPTIONAL_COLUMNS) {
    const v = t[f];
    if (v !== undefined && !Number.isFinite(v)) return false;
  }
  return true;
}

/** one symbol while a batch is applied */
interface Touch {
  prefix: Key[];
  /** exchange, market and symbol joined: the writer cache's key */
  id: string;
  /** read at the symbol's first trade of the batch */
  trades: TradeTouch | undefined;
  /** allocated at the symbol's first ticker of the batch: most symbols of a batch have none */
  tickers: Ticker[] | undefined;
}

interface TradeTouch {
  key: Key[];
  cursor: StoredCursor;
  /** idPart(cursor.lastTradeId), kept so a tie on timestamp costs no id parsing */
  lastPart: number | string;
  /** the newest stored trade before this batch: rows after it are appended, the others merged */
  storedTimestamp: number;
  storedPart: number | string;
  appended: Trade[];
  older: Trade[];
  /** each appended / older trade's numeric id (NaN: a string id), so building its columns parses no id again */
  appendedIds: number[];
  olderIds: number[];
  ids: IdState;
  /** the numeric ids this batch has taken so far, for id-guard's first lookup; made once per symbol, not per trade */
  taken: () => Iterable<number>;
}

/** Runs inside the write transaction. Synchronous on purpose: lmdb-js holds the write lock meanwhile. */
export function applyBatch(records: readonly MarketRecord[], dbs: StoreDbs, state: WriterState, openGaps?: ReadonlySet<string>): WriteResult {
  state.cache.blocksBegin();
  let written = 0;
  let duplicates = 0;
  // symbols touched by this batch, under exchange and market so a record costs one Map.get with
  // the string it already holds (no joined key)
  const touched = new Map<string, Map<string, Map<string, Touch>>>();
  let venueExchange = '';
  let venueMarket = '';
  let venue: Map<string, Touch> | undefined;

  for (let i = 0; i < records.length; i++) {
    const r = records[i] as MarketRecord;
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
      touch = { prefix: symbolPrefix(r.exchange, r.market, r.symbol), id: `${r.exchange}\u0000${r.market}\u0000${r.symbol}`, trades: undefined, tickers: undefined };
      venue.set(r.symbol, touch);
    }
    if (r.type === 'ticker') {
      (touch.tickers ??= []).push(r);
      written++;
      continue;
    }
    const tt = (touch.trades ??= tradeTouch(dbs, state.cache, touch));
    const part = idPart(r.id);
    // the id decides: a second copy of an id is refused whatever its timestamp
    if (typeof part === 'number') {
      if (numericIdStored(dbs.tradeBlocks, dbs.idBlocks, tt.ids, part, tt.taken)) {
        duplicates++;
        continue;
      }
      noteNumericId(tt.ids, part, r.timestamp);
    } else {
      state.idValue.writeDoubleLE(r.timestamp, 0);
      if (!putIfAbsent(dbs.tradeIds, tradeIdKey(r, part), state.idValue)) {
        duplicates++;
        continue;
      }
    }
    const numeric = typeof part === 'number' ? part : Number.NaN;
    if (after(r.timestamp, part, tt.storedTimestamp, tt.storedPart)) {
      tt.appended.push(r);
      tt.appendedIds.push(numeric);
    } else {
      tt.older.push(r);
      tt.olderIds.push(numeric);
    }
    written++;
    advanceCursor(tt, r, part);
  }

  for (const markets of touched.values()) {
    for (const venueTouches of markets.values()) {
      for (const [symbol, touch] of venueTouches) {
        if (touch.trades !== undefined) writeTrades(dbs, state.cache, touch, touch.trades, openGaps === undefined || !openGaps.has(symbol));
        if (touch.tickers !== undefined) writeTickers(dbs, state.cache, touch, touch.tickers);
      }
    }
  }
  return { written, duplicates };
}

function tradeTouch(dbs: StoreDbs, cache: WriterCache, touch: Touch): TradeTouch {
  const prefix = touch.prefix;
  const key = prefix; // a cursor's key is the symbol's prefix (keys.ts): one array fewer per symbol
  // mutated in place, the cached one too: a failed commit drops the whole cache (writer-cache.ts)
  const cursor: StoredCursor = cache.cursor(touch.id) ?? dbs.cursors.get(key) ?? { lastTradeId: '', lastTimestamp: -Infinity, count: 0 };
  const lastPart = idPart(cursor.lastTradeId);
  const tt: TradeTouch = {
    key, cursor, lastPart, storedTimestamp: cursor.lastTimestamp, storedPart: lastPart,
    appended: [], older: [], appendedIds: [], olderIds: [],
    ids: newIdState(prefix, cursor.maxId ?? -Infinity, cursor.lastTimestamp, cursor.openBucket),
    taken: () => takenIds(tt),
  };
  return tt;
}

/** the numeric ids already parsed (NaN: a string id, which id-guard does not look up) */
function* takenIds(tt: TradeTouch): Generator<number> {
  for (const n of tt.appendedIds) if (!Number.isNaN(n)) yield n;
  for (const n of tt.olderIds) if (!Number.isNaN(n)) yield n;
}

function writeTrades(dbs: StoreDbs, cache: WriterCache, touch: Touch, tt: TradeTouch, holeFree: boolean): void {
  if (tt.appended.length === 0 && tt.older.length === 0) return;
  const older = tt.older.length > 0 ? tradeColumnsFrom(tt.older, tt.olderIds) : undefined;
  const appended = tt.appended.length > 0 ? tradeColumnsFrom(tt.appended, tt.appendedIds) : undefined;
  storeTrades(dbs, cache, touch.prefix, touch.id, tt.key, tt.cursor, tt.ids, holeFree, older, appended);
}

/**
 * One symbol's new rows into its blocks, its id buckets and its cursor: `older` (rows not after the
 * newest stored one) merged, `appended` written after it, either in any order.
 */
export function storeTrades(
  dbs: StoreDbs, cache: WriterCache, prefix: Key[], cacheId: string, key: Key[], cursor: StoredCursor, ids: IdState,
  holeFree: boolean, older: TradeColumns | undefined, appended: TradeColumns | undefined,
): void {
  const tail = (cursor.tail ??= readTail(dbs.tails, prefix, 'trade'));
  const memo = cache.tradeTail(cacheId);
  const blocks: SymbolBlocks<TradeColumns> = {
    kind: tradeRows, db: dbs.tradeBlocks, prefix, tail, memo, budget: cache.rewrite,
    remember: memo !== undefined || (cache.memoRoom() && ((appended?.length ?? 0) >= MEMO_FROM_ROWS || cache.steadyWriter(cacheId))),
  };
  if (older !== undefined) mergeOlderRows(blocks, sortRows(tradeRows, older));
  if (appended !== undefined) appendRows(blocks, sortRows(tradeRows, appended));
  cache.wroteTradeTail(cacheId, blocks.memo);
  flushBuckets(dbs.idBlocks, ids);
  cursor.maxId = ids.maxId;
  if (ids.open !== undefined) cursor.openBucket = ids.open;
  // delete only when there is one: it turns the object into a slow dictionary (every put encodes it)
  else if (cursor.openBucket !== undefined) delete cursor.openBucket;
  // no known hole: everything up to the newest trade is whole, a restart may resume there
  if (holeFree) {
    cursor.resumeTradeId = cursor.lastTradeId;
    cursor.resumeTimestamp = cursor.lastTimestamp;
  }
  dbs.cursors.putSync(key, cursor);
  cache.wroteCursor(cacheId, cursor);
}

function writeTickers(dbs: StoreDbs, cache: WriterCache, touch: Touch, tickers: Ticker[]): void {
  const prefix = touch.prefix;
  const tailId = `${touch.id}\u0000ticker`;
  const tail = cache.tail(tailId) ?? readTail(dbs.tails, prefix, 'ticker');
  const blocks: SymbolBlocks<TickerColumns> = { kind: tickerRows, db: dbs.tickerBlocks, prefix, tail, budget: cache.rewrite };
  const last = blocks.tail.last ?? newestTicker(dbs.tickerBlocks, prefix);
  const rows = sortRows(tickerRows, tickerColumnsFrom(tickers));
  // rows equal to the newest stored one go after it, so they append too
  let split = 0;
  if (last !== undefined) {
    while (split < rows.length && tickerBefore(rows.timestamps[split] as number, rows.localTimestamps[split] as number, last)) split++;
  }
  if (split > 0) mergeOlderRows(blocks, tickerRows.slice(rows, 0, split));
  if (split < rows.length) appendRows(blocks, tickerRows.slice(rows, split, rows.length));
  const n = rows.length - 1;
  const newest: [number, number] = [rows.timestamps[n] as number, rows.localTimestamps[n] as number];
  blocks.tail.last = last === undefined || !tickerBefore(newest[0], newest[1], last) ? newest : last;
  dbs.tails.putSync(tailKey(prefix, 'ticker'), blocks.tail);
  cache.wroteTail(tailId, blocks.tail);
}

function tickerBefore(timestamp: number, local: number, last: [number, number]): boolean {
  return timestamp < last[0] || (timestamp === last[0] && local < last[1]);
}

/** a symbol whose tail entry predates `last`: its newest ticker, from its last block */
function newestTicker(db: BlockDb, prefix: Key[]): [number, number] | undefined {
  for (const { value } of db.getRange({ start: [...prefix, AFTER_ALL], end: prefix, reverse: true, limit: 1 })) {
    const c = tickerRows.decode(value);
    return [c.timestamps[c.length - 1] as number, c.localTimestamps[c.length - 1] as number];
  }
  return undefined;
}

/** (timestamp, id) strictly after the stored newest, in key order */
export function after(timestamp: number, part: number | string, lastTimestamp: number, lastPart: number | string): boolean {
  if (timestamp > lastTimestamp) return true;
  return timestamp === lastTimestamp && compareIdParts(part, lastPart) > 0;
}

/** The cursor names the newest trade by (timestamp, id); an older backfilled trade only adds to count. */
function advanceCursor(tt: TradeTouch, t: Trade, part: number | string): void {
  const cursor = tt.cursor;
  cursor.count++;
  if (t.timestamp > cursor.lastTimestamp || (t.timestamp === cursor.lastTimestamp && compareIdParts(part, tt.lastPart) > 0)) {
    cursor.lastTimestamp = t.timestamp;
    cursor.lastTradeId = t.id;
    tt.lastPart = part;
  }
}

