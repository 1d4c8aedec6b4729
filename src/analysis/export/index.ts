/** Stored history as files for other tools: Parquet, CSV, JSON lines. */
export { exportHistory, selectStreams, DEFAULT_ROW_GROUP_SIZE, EXPORT_FORMATS, type ExportFormat, type ExportOptions, type ExportResult, type ExportSelection } from './export-history.js';
export { columnsFor, EXPORT_TYPES, TICKER_COLUMNS, TRADE_COLUMNS, type ExportColumn, type ExportType } from './columns.js';
