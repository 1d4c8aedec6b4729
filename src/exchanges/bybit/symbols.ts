/** Bybit native ids (`BTCUSDT`) ↔ unified symbols (`BTC/USDT`, `BTC/USDT:USDT`). */
import type { Market } from '../../records.js';
import { splitConcatenated, symbolMapper } from '../common.js';
import type { Instrument } from '../types.js';

export function bybitUnified(market: Market, base: string, quote: string, settle?: string): string {
  return market === 'spot' ? `${base}/${quote}` : `${base}/${quote}:${settle ?? quote}`;
}

/**
 * Best guess for an id missing from the instrument table. Linear USDT perpetuals settle in their
 * quote asset, so `BTCUSDT` → `BTC/USDT:USDT`. An id we cannot split is kept as is.
 */
export function guessBybitSymbol(market: Market, nativeId: string): string {
  const parts = splitConcatenated(nativeId);
  return parts === undefined ? nativeId : bybitUnified(market, parts.base, parts.quote);
}

export function bybitSymbolMapper(market: Market, instruments?: readonly Instrument[]): (nativeId: string) => string {
  return symbolMapper(instruments, (nativeId) => guessBybitSymbol(market, nativeId));
}
