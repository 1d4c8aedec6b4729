/**
 * store: N trades of one Binance-like symbol written in batches through tickvisor's history store
 * and through the naive layout (one LMDB put per trade), each in its own process → bytes per trade
 * on disk, write and read rates; the columnar read when the store has one; the DuckDB scan of a
 * Parquet export made by tickvisor's own export (bench/store/duckdb-scan.ts).
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
  /** the series exported to Parquet (tickvisor export), then one full DuckDB scan of the file */
  duckdbScanTradesPerSec: number | null;
  exportParquetTradesPerSec: number | null;
  parquetBytesPerTrade: number | null;
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

export async function store(count: number, batchSize: number): Promise<StoreResult> {
  const tv = await layout('tickvisor', count, batchSize);
  const naive = await layout('naive', count, batchSize).catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }));
  return {
    trades: count,
    batchSize,
    bytesMeasure: BYTES_MEASURE,
    bytesOnDisk: tv.bytesOnDisk,
    bytesPerTrade: tv.bytesPerTrade,
    writeTradesPerSec: tv.writeTradesPerSec,
    readTradesPerSec: tv.readTradesPerSec,
    readColumnarTradesPerSec: tv.readColumnarTradesPerSec,
    duckdbScanTradesPerSec: tv.duckdbScanTradesPerSec,
    exportParquetTradesPerSec: tv.exportParquetTradesPerSec,
    parquetBytesPerTrade: tv.parquetBytesPerTrade,
    notes: tv.notes,
    naive,
  };
}
