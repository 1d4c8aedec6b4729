/**
 * Bybit v5 public WebSocket and REST limits, in one place (exchanges change them; this is config).
 *
 * Sources (Bybit v5 docs, "Connect" and "Get Recent Public Trades", checked Nov 2026):
 * - spot: at most 10 args per subscribe request; linear ("Futures"): no per-request args limit
 * - any public connection: the "args" array may not exceed 21,000 characters in total
 * - no traffic (ping-pong or data) for 10 minutes closes the connection; ping every 20 s recommended
 * - at most 500 connections per 5 minutes per WebSocket domain
 * - recent-trade: spot limit [1,60], other categories [1,1000]
 */
import type { Market } from '../../records.js';
import type { ConnectionLimits, Endpoints, KeepAlive } from '../types.js';

export const BYBIT_REST_URL = 'https://api.bybit.com';

export function bybitDefaultEndpoints(market: Market): Endpoints {
  return {
    wsUrl: `wss://stream.bybit.com/v5/public/${bybitCategory(market)}`,
    restUrl: BYBIT_REST_URL,
  };
}

/** Bybit's `category` for our market: spot → `spot`, futures (USDT perpetuals) → `linear`. */
export function bybitCategory(market: Market): 'spot' | 'linear' {
  return market === 'spot' ? 'spot' : 'linear';
}

/**
 * 21,000 characters of args per connection; a topic costs its length plus 3 (quotes and comma).
 * `publicTrade.1000000BABYDOGEUSDT` is 31 characters, so 500 streams stay below the cap even for
 * long names (500 × 34 = 17,000).
 */
const MAX_STREAMS = 500;

export function bybitLimits(market: Market): ConnectionLimits {
  return {
    maxStreamsPerConnection: MAX_STREAMS,
    // 50 symbols × 2 channels = 100 streams: 10 spot requests, well below the args cap
    defaultGroupSize: 50,
    // spot: documented 10; linear: undocumented ("no args limit for now"), kept small so one
    // rejected request does not take a large batch with it
    maxArgsPerRequest: market === 'spot' ? 10 : 50,
    // not documented for public streams; a conservative pace for subscribe bursts and pings
    maxMessagesPerSecond: 10,
  };
}

/** Client pings every 20 s; a pong (or data) arrives well within that, so 45 s of silence is death. */
export const BYBIT_KEEP_ALIVE: KeepAlive = {
  initiator: 'client',
  intervalMs: 20_000,
  silenceTimeoutMs: 45_000,
  pingFrame: (requestId: string) => JSON.stringify({ req_id: requestId, op: 'ping' }),
};

/** recent-trade page size: the most the endpoint serves (it is the only history there is). */
export function bybitRecentTradeLimit(market: Market): number {
  return market === 'spot' ? 60 : 1000;
}

/** instruments-info page size (documented [1, 1000]). */
export const BYBIT_INSTRUMENTS_PAGE_LIMIT = 1000;

/** Guard against a cursor that never ends. */
export const BYBIT_MAX_INSTRUMENT_PAGES = 100;
