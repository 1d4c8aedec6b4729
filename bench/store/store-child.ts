// The store bench in its own process (one process per layout, so neither's heap or page cache
// state leaks into the other's figures): write the series in batches, close, measure the file,
// reopen read-only, read it all back.
//   tickvisor  openHistoryStore (src/store): writeBatch per batch, readRange, readTradeColumns when the store has it
//   naive      one LMDB put per trade (the record as a msgpack object, keyed by symbol, time, id),
//              one transaction per batch, read back with getRange
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import type { Trade } from '../../src/records.js';
import { openHistoryStore } from '../../src/store/index.js';
import type { HistoryStore, RangeQuery } from '../../src/store/index.js';
import { round } from '../lib/burst-meter.js';
import { serve } from '../lib/protocol.js';
import { hasColumnarRead, lotsOf, scanColumns } from './columnar-read.js';
import { duckdbScan } from './duckdb-scan.js';
import { SERIES_SYMBOL, tradeSeries } from './trade-series.js';

export type StoreLayout = 'tickvisor' | 'naive';

export interface StoreRunArg {
  layout: StoreLayout;
  count: number;
  batchSize: number;
}

export interface StoreLayoutResult {
  layout: StoreLayout;
  trades: number;
  /** size of data.mdb after close, bytes (every database in the environment: records, indexes, cursors, free pages) */
  bytesOnDisk: number;
  bytesPerTrade: number;
  writeTradesPerSec: number;
  /** history records (objects) per second through a full range read */
  readTradesPerSec: number;
  /** typed-array columns per second, each block decoded into the same memory (`reuse`); null when the store has no columnar read (see note) */
  readColumnarTradesPerSec: number | null;
  /** the same with new arrays for every block (columns the caller keeps) */
  readColumnarFreshTradesPerSec: number | null;
  /** the series exported to Parquet by tickvisor's export, then scanned whole by DuckDB (null: naive layout) */
  duckdbScanTradesPerSec: number | null;
  exportParquetTradesPerSec: number | null;
  parquetBytesPerTrade: number | null;
  notes: string[];
}

/**
 * Reads are timed as the best of three full passes, for both layouts alike: a single pass over a
 * few hundred thousand trades is mostly the JIT warming up the decoders (measured: 2.5M columnar
 * trades/s on a first pass, 30M+ on the third), not what a reader of a store gets.
 */
const READ_PASSES = 3;
async function bestOf(passes: number, run: () => Promise<number>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < passes; i++) best = Math.min(best, await run());
  return best;
}

const perSec = (n: number, ms: number) => (ms > 0 ? Math.round((n * 1000) / ms) : 0);
const QUERY: RangeQuery = { ...SERIES_SYMBOL, type: 'trade' };

/** the series in memory first, so generating it is not timed as writing it */
function series(count: number, batchSize: number): Trade[][] {
  return [...tradeSeries(count, batchSize)];
}

async function runTickvisor(arg: StoreRunArg, dir: string, batches: Trade[][], expectLots: number): Promise<StoreLayoutResult> {
  const notes: string[] = [];
  const store = openHistoryStore({ path: dir });
  const t0 = performance.now();
  for (const batch of batches) await store.writeBatch(batch);
  const writeMs = performance.now() - t0;
  await store.close();
  dropSeries(batches);
  const bytesOnDisk = statSync(join(dir, 'data.mdb')).size;

  const reader: HistoryStore = openHistoryStore({ path: dir, readOnly: true });
  try {
    let n = 0;
    const readMs = await bestOf(READ_PASSES, async () => {
      global.gc?.();
      n = 0;
      let lots = 0;
      const r0 = performance.now();
      // taken synchronously, as the store reads (RangeRecords): `for await` would time a promise per record
      for (const r of reader.readRange(QUERY)) {
        n++;
        if (r.type === 'trade') lots += lotsOf(r.amount);
      }
      const ms = performance.now() - r0;
      check('readRange', n, arg.count, lots, expectLots);
      return ms;
    });

    let readColumnarTradesPerSec: number | null = null;
    let readColumnarFreshTradesPerSec: number | null = null;
    if (hasColumnarRead(reader)) {
      const columnar = (reuse: boolean) =>
        bestOf(READ_PASSES, async () => {
          global.gc?.();
          const scan = await scanColumns(reader, QUERY, reuse);
          check('readTradeColumns', scan.rows, arg.count, scan.lots, expectLots);
          return scan.ms;
        });
      readColumnarTradesPerSec = perSec(arg.count, await columnar(true));
      readColumnarFreshTradesPerSec = perSec(arg.count, await columnar(false));
      notes.push(`columnar: each block decoded into the same memory ({ reuse: true }); with new arrays per block ${readColumnarFreshTradesPerSec.toLocaleString('en-US')}/s`);
    } else notes.push('no columnar read in this store (HistoryStore.readTradeColumns absent): readColumnarTradesPerSec is null');
    global.gc?.();
    const duck = await duckdbScan(reader, dir, arg.count, expectLots);

    return {
      layout: 'tickvisor',
      trades: arg.count,
      bytesOnDisk,
      bytesPerTrade: round(bytesOnDisk / arg.count, 2),
      writeTradesPerSec: perSec(arg.count, writeMs),
      readTradesPerSec: perSec(n, readMs),
      readColumnarTradesPerSec,
      readColumnarFreshTradesPerSec,
      ...duck,
      notes,
    };
  } finally {
    await reader.close();
  }
}

async function runNaive(arg: StoreRunArg, dir: string, batches: Trade[][], expectLots: number): Promise<StoreLayoutResult> {
  const { exchange, market, symbol } = SERIES_SYMBOL;
  // lmdb-js defaults (msgpack values), durable like the store: one transaction per batch, then the flush
  const db = open<Trade, [string, string, string, number, string]>({ path: dir, noSubdir: false });
  const t0 = performance.now();
  for (const batch of batches) {
    await db.transaction(() => {
      for (const t of batch) void db.put([t.exchange, t.market, t.symbol, t.timestamp, t.id], t);
    });
    await db.flushed;
  }
  const writeMs = performance.now() - t0;
  await db.close();
  dropSeries(batches);
  const bytesOnDisk = statSync(join(dir, 'data.mdb')).size;

  const reader = open<Trade, [string, string, string, number, string]>({ path: dir, noSubdir: false, readOnly: true });
  try {
    let n = 0;
    const readMs = await bestOf(READ_PASSES, async () => {
      global.gc?.();
      n = 0;
      let lots = 0;
      const r0 = performance.now();
      for (const { value } of reader.getRange({ start: [exchange, market, symbol, 0, ''], end: [exchange, market, symbol, Number.MAX_SAFE_INTEGER, ''] })) {
        n++;
        lots += lotsOf(value.amount);
      }
      const ms = performance.now() - r0;
      check('naive getRange', n, arg.count, lots, expectLots);
      return ms;
    });
    return {
      layout: 'naive',
      trades: arg.count,
      bytesOnDisk,
      bytesPerTrade: round(bytesOnDisk / arg.count, 2),
      writeTradesPerSec: perSec(arg.count, writeMs),
      readTradesPerSec: perSec(n, readMs),
      readColumnarTradesPerSec: null,
      readColumnarFreshTradesPerSec: null,
      duckdbScanTradesPerSec: null,
      exportParquetTradesPerSec: null,
      parquetBytesPerTrade: null,
      notes: ['one object per trade: no columnar read'],
    };
  } finally {
    await reader.close();
  }
}

/**
 * Empties the written series before the reads are timed. Kept, its 1M Trade objects (~230 MB of
 * heap) made every GC during a read slower (reads 2–4× slower in CPU and wall time, both layouts):
 * a process that reads a store (tickvisor query, an analysis script) does not hold what was written.
 */
function dropSeries(batches: Trade[][]): void {
  batches.length = 0;
  global.gc?.();
}

/** a read that misses or invents a trade would make its rate meaningless: fail the layout instead */
function check(what: string, n: number, count: number, lots: number, expectLots: number): void {
  if (n !== count) throw new Error(`${what} returned ${n} trades, ${count} were written`);
  if (lots !== expectLots) throw new Error(`${what}: the amounts read back do not add up to those written`);
}

async function run(arg: StoreRunArg): Promise<StoreLayoutResult> {
  const batches = series(arg.count, arg.batchSize);
  let expectLots = 0;
  for (const b of batches) for (const t of b) expectLots += lotsOf(t.amount);
  const dir = mkdtempSync(join(tmpdir(), `tickvisor-bench-store-${arg.layout}-`));
  try {
    global.gc?.();
    return arg.layout === 'tickvisor' ? await runTickvisor(arg, dir, batches, expectLots) : await runNaive(arg, dir, batches, expectLots);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

serve({ run });
