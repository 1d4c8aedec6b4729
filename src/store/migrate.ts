/**
 * Store format 1 (tickvisor 0.1: one key per record) → format 2 (blocks of columns), in place:
 *
 * 1. the id bookkeeping (`tradeIds`, `idBlocks`, cursors' `maxId`) is built if the 0.1 store
 *    predates it; its meaning is the same in both formats, so it is kept as it is;
 * 2. partial format-2 data from an interrupted run is cleared (blocks, tails): a restart starts over;
 * 3. the records are read in key order, i.e. each symbol's trades then tickers in store order, and
 *    appended as blocks exactly as live batches are (block-store.ts), in chunked transactions (one
 *    transaction over a large store would hold too many dirty pages);
 * 4. last, in one transaction: the `records` DB is dropped and the format marked 2. Until then the
 *    store is still format 1 and refused by everything but migrate.
 * Cursors (with their resume points) are not touched: they describe the same trades.
 *
 * Then the environment is copied compacted and the copy replaces data.mdb: LMDB never gives pages
 * back to the file system, so without it the file would keep format 1's size.
 */
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Database, Key, RootDatabase } from 'lmdb';
import type { MarketRecord, Ticker, Trade } from '../records.js';
import { appendRows, tailKey, type SymbolBlocks, type TailState } from './block-store.js';
import type { TickerColumns, TradeColumns } from './blocks/columns.js';
import { tickerColumnsFrom, tickerRows } from './blocks/ticker-rows.js';
import { tradeColumnsFrom, tradeRows } from './blocks/trade-rows.js';
import { StoreError } from './errors.js';
import { assertCurrentFormat, FORMAT_KEY, markCurrentFormat, META_DB, openExistingDb, STORE_FORMAT, storeFormat } from './format.js';
import { openStoreDbs } from './open.js';
import { openEnvironment, reasonOf } from './open-env.js';
import { buildTradeIdIndex } from './v1/id-index.js';
import { V1_RECORDS_DB } from './v1/keys.js';
import { decodeV1Record } from './v1/read.js';
import type { StoreDbs } from './write.js';

export interface MigrateResult {
  /** 'current': the store was format 2 already and nothing was done */
  status: 'migrated' | 'current';
  trades: number;
  tickers: number;
  /** distinct (exchange, market, symbol) */
  symbols: number;
}

export interface MigrateOptions {
  /** records read per transaction */
  chunk?: number;
  /** rows of one symbol gathered before they are written as blocks */
  flushRows?: number;
  /** copy the environment compacted over itself at the end (default true) */
  compact?: boolean;
  /** tests: stop (throw) after this many chunks, as a crash would */
  crashAfterChunks?: number;
}

const COMPACT_DIR_PREFIX = '.migrate-compact-';

export async function migrateStore(path: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const root = openEnvironment({ path, noSync: false });
  let result: MigrateResult;
  try {
    result = convert(root, path, options);
  } catch (error) {
    await root.close().catch(() => undefined);
    if (error instanceof StoreError) throw error;
    throw new StoreError('TV_ERR_STORE_WRITE_FAILED', `migrating the store at ${path} failed: ${reasonOf(error)}; run tickvisor migrate again to start over`, { cause: error });
  }
  removeStaleCopies(path);
  if (result.status === 'migrated' && options.compact !== false) await compactInPlace(root, path);
  else await root.close();
  return result;
}

function convert(root: RootDatabase, path: string, options: MigrateOptions): MigrateResult {
  const state = storeFormat(root);
  if (state === 'current') return { status: 'current', trades: 0, tickers: 0, symbols: 0 };
  if (state === 'journal-less') {
    // format 2 is format 3 with an empty journal: only the version changes
    markCurrentFormat(root);
    return { status: 'current', trades: 0, tickers: 0, symbols: 0 };
  }
  if (typeof state === 'object') assertCurrentFormat(state, path);
  const meta = root.openDB<unknown, string>({ name: META_DB, encoding: 'msgpack' });
  const dbs = openStoreDbs(root);
  const records = openExistingDb<Uint8Array>(root, V1_RECORDS_DB, 'binary');
  const counts = { status: 'migrated' as const, trades: 0, tickers: 0, symbols: 0 };
  if (records !== undefined) {
    buildTradeIdIndex(root, { records, cursors: dbs.cursors, tradeIds: dbs.tradeIds, idBlocks: dbs.idBlocks }, meta as Database<number, string>);
    root.transactionSync(() => {
      dbs.tradeBlocks.clearSync();
      dbs.tickerBlocks.clearSync();
      dbs.tails.clearSync();
    });
    copyRecords(root, records, dbs, counts, options);
  }
  root.transactionSync(() => {
    records?.dropSync();
    meta.putSync(FORMAT_KEY, STORE_FORMAT);
  });
  return counts;
}

/** one symbol's rows of one type on their way into blocks */
interface Run {
  name: string;
  prefix: Key[];
  type: 'trade' | 'ticker';
  rows: MarketRecord[];
  blocks: SymbolBlocks<TradeColumns> | SymbolBlocks<TickerColumns>;
}

function copyRecords(root: RootDatabase, records: Database<Uint8Array, Key>, dbs: StoreDbs, counts: MigrateResult, options: MigrateOptions): void {
  const chunk = options.chunk ?? 50_000;
  const flushRows = options.flushRows ?? 20_000;
  let run: Run | undefined;
  let lastSymbol = '';
  let start: Key | undefined;
  let chunks = 0;
  let done = false;

  const flush = (r: Run) => {
    if (r.rows.length === 0) return;
    if (r.type === 'trade') appendRows(r.blocks as SymbolBlocks<TradeColumns>, tradeColumnsFrom(r.rows as Trade[]));
    else appendRows(r.blocks as SymbolBlocks<TickerColumns>, tickerColumnsFrom(r.rows as Ticker[]));
    r.rows = [];
  };
  const finish = (r: Run) => {
    flush(r);
    const tail = r.blocks.tail;
    if (r.type === 'ticker') {
      // the newest ticker, for the writer's "is this row after everything stored?"
      const lastRow = lastTicker as Ticker;
      tail.last = [lastRow.timestamp, lastRow.localTimestamp];
    }
    // a trade tail too: the writer carries it into the cursor at the symbol's first batch (write.ts)
    dbs.tails.putSync(tailKey(r.prefix, r.type), tail);
  };
  let lastTicker: Ticker | undefined;

  while (!done) {
    if (options.crashAfterChunks !== undefined && chunks >= options.crashAfterChunks) throw new Error('migration stopped (test)');
    let seen = 0;
    let last: Key | undefined;
    root.transactionSync(() => {
      for (const { key, value } of records.getRange(start === undefined ? {} : { start })) {
        // the first key of a chunk was the last of the previous one, already copied
        if (seen === 0 && start !== undefined) {
          seen++;
          continue;
        }
        if (seen > chunk) return;
        seen++;
        last = key;
        const k = key as Key[];
        const record = decodeV1Record(k, value);
        const name = `${String(k[0])}\u0000${String(k[1])}\u0000${String(k[2])}`;
        if (run === undefined || run.name !== name || run.type !== record.type) {
          if (run !== undefined) finish(run);
          const prefix = [k[0], k[1], k[2]] as Key[];
          const tail: TailState = { blocks: 0, bytes: 0 };
          run = {
            name, prefix, type: record.type, rows: [],
            blocks: record.type === 'trade' ? { kind: tradeRows, db: dbs.tradeBlocks, prefix, tail } : { kind: tickerRows, db: dbs.tickerBlocks, prefix, tail },
          };
          if (name !== lastSymbol) counts.symbols++;
          lastSymbol = name;
        }
        run.rows.push(record);
        if (record.type === 'trade') counts.trades++;
        else {
          counts.tickers++;
          lastTicker = record;
        }
        if (run.rows.length >= flushRows) flush(run);
      }
      done = true;
      if (run !== undefined) finish(run);
    });
    // a chunk that ended mid-run leaves its rows in memory; they are written with the next chunk
    start = last;
    chunks++;
  }
}

/** copies left by a migration interrupted while compacting */
function removeStaleCopies(path: string): void {
  for (const name of readdirSync(path)) {
    if (name.startsWith(COMPACT_DIR_PREFIX)) rmSync(join(path, name), { recursive: true, force: true });
  }
}

/**
 * A compacted copy (lmdb's mdb_env_copy with MDB_CP_COMPACT) written beside data.mdb, then
 * renamed over it once the environment is closed: the rename is atomic, so the store is either
 * the migrated one or its compact copy, both complete.
 */
async function compactInPlace(root: RootDatabase, path: string): Promise<void> {
  const copy = join(path, `${COMPACT_DIR_PREFIX}${process.pid}`);
  mkdirSync(copy, { recursive: true });
  try {
    await root.backup(copy, true);
    await root.close();
    renameSync(join(copy, 'data.mdb'), join(path, 'data.mdb'));
  } finally {
    rmSync(copy, { recursive: true, force: true });
    await root.close().catch(() => undefined);
  }
}
