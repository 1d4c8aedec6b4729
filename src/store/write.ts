/**
 * One batch = one LMDB write transaction holding the records and the cursors that describe them,
 * so a cursor never points past what is committed (DESIGN §5).
 */
import type { Database, Key } from 'lmdb';
import type { MarketRecord, Ticker, Trade } from '../records.js';
import { encodeTicker, encodeTrade, TICKER_OPTIONAL_FIELDS, type ValueScratch } from './codec.js';
import { StoreError } from './errors.js';
import { cursorKey, idPart, tickerKey, tradeKey } from './keys.js';
import type { WriteResult } from './types.js';

/** A cursor as stored: exchange, market and symbol live in its key. */
export interface StoredCursor {
  lastTradeId: string;
  lastTimestamp: number;
  count: number;
}

export interface StoreDbs {
  records: Database<Uint8Array, Key>;
  cursors: Database<StoredCursor, Key>;
}

/** Per-store write state kept across batches. */
export interface WriterState {
  scratch: ValueScratch;
  /** ticker tie-breaker; see keys.ts */
  tickerSeq: number;
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

/** Runs inside the write transaction. Synchronous on purpose: lmdb-js holds the write lock meanwhile. */
export function applyBatch(records: readonly MarketRecord[], dbs: StoreDbs, state: WriterState): WriteResult {
  let written = 0;
  let duplicates = 0;
  // cursors touched by this batch, read once and written once
  const touched = new Map<string, { key: Key[]; cursor: StoredCursor }>();
  let lastTouchKey = '';
  let lastTouch: { key: Key[]; cursor: StoredCursor } | undefined;

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
    if (!putIfAbsent(dbs.records, tradeKey(r), encodeTrade(r, state.scratch))) {
      duplicates++;
      continue;
    }
    written++;
    // batches usually hold runs of one symbol: skip the map lookup while the symbol repeats
    const touchKey = r.exchange + '\u0000' + r.market + '\u0000' + r.symbol;
    if (touchKey !== lastTouchKey || lastTouch === undefined) {
      lastTouchKey = touchKey;
      lastTouch = touched.get(touchKey);
      if (lastTouch === undefined) {
        const key = cursorKey(r.exchange, r.market, r.symbol);
        const stored = dbs.cursors.get(key);
        lastTouch = { key, cursor: stored ? { ...stored } : { lastTradeId: '', lastTimestamp: -Infinity, count: 0 } };
        touched.set(touchKey, lastTouch);
      }
    }
    advanceCursor(lastTouch.cursor, r);
  }

  for (const { key, cursor } of touched.values()) dbs.cursors.putSync(key, cursor);
  return { written, duplicates };
}

/** The cursor names the newest trade by (timestamp, id); an older backfilled trade only adds to count. */
function advanceCursor(cursor: StoredCursor, t: Trade): void {
  cursor.count++;
  if (
    t.timestamp > cursor.lastTimestamp ||
    (t.timestamp === cursor.lastTimestamp && compareIds(t.id, cursor.lastTradeId) > 0)
  ) {
    cursor.lastTimestamp = t.timestamp;
    cursor.lastTradeId = t.id;
  }
}

/** Same order as the key's id element: numeric ids numerically, before any string id. */
export function compareIds(a: string, b: string): number {
  const pa = idPart(a);
  const pb = idPart(b);
  if (typeof pa === 'number') return typeof pb === 'number' ? pa - pb : -1;
  if (typeof pb === 'number') return 1;
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}
