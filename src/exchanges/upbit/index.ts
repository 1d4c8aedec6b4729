/** Upbit spot (KRW, BTC and USDT quote markets) behind the one ExchangeAdapter interface. */
import type { Channel, Market } from '../../records.js';
import type { BackfillRequest, Endpoints, ExchangeAdapter, Instrument, RestClient } from '../types.js';
import { UnsupportedMarketError } from '../errors.js';
import { UPBIT_ENDPOINTS, UPBIT_KEEPALIVE, UPBIT_LIMITS } from './limits.js';
import { createUpbitParser } from './parser.js';
import { backfillUpbitTrades, listUpbitInstruments } from './rest.js';
import { upbitSubscribeRequests, upbitUnsubscribeRequests } from './subscribe.js';

export { ExchangeHttpError, ExchangeResponseError, SubscriptionTooLargeError, UnsupportedMarketError } from '../errors.js';
export { UPBIT_ENDPOINTS, UPBIT_KEEPALIVE, UPBIT_LIMITS } from './limits.js';

export function upbitAdapter(market: Market, endpoints?: Partial<Endpoints>): ExchangeAdapter {
  if (market !== 'spot') throw new UnsupportedMarketError('upbit', String(market));
  const resolved: Endpoints = { ...UPBIT_ENDPOINTS, ...endpoints };
  const limits = UPBIT_LIMITS;
  return {
    exchange: 'upbit',
    market,
    endpoints: resolved,
    limits,
    keepAlive: UPBIT_KEEPALIVE,
    // no ack frame: the first data frame (the SNAPSHOT) of a code confirms it
    ackMode: 'first-data',
    // sequential_id is unique and increasing but skips values: gaps are found by time
    sequentialTradeIds: false,
    subscribeRequests(instruments: Instrument[], channels: Channel[], nextId: () => string, all?: Instrument[]) {
      return upbitSubscribeRequests(instruments, channels, nextId, all, limits.maxArgsPerRequest);
    },
    unsubscribeRequests(instruments: Instrument[], channels: Channel[], nextId: () => string, remaining?: Instrument[]) {
      return upbitUnsubscribeRequests(instruments, channels, nextId, remaining, limits.maxArgsPerRequest);
    },
    createParser: (instruments?: readonly Instrument[]) => createUpbitParser(instruments),
    listInstruments: (http: RestClient, restUrl?: string) => listUpbitInstruments(http, restUrl ?? resolved.restUrl),
    backfillTrades: (http: RestClient, request: BackfillRequest, restUrl?: string) =>
      backfillUpbitTrades(http, request, restUrl ?? resolved.restUrl),
  };
}
