/** CSV for history reads: one header for the record type asked for (or all columns for both). */
import type { MarketRecord } from '../records.js';

const TRADE = ['type', 'exchange', 'market', 'symbol', 'timestamp', 'localTimestamp', 'id', 'price', 'amount', 'side'] as const;
const TICKER = [
  'type', 'exchange', 'market', 'symbol', 'timestamp', 'localTimestamp', 'last', 'bid', 'ask', 'bidSize', 'askSize',
  'high24h', 'low24h', 'volume24h', 'quoteVolume24h',
] as const;
const BOTH = [...new Set<string>([...TRADE, ...TICKER])];

function columns(type: MarketRecord['type'] | undefined): readonly string[] {
  return type === 'trade' ? TRADE : type === 'ticker' ? TICKER : BOTH;
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(type: MarketRecord['type'] | undefined): string {
  return columns(type).join(',');
}

export function csvRow(record: MarketRecord, type: MarketRecord['type'] | undefined): string {
  const r = record as unknown as Record<string, unknown>;
  return columns(type)
    .map((c) => cell(r[c]))
    .join(',');
}
