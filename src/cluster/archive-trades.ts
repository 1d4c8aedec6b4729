/**
 * A chunk's trade messages as the archive writes them: numeric-id batches (Binance, OKX) stay the
 * columns their message carried and go to the store as one `TradeRows` per exchange × market
 * (`writeTradeRows`: no object per trade on the way, as the collector's own pipeline writes them);
 * batches of string ids (Bybit's UUIDs, Upbit's 17-digit ids) become records for `writeBatch`,
 * which keeps an index entry per string id. Pure.
 */
import type { ExchangeId, Market, Trade } from '../records.js';
import type { TradeColumns } from '../store/blocks/columns.js';
import { tradeRecordAt, tradeRows } from '../store/blocks/trade-rows.js';
import type { TradeRows } from '../store/index.js';
import type { TradeBatchColumns } from './batch-codec.js';

export interface TradeWrites {
  /** one per exchange × market with numeric ids */
  rows: TradeRows[];
  /** the string-id trades */
  records: Trade[];
}

/** `asRows` false: every trade as a record (a store without writeTradeRows) */
export function tradeWrites(batches: readonly TradeBatchColumns[], asRows = true): TradeWrites {
  const groups = new Map<string, { exchange: ExchangeId; market: Market; symbols: string[]; parts: TradeColumns[] }>();
  const records: Trade[] = [];
  for (const b of batches) {
    const c = b.columns;
    if (!asRows || c.ids.kind !== 'numeric') {
      for (let i = 0; i < c.length; i++) records.push(tradeRecordAt(c, i, b.exchange, b.market, b.symbol));
      continue;
    }
    const key = `${b.exchange}\u0000${b.market}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { exchange: b.exchange, market: b.market, symbols: [], parts: [] }));
    for (let i = 0; i < c.length; i++) g.symbols.push(b.symbol);
    g.parts.push(c);
  }
  const rows: TradeRows[] = [];
  for (const g of groups.values()) rows.push({ exchange: g.exchange, market: g.market, symbols: g.symbols, columns: g.parts.length === 1 ? (g.parts[0] as TradeColumns) : tradeRows.concat(g.parts) });
  return { rows, records };
}
