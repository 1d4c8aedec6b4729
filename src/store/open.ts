/** Opens the LMDB environment and assembles the HistoryStore from the read and write halves. */
import type { Key, RootDatabase } from 'lmdb';
import type { MarketRecord, Ticker } from '../records.js';
import type { TailState } from './block-store.js';
import { StoreError } from './errors.js';
import { assertCurrentFormat, markCurrentFormat, storeFormat } from './format.js';
import { splitBySymbols } from './commit-split.js';
import { openEnvironment, reasonOf } from './open-env.js';
import { listCursors, readCursor, readRange, readTradeColumns, tickerEventStored, tickerStored } from './read.js';
import type { HistoryStore, HistoryStoreOptions, TradeRows, WriteOptions, WriteResult } from './types.js';
import { JournalState } from './journal.js';
import { applyTradeRowsJournaled, foldJournal } from './journal-write.js';
import { assertStorableRows } from './write-rows.js';
import { WriterCache } from './writer-cache.js';
import { applyBatch, assertStorable, type StoreDbs, type StoredCursor, type WriterState } from './write.js';

/**
 * The store as opened here: the HistoryStore plus its LMDB environment, where the side databases
 * live (the quarantine, raw frames: see quarantine.ts, raw-frames.ts).
 */
export interface OpenedHistoryStore extends HistoryStore {
  readonly env: RootDatabase;
  /** true when a ticker equal on (timestamp, localTimestamp) is stored: reparse's "this frame was read" */
  tickerStored(ticker: Ticker): boolean;
  /** true when a ticker of the same exchange event (time and values, any local time) is stored: the archiver's check */
  tickerEventStored(ticker: Ticker): boolean;
}

/** the databases of store format 2, opened (and created) for writing */
export function openStoreDbs(root: RootDatabase): StoreDbs {
  return {
    tradeBlocks: root.openDB<Uint8Array, Key>({ name: 'tradeBlocks', encoding: 'binary' }),
    tickerBlocks: root.openDB<Uint8Array, Key>({ name: 'tickerBlocks', encoding: 'binary' }),
    cursors: root.openDB<StoredCursor, Key>({ name: 'cursors', encoding: 'msgpack' }),
    tradeIds: root.openDB<Uint8Array, Key>({ name: 'tradeIds', encoding: 'binary' }),
    idBlocks: root.openDB<Uint8Array, Key>({ name: 'idBlocks', encoding: 'binary' }),
    tails: root.openDB<TailState, Key>({ name: 'tails', encoding: 'msgpack' }),
    journal: root.openDB<Uint8Array, Key>({ name: 'tradeJournal', encoding: 'binary' }),
  };
}

export function openHistoryStore(options: HistoryStoreOptions): OpenedHistoryStore {
  const durable = options.noSync !== true;
  const root = openEnvironment({
    path: options.path,
    noSync: !durable,
    ...(options.mapSize !== undefined ? { mapSize: options.mapSize } : {}),
    ...(options.readOnly ? { readOnly: true } : {}),
  });
  let dbs: StoreDbs;
  try {
    const format = storeFormat(root);
    assertCurrentFormat(format, options.path);
    if (options.readOnly) {
      dbs = openForReading(root, options.path);
    } else {
      dbs = openStoreDbs(root);
      if (format === 'empty' || format === 'journal-less') markCurrentFormat(root);
    }
  } catch (error) {
    void root.close().catch(() => undefined);
    if (error instanceof StoreError) throw error;
    throw new StoreError('TV_ERR_STORE_OPEN', `cannot open the store at ${options.path}: ${reasonOf(error)}`, { cause: error, userError: true });
  }
  const state: WriterState = { journal: new JournalState(), idValue: Buffer.alloc(8), cache: new WriterCache() };
  /** batches between writeBatch's call and their commit's outcome (see writer-cache.ts) */
  let inFlight = 0;
  const gate = options.faultGate;
  let closed = false;

  /** a fault scenario's full disk (fault-gate.ts): the commit fails as LMDB's would, nothing stored */
  function refuseIfGated(): void {
    const refused = gate?.failure();
    if (refused !== undefined) throw new StoreError('TV_ERR_STORE_WRITE_FAILED', `store commit failed at ${options.path}: ${refused}`);
  }

  function assertOpen(): void {
    if (closed) throw new StoreError('TV_ERR_STORE_CLOSED', `history store at ${options.path} is closed`);
  }

  async function commit(apply: (openGaps: ReadonlySet<string> | undefined) => WriteResult, openGaps: ReadonlySet<string> | undefined): Promise<WriteResult> {
    inFlight++;
    try {
      // a child transaction: should applyBatch throw half-way (a block that cannot be decoded),
      // lmdb-js aborts what it wrote; a plain transaction() would commit the half (its queue
      // commits every callback's writes together, a thrown one's too)
      const result = await dbs.cursors.childTransaction(() => {
        // alone in flight: every earlier batch's outcome is known, so the cache mirrors the disk
        state.cache.trusted = inFlight === 1;
        state.cache.nextBatch();
        return apply(openGaps);
      });
      // With overlappingSync (lmdb-js default off Windows) a commit becomes visible before it is
      // flushed; "stored" means durable, so wait for the flush too. Not pipelined (starting the
      // next batch's transaction while this one flushes): LMDB runs one write transaction at a
      // time, so the only overlap to win is this fsync, and on the machines measured it ends
      // within ~0.1 ms of the commit (`flushed` already settled when awaited). On a disk with
      // slow fsyncs it would be worth it; see the pipeline's notes on how.
      if (durable) await root.flushed;
      return result;
    } catch (error) {
      // whatever this batch (or one sharing its transaction) cached may never have reached the disk
      state.cache.clear();
      state.journal.invalidate();
      if (error instanceof StoreError) throw error;
      throw new StoreError('TV_ERR_STORE_WRITE_FAILED', `store commit failed at ${options.path}: ${await commitReason(error)}`, { cause: error });
    } finally {
      inFlight--;
    }
  }

  return {
    env: root,
    async writeBatch(records: readonly MarketRecord[], writeOptions?: WriteOptions): Promise<WriteResult> {
      assertOpen();
      if (options.readOnly) throw new StoreError('TV_ERR_STORE_READ_ONLY', `history store at ${options.path} was opened read-only`);
      if (records.length === 0) return { written: 0, duplicates: 0 };
      assertStorable(records);
      refuseIfGated();
      // a trade written directly must come after the journal's rows of its symbol (journal.ts)
      const trades = records.some((r) => r.type === 'trade');
      return commit((openGaps) => {
        if (trades) foldJournal(dbs, state);
        return applyBatch(records, dbs, state, openGaps);
      }, writeOptions?.openGaps);
    },
    async writeTradeRows(rows: TradeRows, writeOptions?: WriteOptions): Promise<WriteResult> {
      assertOpen();
      if (options.readOnly) throw new StoreError('TV_ERR_STORE_READ_ONLY', `history store at ${options.path} was opened read-only`);
      if (rows.columns.length === 0) return { written: 0, duplicates: 0 };
      assertStorableRows(rows);
      const total: WriteResult = { written: 0, duplicates: 0 };
      // a batch over many symbols is several commits (commit-split.ts)
      for (const part of splitBySymbols(rows, options.maxSymbolsPerCommit)) {
        refuseIfGated();
        const result = await commit((openGaps) => applyTradeRowsJournaled(part, dbs, state, openGaps), writeOptions?.openGaps);
        total.written += result.written;
        total.duplicates += result.duplicates;
      }
      return total;
    },
    readRange(query) {
      assertOpen();
      return readRange(dbs, query);
    },
    readTradeColumns(query, readOptions) {
      assertOpen();
      return readTradeColumns(dbs, query, readOptions);
    },
    tickerStored(ticker) {
      assertOpen();
      return tickerStored(dbs, ticker);
    },
    tickerEventStored(ticker) {
      assertOpen();
      return tickerEventStored(dbs, ticker);
    },
    readCursor(exchange, market, symbol) {
      assertOpen();
      return readCursor(dbs, exchange, market, symbol);
    },
    listCursors() {
      assertOpen();
      return listCursors(dbs);
    },
    async close() {
      if (closed) return;
      // a store closed cleanly keeps no journal (a reader of the blocks alone sees everything)
      if (!options.readOnly && inFlight === 0 && gate?.failure() === undefined && dbs.journal !== undefined && dbs.journal.getKeysCount({ limit: 1 }) > 0) {
        await commit(() => {
          foldJournal(dbs, state);
          return { written: 0, duplicates: 0 };
        }, undefined).catch(() => undefined);
      }
      closed = true;
      await root.close();
    },
  };
}

/**
 * lmdb-js rejects a failed commit's writes with "Commit failed (see commitError for details)" and
 * rejects a second promise, `error.commitError`, with the real cause (ENOSPC, EIO, map full). That
 * second promise has no handler of its own: left alone it is an unhandled rejection, which ends
 * the process. So it is always handled here, and read for the reason when it has already settled
 * (lmdb-js rejects it in the same callback, before our handler runs).
 */
async function commitReason(error: unknown): Promise<string> {
  const commitError = (error as { commitError?: unknown } | null)?.commitError;
  if (commitError instanceof Promise) {
    const cause: unknown = await Promise.race([commitError.then(() => undefined, (e: unknown) => e), Promise.resolve(undefined)]);
    if (cause !== undefined) return reasonOf(cause);
  }
  return reasonOf(error);
}

/**
 * The databases a reader needs. A read-only environment cannot create a named database: one that
 * was never written is missing (undefined from lmdb-js), so a store without records is said so
 * plainly. The writer's bookkeeping (id indexes, tails) is never touched by reads.
 */
function openForReading(root: RootDatabase, path: string): StoreDbs {
  const open = <V>(name: string, encoding: 'binary' | 'msgpack') => root.openDB<V, Key>({ name, encoding }) as ReturnType<RootDatabase['openDB']> | undefined;
  const tradeBlocks = open<Uint8Array>('tradeBlocks', 'binary') as StoreDbs['tradeBlocks'] | undefined;
  const tickerBlocks = open<Uint8Array>('tickerBlocks', 'binary') as StoreDbs['tickerBlocks'] | undefined;
  const cursors = open<StoredCursor>('cursors', 'msgpack') as StoreDbs['cursors'] | undefined;
  if (tradeBlocks === undefined || tickerBlocks === undefined || cursors === undefined) {
    throw new StoreError('TV_ERR_STORE_OPEN', `cannot open the store at ${path}: nothing stored there yet`, { userError: true });
  }
  const unused = tradeBlocks as unknown as StoreDbs['tails']; // a read-only store never writes
  // absent in a store written before the journal, or never journaled to
  const journal = open<Uint8Array>('tradeJournal', 'binary') as StoreDbs['journal'];
  return { tradeBlocks, tickerBlocks, cursors, tradeIds: tradeBlocks, idBlocks: tradeBlocks, tails: unused, ...(journal !== undefined && { journal }) };
}
