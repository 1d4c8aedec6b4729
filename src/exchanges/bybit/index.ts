/** Bybit v5 adapter: spot and USDT linear perpetuals (market `futures`). */
import type { Market } from '../../records.js';
import { UnsupportedMarketError } from '../errors.js';
import type { Endpoints, ExchangeAdapter } from '../types.js';
import { BYBIT_KEEP_ALIVE, bybitDefaultEndpoints, bybitLimits } from './limits.js';
import { createBybitParser } from './parser.js';
import { bybitBackfillTrades, bybitListInstruments } from './rest.js';
import { bybitRequests } from './subscribe.js';

export { ExchangeHttpError, ExchangeResponseError, UnsupportedMarketError } from '../errors.js';

export function bybitAdapter(market: Market, endpoints?: Partial<Endpoints>): ExchangeAdapter {
  if (market !== 'spot' && market !== 'futures') throw new UnsupportedMarketError('bybit', String(market));
  const resolved: Endpoints = { ...bybitDefaultEndpoints(market), ...endpoints };
  const limits = bybitLimits(market);
  /** native ids Bybit once answered a full list of recent trades for (rest.ts: a short list later is partial) */
  const fullOnce = new Set<string>();
  return {
    exchange: 'bybit',
    market,
    endpoints: resolved,
    limits,
    keepAlive: BYBIT_KEEP_ALIVE,
    ackMode: 'request-id',
    // `i` is UUID-like: gaps are found by time window, never by id
    sequentialTradeIds: false,
    subscribeRequests: (instruments, channels, nextId, _all, options) =>
      bybitRequests('subscribe', instruments, channels, limits.maxArgsPerRequest, nextId, options?.bookDepth),
    unsubscribeRequests: (instruments, channels, nextId, _remaining, options) =>
      bybitRequests('unsubscribe', instruments, channels, limits.maxArgsPerRequest, nextId, options?.bookDepth),
    createParser: (instruments) => createBybitParser(market, instruments),
    listInstruments: (http, restUrl) => bybitListInstruments(http, restUrl ?? resolved.restUrl, market),
    backfillTrades: (http, request, restUrl) => bybitBackfillTrades(http, restUrl ?? resolved.restUrl, market, request, Date.now, fullOnce),
  };
}
