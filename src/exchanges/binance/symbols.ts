/** Binance native ids (`BTCUSDT`) ↔ unified symbols, and stream names. */
import type { Channel, Market } from '../../records.js';
import { splitConcatenated } from '../common.js';

/** Unified symbol from assets: spot `BTC/USDT`, USDⓈ-M perpetual `BTC/USDT:USDT` (settled in the margin asset). */
export function unifiedSymbol(market: Market, base: string, quote: string, settle?: string): string {
  return market === 'futures' ? `${base}/${quote}:${settle ?? quote}` : `${base}/${quote}`;
}

/**
 * Best guess for an id missing from the instrument table: split at a known quote asset
 * (`BTCUSDT` → `BTC/USDT`, futures `BTC/USDT:USDT`); an id we cannot split stays as it is.
 */
export function guessSymbol(market: Market, nativeId: string): string {
  const parts = splitConcatenated(nativeId);
  return parts === undefined ? nativeId.toUpperCase() : unifiedSymbol(market, parts.base, parts.quote);
}

/** The live trade stream differs: spot has the dense `trade` ids, futures documents `aggTrade`. */
const STREAM_SUFFIX: Record<Market, Record<Channel, string>> = {
  spot: { trade: '@trade', ticker: '@ticker', book: '@depth@100ms' },
  futures: { trade: '@aggTrade', ticker: '@ticker', book: '@depth@100ms' },
};

/** `btcusdt@trade`: the symbol part is lower-case, as Binance requires. */
export function streamName(market: Market, nativeId: string, channel: Channel): string {
  return nativeId.toLowerCase() + STREAM_SUFFIX[market][channel];
}
