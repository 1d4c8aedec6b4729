/** Reading stored history as something else than records: candles, and files for other tools. */
export { CandleAggregator, candlesFrom, type Candle, type TakerSide } from './candles.js';
export { parseInterval, MAX_INTERVAL_MS } from './interval.js';
export { readCandles, type CandleQuery } from './store-candles.js';
