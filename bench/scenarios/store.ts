/**
 * store: N trades of one Binance-like symbol written in batches through tickvisor's history store
 * and through the naive layout (one LMDB put per trade), each in its own process → bytes per trade
 * on disk, write and read rates; the columnar read when the store has one; the DuckDB scan of a
 * Parquet export made by tickvisor's own export (bench/store/duckdb-scan.ts).
 */
import { startChild } from '../lib/child.js';
import type { StoreLayout, StoreLayoutResult, StoreRunArg } from '../store/store-child.js';

/** tickvisor's figures (the layout's own, see StoreLayoutResult), how bytes were measured, and the naive peer */
export interface StoreResult extends Omit<StoreLayoutResult, 'layout'> {
  batchSize: number;
  /** how bytesPerTrade is measured */
  bytesMeasure: string;
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
  const { layout: _tickvisor, ...figures } = tv;
  return { ...figures, batchSize, bytesMeasure: BYTES_MEASURE, naive };
}
