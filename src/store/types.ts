/** The history store's public contract (docs/architecture.md#store): one sink behind a small interface. */
import type { ExchangeId, Market, MarketRecord } from '../records.js';
import type { TradeColumns } from './blocks/columns.js';
import type { StoreFaultGate } from './fault-gate.js';

export interface HistoryStoreOptions {
  /** directory of the LMDB environment (created when missing) */
  path: string;
  /** initial map size in bytes; lmdb-js grows it when full */
  mapSize?: number;
  /** tests only: skip fsync. A store opened this way is not crash-safe. */
  noSync?: boolean;
  /** fault scenarios: while the gate says so, commits fail as on a full disk (see fault-gate.ts) */
  faultGate?: StoreFaultGate;
  /** trade rows over more symbols than this are written in several commits (commit-split.ts; default 500) */
  maxSymbolsPerCommit?: number;
  /**
   * read only (`tickvisor query`): works on a store the user may not write to (another user's, a
   * read-only mount, one a running collector holds) and never changes it; writeBatch refuses
   */
  readOnly?: boolean;
}

/** Where one symbol's stored trades end: what a restarted process resumes from and backfills after. */
export interface TradeCursor {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  /** id of the newest stored trade, newest by (timestamp, id) */
  lastTradeId: string;
  lastTimestamp: number;
  /** trades stored for this symbol */
  count: number;
  /**
   * The newest trade up to which the symbol's stored history had no known hole when it was
   * written (no gap window open or being backfilled): a restarted process resumes from here, not
   * from `lastTradeId`, so a hole a crash interrupted the filling of is found again. Absent in
   * stores written before it existed, and before the symbol's first hole-free commit.
   */
  resumeTradeId?: string;
  resumeTimestamp?: number;
}

export interface WriteOptions {
  /**
   * symbols of the batch whose history has a known hole right now (a gap window open, queued or
   * being backfilled): their resume point stays where it was
   */
  openGaps?: ReadonlySet<string>;
}

/**
 * A batch of trades as columns (writeTradeRows): every row a trade of one exchange and market with
 * a numeric id (keys.ts idPart: a canonical integer of at most 15 digits), row i's symbol at
 * `symbols[i]`. What the pipeline's buffer holds anyway: no record object per trade is made to
 * store them.
 */
export interface TradeRows {
  readonly exchange: ExchangeId;
  readonly market: Market;
  readonly symbols: readonly string[];
  /** ids: kind 'numeric' */
  readonly columns: TradeColumns;
}

export interface WriteResult {
  /** records newly stored by this batch */
  written: number;
  /** trades whose id is already stored (whatever their timestamp) and therefore not stored again */
  duplicates: number;
}

export interface RangeQuery {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  /** absent: both types, merged by timestamp */
  type?: 'trade' | 'ticker';
  /** inclusive lower bound on `timestamp` (ms) */
  from?: number;
  /** inclusive upper bound on `timestamp` (ms) */
  to?: number;
}

/** one symbol's trades as columns (readTradeColumns) */
export interface ColumnQuery {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  /** inclusive lower bound on `timestamp` (ms) */
  from?: number;
  /** inclusive upper bound on `timestamp` (ms) */
  to?: number;
}

export interface ColumnReadOptions {
  /**
   * true: every block of the scan is decoded into the same memory, so a TradeColumns handed out is
   * valid only until the next one is taken (copy what must outlive it). No new memory per block:
   * faster, for a scan that finishes with each block before the next (sums, candles, a pass over
   * the range). false (default): each block's columns are new arrays, the caller's to keep.
   */
  reuse?: boolean;
}

/**
 * readRange's records. The store reads synchronously underneath, so `for (const r of …)` is the fast
 * way (no promise per record); `for await` works too. Each iteration is a fresh scan of the range.
 */
export interface RangeRecords extends Iterable<MarketRecord>, AsyncIterable<MarketRecord> {}

/** what a reader of records needs from a store; a stand-in may answer asynchronously only */
export interface RecordSource {
  readRange(query: RangeQuery): Iterable<MarketRecord> | AsyncIterable<MarketRecord>;
}

export interface HistoryStore {
  /**
   * one LMDB transaction: the records and the per-symbol cursors; resolves once committed (durable).
   * A failed commit (disk full, I/O error) rejects with TV_ERR_STORE_WRITE_FAILED and stores none
   * of the batch, so the same batch can simply be written again.
   */
  writeBatch(records: readonly MarketRecord[], options?: WriteOptions): Promise<WriteResult>;
  /**
   * writeBatch for a batch of trades held as columns: the same transaction, outcome and refusals
   * as writeBatch of the same trades as records. Optional: a writer without it is given records.
   */
  writeTradeRows?(rows: TradeRows, options?: WriteOptions): Promise<WriteResult>;
  /** one symbol's time range = one range scan per type, ascending by (timestamp, id) */
  readRange(query: RangeQuery): RangeRecords;
  /**
   * one symbol's trades in the range as columns: one TradeColumns per stored block, trimmed to the
   * range, ascending by (timestamp, id); no object per trade. Iterate it before the next write
   * when the columns must be one consistent view (each block is read as committed at the time).
   */
  readTradeColumns(query: ColumnQuery, options?: ColumnReadOptions): Iterable<TradeColumns>;
  readCursor(exchange: ExchangeId, market: Market, symbol: string): TradeCursor | undefined;
  listCursors(): TradeCursor[];
  /** waits for writes already queued, then closes the environment */
  close(): Promise<void>;
}
