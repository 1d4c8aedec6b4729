/** OKX v5 adapter: spot and USDT-margined linear SWAP (market `futures`). */
import type { Market } from '../../records.js';
import { UnsupportedMarketError } from '../errors.js';
import type { Endpoints, ExchangeAdapter } from '../types.js';
import { OKX_KEEP_ALIVE, OKX_LIMITS, okxDefaultEndpoints } from './limits.js';
import { createOkxParser } from './parser.js';
import { okxBackfillTrades, okxListInstruments } from './rest.js';
import { okxRequests } from './subscribe.js';

export { ExchangeHttpError, ExchangeResponseError, UnsupportedMarketError } from '../errors.js';
export { OKX_EXTRA_LIMITS } from './limits.js';

export function okxAdapter(market: Market, endpoints?: Partial<Endpoints>): ExchangeAdapter {
  if (market !== 'spot' && market !== 'futures') throw new UnsupportedMarketError('okx', String(market));
  const resolved: Endpoints = { ...okxDefaultEndpoints(), ...endpoints };
  const limits = OKX_LIMITS;
  return {
    exchange: 'okx',
    market,
    endpoints: resolved,
    limits,
    keepAlive: OKX_KEEP_ALIVE,
    ackMode: 'per-stream',
    // the `trades` channel aggregates fills (`tradeId` = last id of `count` matches), so ids on
    // the live stream skip; holes are not gaps
    sequentialTradeIds: false,
    subscribeRequests: (instruments, channels, nextId) =>
      okxRequests('subscribe', instruments, channels, limits.maxArgsPerRequest, nextId),
    unsubscribeRequests: (instruments, channels, nextId) =>
      okxRequests('unsubscribe', instruments, channels, limits.maxArgsPerRequest, nextId),
    createParser: (instruments) => createOkxParser(market, instruments),
    listInstruments: (http, restUrl) => okxListInstruments(http, restUrl ?? resolved.restUrl, market),
    backfillTrades: (http, request, restUrl) => okxBackfillTrades(http, restUrl ?? resolved.restUrl, market, request),
  };
}
