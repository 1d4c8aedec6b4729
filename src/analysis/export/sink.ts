/** Where exported rows go: one file format, fed row groups in order, finished once. */
import type { MarketRecord } from '../../records.js';

export interface ExportSink {
  /** one row group, in file order (bounded by the exporter's group size) */
  write(rows: readonly MarketRecord[]): Promise<void>;
  /** writes what a format needs at the end (Parquet's footer) and closes the file */
  finish(): Promise<void>;
  /** closes the file after a failure, without finishing it (the exporter then removes it) */
  abort(): Promise<void>;
}
