/**
 * store: N trades of one Binance-like symbol written in batches through tickvisor's history store
 * and through the naive layout (one LMDB put per trade), each in its own process → bytes per trade
 * on disk, write and read rates; the columnar read when the store has one; the DuckDB scan of a
 * Parquet export (a slot: see duckdbScan).
 */
import { startChild } from '../lib/child.js';
import type { StoreLayout, StoreLayoutResult, StoreRunArg } from '../store/store-child.js';

export interface StoreResult {
  trades: number;
  batchSize: number;
  /** how bytesPerTrade is measured */
  bytesMeasure: string;
  bytesOnDisk: number;
  bytesPerTrade: number;
  writeTradesPerSec: number;
  readTradesPerSec: number;
  readColumnarTradesPerSec: number | null;
  duckdbScanTradesPerSec: number | null;
  notes: string[];
  /** the same series through one LMDB put per trade (a msgpack object each) */
  naive: StoreLayoutResult | { error: string };
}

export const BYTES_MEASURE = 'size of data.mdb after close (the whole environment: records, id indexes, cursors, free pages)';

async function layout(name: StoreLayout, count: number, batchSize: number): Promise<StoreLayoutResult> {
  const child = await startChild(`store-${name}`, 'store/store-child.ts');
  try {
    const arg: StoreRunArg = { layout: name, count, batchSize };
    return await child.call<StoreLayoutResult>('run', arg);
  } finally {
    await child.stop();
  }
}

/**
 * SLOT for the merge: export the same trades to Parquet (`tickvisor export … --format parquet`) and
 * time a DuckDB scan of the file (`@duckdb/node-api`), trades/s. The export and the dependency come
 * from another branch of issue 13; until they are merged this reports null with a note.
 */
async function duckdbScan(): Promise<{ tradesPerSec: number | null; note?: string }> {
  return { tradesPerSec: null, note: 'duckdbScanTradesPerSec: not measured yet (needs the Parquet export and @duckdb/node-api; filled at merge)' };
}

export async function store(count: number, batchSize: number): Promise<StoreResult> {
  const tv = await layout('tickvisor', count, batchSize);
  const naive = await layout('naive', count, batchSize).catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }));
  const duck = await duckdbScan();
  return {
    trades: count,
    batchSize,
    bytesMeasure: BYTES_MEASURE,
    bytesOnDisk: tv.bytesOnDisk,
    bytesPerTrade: tv.bytesPerTrade,
    writeTradesPerSec: tv.writeTradesPerSec,
    readTradesPerSec: tv.readTradesPerSec,
    readColumnarTradesPerSec: tv.readColumnarTradesPerSec,
    duckdbScanTradesPerSec: duck.tradesPerSec,
    notes: [...tv.notes, ...(duck.note ? [duck.note] : [])],
    naive,
  };
}
