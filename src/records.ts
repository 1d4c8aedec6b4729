/**
 * The public data contract: normalized records (DESIGN §4).
 * Unified symbols follow ccxt: spot `BASE/QUOTE`, linear perpetuals `BASE/QUOTE:SETTLE`.
 * A field the exchange does not send is absent, never invented.
 */
export type ExchangeId = 'binance' | 'upbit' | 'bybit' | 'okx';
export type Market = 'spot' | 'futures';
export type Channel = 'trade' | 'ticker';

export const EXCHANGE_IDS: readonly ExchangeId[] = ['binance', 'upbit', 'bybit', 'okx'];
export const MARKETS: readonly Market[] = ['spot', 'futures'];

export interface Trade {
  type: 'trade';
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  /** exchange trade id, as a string */
  id: string;
  price: number;
  /** amount in base asset */
  amount: number;
  /** taker side */
  side: 'buy' | 'sell';
  /** exchange event time, ms since epoch */
  timestamp: number;
  /** time received, ms since epoch */
  localTimestamp: number;
}

export interface Ticker {
  type: 'ticker';
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  timestamp: number;
  localTimestamp: number;
  last: number;
  bid?: number;
  ask?: number;
  bidSize?: number;
  askSize?: number;
  high24h?: number;
  low24h?: number;
  volume24h?: number;
  quoteVolume24h?: number;
}

export type MarketRecord = Trade | Ticker;
