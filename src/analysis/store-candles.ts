/** Candles of one stored symbol: a streaming read of its trades through the aggregator. */
import type { ExchangeId, Market } from '../records.js';
import type { RecordSource } from '../store/types.js';
import { candlesFrom, type Candle } from './candles.js';
import { parseInterval } from './interval.js';

export interface CandleQuery {
  /** `<n>s|m|h|d`, 1s to 1d: `1m`, `5m`, `4h`, `1d` */
  interval: string;
  /** inclusive lower bound on trade time (ms); candles start at the interval holding it */
  from?: number;
  /** inclusive upper bound on trade time (ms) */
  to?: number;
}

/**
 * The interval is checked at the call (a bad one throws here, not at the first `next()`); the
 * trades are read lazily as the candles are taken, one candle held at a time.
 */
export function readCandles(store: RecordSource, exchange: ExchangeId, market: Market, symbol: string, query: CandleQuery): AsyncIterable<Candle> {
  const intervalMs = parseInterval(query.interval);
  const trades = store.readRange({
    exchange,
    market,
    symbol,
    type: 'trade',
    ...(query.from !== undefined ? { from: query.from } : {}),
    ...(query.to !== undefined ? { to: query.to } : {}),
  });
  return candlesFrom(trades, intervalMs);
}
