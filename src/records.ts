/**
 * The public data contract: normalized records.
 * Unified symbols follow ccxt: spot `BASE/QUOTE`, linear perpetuals `BASE/QUOTE:SETTLE`.
 * A field the exchange does not send is absent, never invented.
 */
export type ExchangeId = 'binance' | 'upbit' | 'bybit' | 'okx';
export type Market = 'spot' | 'futures';
export type Channel = 'trade' | 'ticker' | 'book';

export const EXCHANGE_IDS: readonly ExchangeId[] = ['binance', 'upbit', 'bybit', 'okx'];
export const MARKETS: readonly Market[] = ['spot', 'futures'];

/**
 * Units: prices are in the quote asset per one base asset; sizes and amounts are always in the
 * base asset — never contracts (OKX swap sizes are converted with the instrument's ctVal);
 * volumes say base or quote in their name; times are ms since epoch.
 */
export interface Trade {
  type: 'trade';
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  /**
   * exchange trade id, the exact decimal string the exchange wrote (never through a JS number:
   * Upbit's 17-digit sequential_id is above 2^53)
   */
  id: string;
  /** quote asset per one base asset */
  price: number;
  /** base asset (never contracts) */
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
  /** exchange event time, ms since epoch */
  timestamp: number;
  /** time received, ms since epoch */
  localTimestamp: number;
  /** last trade price, quote asset per base */
  last: number;
  /** best bid price, quote per base (absent where the venue's ticker has none: Upbit, Binance futures) */
  bid?: number;
  /** best ask price, quote per base */
  ask?: number;
  /** size at the best bid, base asset (never contracts) */
  bidSize?: number;
  /** size at the best ask, base asset (never contracts) */
  askSize?: number;
  /**
   * highest price of the last 24 h (rolling), quote per base. Absent on Upbit: its ticker's
   * high_price/low_price are the trading day's (the day starting 00:00 UTC, 09:00 KST), not
   * 24 h, and a field that would mean something else is left out rather than mislabelled.
   */
  high24h?: number;
  /** lowest price of the last 24 h (rolling), quote per base; absent on Upbit (see high24h) */
  low24h?: number;
  /** traded volume of the last 24 h, base asset (OKX swap: volCcy24h, already base) */
  volume24h?: number;
  /** traded volume of the last 24 h, quote asset (absent where not sent exactly: OKX swap) */
  quoteVolume24h?: number;
}

export type MarketRecord = Trade | Ticker;

/** One price level: [price (quote per base), amount (base asset, never contracts)]. */
export type BookLevelTuple = [price: number, amount: number];

/**
 * One event of a symbol's order book as collected (docs/architecture.md#order-books):
 * - `snapshot`: the whole book as kept (after a sync or resync, and periodically), best first;
 * - `update`: the levels one applied update set, amount 0 deleting the level;
 * - `resync`: the book broke (a sequence gap, a checksum mismatch, a lost connection): nothing
 *   after it continues what came before, until the next `snapshot`. It carries no levels.
 * Not a MarketRecord: books take their own path to the store (never the trade pipeline's dedup).
 */
export interface BookRecord {
  type: 'book';
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  kind: 'snapshot' | 'update' | 'resync';
  /** exchange time of the event (a resync: the local time it was found), ms since epoch */
  timestamp: number;
  /** time received, ms since epoch */
  localTimestamp: number;
  /** the venue's update id after this event (Binance u, Bybit u, OKX seqId); absent on Upbit */
  sequence?: number;
  bids: BookLevelTuple[];
  asks: BookLevelTuple[];
  /** on a resync: why the book broke */
  reason?: string;
}
