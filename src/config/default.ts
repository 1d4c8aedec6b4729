/**
 * The embedded default that `npm start` runs: every supported exchange × market served by the
 * in-process simulator with a handful of symbols each, stored under ./data. A machine with no
 * route to any exchange still shows the whole system working: trades, tickers and order books.
 * Two symbols per connection, so the tree has several connectors per collector to watch.
 */
import type { TickvisorConfigInput } from './schema.js';

export const DEFAULT_CONFIG: TickvisorConfigInput = {
  exchanges: [
    { exchange: 'binance', market: 'spot', simulated: true, groupSize: 2, channels: ['trade', 'ticker', 'book'], sim: { symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT', 'DOGE/USDT'] } },
    { exchange: 'binance', market: 'futures', simulated: true, groupSize: 2, channels: ['trade', 'ticker', 'book'], sim: { symbols: ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT'] } },
    { exchange: 'upbit', market: 'spot', simulated: true, groupSize: 2, channels: ['trade', 'ticker', 'book'], sim: { symbols: ['BTC/KRW', 'ETH/KRW', 'XRP/KRW', 'SOL/KRW'] } },
    { exchange: 'bybit', market: 'spot', simulated: true, groupSize: 2, channels: ['trade', 'ticker', 'book'], sim: { symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] } },
    { exchange: 'bybit', market: 'futures', simulated: true, groupSize: 2, channels: ['trade', 'ticker', 'book'], sim: { symbols: ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT'] } },
    { exchange: 'okx', market: 'spot', simulated: true, groupSize: 2, channels: ['trade', 'ticker', 'book'], sim: { symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] } },
    { exchange: 'okx', market: 'futures', simulated: true, groupSize: 2, channels: ['trade', 'ticker', 'book'], sim: { symbols: ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT'] } },
  ],
  store: { path: './data' },
};
