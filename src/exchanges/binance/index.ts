/** Binance spot and USDⓈ-M perpetual futures behind the one ExchangeAdapter interface. */
import type { Channel, Market } from '../../records.js';
import type { BackfillRequest, Endpoints, ExchangeAdapter, Instrument, RestClient } from '../types.js';
import { UnsupportedMarketError } from '../errors.js';
import { BINANCE_ENDPOINTS, BINANCE_KEEPALIVE, BINANCE_LIMITS } from './limits.js';
import { createBinanceParser } from './parser.js';
import { backfillBinanceTrades, listBinanceInstruments } from './rest.js';
import { streamRequests } from './subscribe.js';

export { ExchangeHttpError, ExchangeResponseError, UnsupportedMarketError } from '../errors.js';
export { BINANCE_ENDPOINTS, BINANCE_KEEPALIVE, BINANCE_LIMITS } from './limits.js';

export function binanceAdapter(market: Market, endpoints?: Partial<Endpoints>): ExchangeAdapter {
  if (market !== 'spot' && market !== 'futures') throw new UnsupportedMarketError('binance', String(market));
  const resolved: Endpoints = { ...BINANCE_ENDPOINTS[market], ...endpoints };
  const limits = BINANCE_LIMITS[market];
  return {
    exchange: 'binance',
    market,
    endpoints: resolved,
    limits,
    keepAlive: BINANCE_KEEPALIVE[market],
    ackMode: 'request-id',
    // spot `t` and futures `a` both count up by one per trade of a symbol
    sequentialTradeIds: true,
    subscribeRequests(instruments: Instrument[], channels: Channel[], nextId: () => string) {
      return streamRequests('SUBSCRIBE', market, instruments, channels, nextId, limits.maxArgsPerRequest);
    },
    unsubscribeRequests(instruments: Instrument[], channels: Channel[], nextId: () => string) {
      return streamRequests('UNSUBSCRIBE', market, instruments, channels, nextId, limits.maxArgsPerRequest);
    },
    // USDⓈ-M serves depth on the `/public` route only, trades and tickers on `/market`
    ...(market === 'futures' ? { channelUrl: (channel: Channel, wsUrl: string) => (channel === 'book' ? wsUrl.replace('/market/', '/public/') : wsUrl) } : {}),
    createParser: (instruments?: readonly Instrument[]) => createBinanceParser(market, instruments),
    listInstruments: (http: RestClient, restUrl?: string) => listBinanceInstruments(market, http, restUrl ?? resolved.restUrl),
    backfillTrades: (http: RestClient, request: BackfillRequest, restUrl?: string) =>
      backfillBinanceTrades(market, http, request, restUrl ?? resolved.restUrl),
  };
}
