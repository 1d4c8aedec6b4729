/**
 * Appending book records inside one write transaction (the sink's commit, sink.ts), as blocks
 * (block-codec.ts). Synchronous on purpose: lmdb-js holds the write lock meanwhile.
 */
import type { RootDatabase } from 'lmdb';
import { EXCHANGE_IDS, MARKETS, type BookRecord } from '../../records.js';
import { encodeBookBlock } from './block-codec.js';
import { KIND_CODE } from './codec.js';
import { lastBookKey, nextBookKey, type BookDbs, type BookKey } from './keys.js';
import type { PendingRun } from './pending-run.js';
import type { SheddableRun } from './shed.js';

const SYNC_VALUES: Readonly<Record<'snapshot' | 'resync', Uint8Array>> = {
  snapshot: Uint8Array.of(KIND_CODE.snapshot),
  resync: Uint8Array.of(KIND_CODE.resync),
};

/**
 * Each symbol's last stored key, as this process last wrote it. Read from the database on a
 * symbol's first record; cleared whenever a commit fails (what it held may never have reached disk).
 */
export class BookKeyCache {
  private readonly last = new Map<string, BookKey>();

  /** the keys of the run's first `n` records, into keyTimes/keyNs [0, n) */
  takeRun(dbs: BookDbs, run: PendingRun, n: number, keyTimes: Float64Array, keyNs: Float64Array): void {
    let prev = this.last.get(run.id) ?? lastBookKey(dbs.records, run.exchange, run.market, run.symbol);
    for (let i = 0; i < n; i++) {
      prev = nextBookKey(prev, run.timestamps[i]!);
      keyTimes[i] = prev.time;
      keyNs[i] = prev.n;
    }
    if (prev !== undefined) this.last.set(run.id, prev);
  }

  clear(): void {
    this.last.clear();
  }
}

/** a block is cut at this many records or levels (so a value stays some tens of KB at most) */
export const BLOCK_MAX_RECORDS = 256;
export const BLOCK_MAX_LEVELS = 16_384;

let keyTimes = new Float64Array(1024);
let keyNs = new Float64Array(1024);

/**
 * The first `committing` records of each run, committed in one child transaction (a throw half-way
 * aborts what it wrote; a plain one would commit it) and, when `durable`, flushed to disk before
 * this resolves. On a failure the key cache is dropped before the error goes on: the keys this
 * commit took may never have reached the disk, so they are read again next time.
 */
export async function commitBookRuns(env: RootDatabase, dbs: BookDbs, keys: BookKeyCache, runs: readonly SheddableRun[], durable: boolean): Promise<void> {
  try {
    await dbs.records.childTransaction(() => appendBookRuns(dbs, keys, runs));
    if (durable) await env.flushed;
  } catch (error) {
    keys.clear();
    throw error;
  }
}

/**
 * Runs inside the transaction: the first `committing` records of each run in blocks (one value per
 * BLOCK_MAX_RECORDS / BLOCK_MAX_LEVELS), each block under its first record's key; snapshots and
 * resyncs indexed at their own keys.
 */
export function appendBookRuns(dbs: BookDbs, keys: BookKeyCache, runs: readonly SheddableRun[]): void {
  for (const { run, committing: count } of runs) {
    if (count === 0) continue;
    if (keyTimes.length < count) (keyTimes = new Float64Array(count * 2)), (keyNs = new Float64Array(count * 2));
    keys.takeRun(dbs, run, count, keyTimes, keyNs);
    const levelStart = run.levelStart;
    let from = 0;
    while (from < count) {
      let to = from + 1;
      // a record bigger than the level bound alone still makes its own block
      while (to < count && to - from < BLOCK_MAX_RECORDS && levelStart[to + 1]! - levelStart[from]! <= BLOCK_MAX_LEVELS) to++;
      dbs.records.putSync([run.exchange, run.market, run.symbol, keyTimes[from]!, keyNs[from]!], encodeBookBlock(run, keyTimes, keyNs, from, to));
      from = to;
    }
    const kinds = run.kinds;
    for (let i = 0; i < count; i++) {
      const kind = kinds[i]!;
      if (kind !== KIND_CODE.update) dbs.syncs.putSync([run.exchange, run.market, run.symbol, keyTimes[i]!, keyNs[i]!], kind === KIND_CODE.snapshot ? SYNC_VALUES.snapshot : SYNC_VALUES.resync);
    }
  }
}

const EXCHANGES = new Set<string>(EXCHANGE_IDS);
const MARKET_NAMES = new Set<string>(MARKETS);

/** a symbol a key can hold: checked once per run (the sink's records of a run share it) */
export function bookSymbolStorable(r: Pick<BookRecord, 'exchange' | 'market' | 'symbol'>): boolean {
  return EXCHANGES.has(r.exchange) && MARKET_NAMES.has(r.market) && typeof r.symbol === 'string' && r.symbol !== '';
}
