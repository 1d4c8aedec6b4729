// The analysis path the store feeds: the stored series exported to Parquet with tickvisor's own
// export (src/analysis/export), then one full scan of that file by DuckDB (count and sum of the
// amounts, checked against what was written) → trades/s of the scan; the export's rate beside it.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import { exportHistory } from '../../src/analysis/export/index.js';
import type { HistoryStore } from '../../src/store/index.js';
import { lotsOf } from './columnar-read.js';
import { SERIES_SYMBOL } from './trade-series.js';

export interface DuckdbScan {
  exportParquetTradesPerSec: number;
  parquetBytesPerTrade: number;
  duckdbScanTradesPerSec: number;
}

const perSec = (n: number, ms: number) => (ms > 0 ? Math.round((n * 1000) / ms) : 0);

export async function duckdbScan(store: Pick<HistoryStore, 'readRange' | 'listCursors'>, dir: string, count: number, expectLots: number): Promise<DuckdbScan> {
  const out = join(dir, 'series.parquet');
  const e0 = performance.now();
  const exported = await exportHistory(store, { ...SERIES_SYMBOL, symbols: [SERIES_SYMBOL.symbol], type: 'trade' }, { format: 'parquet', out });
  const exportMs = performance.now() - e0;
  if (exported.rows !== count) throw new Error(`export wrote ${exported.rows} trades, ${count} were stored`);
  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  try {
    // best of three: the first scan also pays for reading the file into the page cache
    let best = Infinity;
    for (let pass = 0; pass < 3; pass++) {
      const s0 = performance.now();
      const reader = await duck.runAndReadAll(`SELECT count(*)::DOUBLE AS n, sum(round(amount * 100000))::DOUBLE AS lots FROM read_parquet('${out.replaceAll("'", "''")}')`);
      const ms = performance.now() - s0;
      const [row] = reader.getRowObjects();
      if (Number(row?.n) !== count) throw new Error(`DuckDB counted ${String(row?.n)} trades in the Parquet file, ${count} were stored`);
      if (Number(row?.lots) !== expectLots) throw new Error('DuckDB: the amounts in the Parquet file do not add up to those stored');
      best = Math.min(best, ms);
    }
    return { exportParquetTradesPerSec: perSec(count, exportMs), parquetBytesPerTrade: Math.round((exported.bytes / count) * 100) / 100, duckdbScanTradesPerSec: perSec(count, best) };
  } finally {
    duck.closeSync();
  }
}
