/**
 * The columns of an exported file, one list per record type, in file order. Every format writes
 * the same columns with the same names, so a file can be swapped for another format's.
 */
import type { MarketRecord } from '../../records.js';

export type ExportType = 'trade' | 'ticker';
export const EXPORT_TYPES: readonly ExportType[] = ['trade', 'ticker'];

export interface ExportColumn {
  name: string;
  /** string: UTF-8 text; time: ms since epoch (whole ms); number: float64 */
  kind: 'string' | 'time' | 'number';
  /** absent from some records (a ticker field the venue does not send): null / empty / omitted */
  optional?: boolean;
}

const VENUE: ExportColumn[] = [
  { name: 'exchange', kind: 'string' },
  { name: 'market', kind: 'string' },
  { name: 'symbol', kind: 'string' },
];

export const TRADE_COLUMNS: readonly ExportColumn[] = [
  ...VENUE,
  { name: 'id', kind: 'string' },
  { name: 'timestamp', kind: 'time' },
  { name: 'localTimestamp', kind: 'time' },
  { name: 'price', kind: 'number' },
  { name: 'amount', kind: 'number' },
  { name: 'side', kind: 'string' },
];

export const TICKER_COLUMNS: readonly ExportColumn[] = [
  ...VENUE,
  { name: 'timestamp', kind: 'time' },
  { name: 'localTimestamp', kind: 'time' },
  { name: 'last', kind: 'number' },
  ...(['bid', 'ask', 'bidSize', 'askSize', 'high24h', 'low24h', 'volume24h', 'quoteVolume24h'] as const).map(
    (name): ExportColumn => ({ name, kind: 'number', optional: true }),
  ),
];

export function columnsFor(type: ExportType): readonly ExportColumn[] {
  return type === 'trade' ? TRADE_COLUMNS : TICKER_COLUMNS;
}

/** a record's value for a column; undefined when the record has none */
export function valueOf(record: MarketRecord, column: ExportColumn): string | number | undefined {
  const value = (record as unknown as Record<string, unknown>)[column.name];
  if (value === undefined || value === null) return undefined;
  if (column.kind === 'string') return String(value);
  const n = typeof value === 'number' ? value : Number(value);
  // stored times are whole ms; a fraction (none is stored today) is rounded so every format agrees
  return column.kind === 'time' ? Math.round(n) : n;
}
