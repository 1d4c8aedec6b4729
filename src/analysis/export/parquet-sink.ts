/**
 * Parquet through hyparquet-writer (pure JS, no native code): one Parquet row group per group the
 * exporter hands over, written to disk in ~1 MB chunks as it goes, so memory stays at one group.
 * Types: strings BYTE_ARRAY UTF8 (dictionary-encoded when that pays, which it does for exchange,
 * market, symbol and side), prices and amounts DOUBLE, times INT64 TIMESTAMP(MILLIS, UTC)
 * delta-encoded (DELTA_BINARY_PACKED). Snappy-compressed.
 */
import { fileWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import type { MarketRecord } from '../../records.js';
import { columnsFor, valueOf, type ExportColumn, type ExportType } from './columns.js';
import type { ExportSink } from './sink.js';

function schemaElement(column: ExportColumn): SchemaElement {
  const repetition_type = column.optional ? 'OPTIONAL' : 'REQUIRED';
  switch (column.kind) {
    case 'string':
      return { name: column.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
    case 'time':
      return {
        name: column.name,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
        repetition_type,
      };
    case 'number':
      return { name: column.name, type: 'DOUBLE', repetition_type };
  }
}

export function parquetSchema(type: ExportType): SchemaElement[] {
  const columns = columnsFor(type);
  return [{ name: 'root', num_children: columns.length }, ...columns.map(schemaElement)];
}

/** Opens (creates or truncates) `path` at once: a path that cannot be written fails here. */
export function parquetSink(path: string, type: ExportType): ExportSink {
  const columns = columnsFor(type);
  const writer = new ParquetWriter({ writer: fileWriter(path), schema: parquetSchema(type), codec: 'SNAPPY', createdBy: 'tickvisor export (hyparquet-writer)' });
  return {
    async write(rows) {
      if (rows.length === 0) return;
      const columnData = columns.map((column) => ({
        name: column.name,
        data: columnValues(rows, column),
        // ascending times are small deltas: a fraction of PLAIN's 8 bytes a value
        ...(column.kind === 'time' ? { encoding: 'DELTA_BINARY_PACKED' as const } : {}),
      }));
      await writer.write({ columnData, rowGroupSize: rows.length });
    },
    async finish() {
      await writer.finish();
    },
    async abort() {
      // fileWriter holds no descriptor between chunks: nothing to close
    },
  };
}

function columnValues(rows: readonly MarketRecord[], column: ExportColumn): Float64Array | Array<string | number | null> {
  if (column.kind === 'number' && !column.optional) {
    const out = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = valueOf(rows[i]!, column) as number;
    return out;
  }
  const out = new Array<string | number | null>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = valueOf(rows[i]!, column) ?? null;
  return out;
}
