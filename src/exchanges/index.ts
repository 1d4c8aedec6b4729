/** The adapter registry: one adapter per exchange × market, production endpoints unless overridden. */
import { EXCHANGE_IDS, type ExchangeId, type Market } from '../records.js';
import { binanceAdapter } from './binance/index.js';
import { bybitAdapter } from './bybit/index.js';
import { okxAdapter } from './okx/index.js';
import type { Endpoints, ExchangeAdapter } from './types.js';
import { upbitAdapter } from './upbit/index.js';

const FACTORIES: Record<ExchangeId, (market: Market, endpoints?: Partial<Endpoints>) => ExchangeAdapter> = {
  binance: binanceAdapter,
  upbit: upbitAdapter,
  bybit: bybitAdapter,
  okx: okxAdapter,
};

/** Every exchange × market the project speaks. */
export const SUPPORTED_VENUES: ReadonlyArray<{ exchange: ExchangeId; market: Market }> = [
  { exchange: 'binance', market: 'spot' },
  { exchange: 'binance', market: 'futures' },
  { exchange: 'upbit', market: 'spot' },
  { exchange: 'bybit', market: 'spot' },
  { exchange: 'bybit', market: 'futures' },
  { exchange: 'okx', market: 'spot' },
  { exchange: 'okx', market: 'futures' },
];

export function isExchangeId(value: string): value is ExchangeId {
  return (EXCHANGE_IDS as readonly string[]).includes(value);
}

export function isSupportedVenue(exchange: string, market: string): boolean {
  return SUPPORTED_VENUES.some((v) => v.exchange === exchange && v.market === market);
}

export function createAdapter(exchange: ExchangeId, market: Market, endpoints?: Partial<Endpoints>): ExchangeAdapter {
  return FACTORIES[exchange](market, endpoints);
}

export type * from './types.js';
export { MalformedFrameError } from './types.js';
export { ExchangeHttpError, ExchangeResponseError, SubscriptionTooLargeError, UnsupportedMarketError } from './errors.js';
export { MAX_FRAME_BYTES } from './common.js';
