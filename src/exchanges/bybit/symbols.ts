/** Bybit native ids (`BTCUSDT`) ↔ unified symbols (`BTC/USDT`, `BTC/USDT:USDT`). */
import type { Market } from '../../records.js';
import { splitConcatenated, symbolMapper } from '../common.js';
import type { Instrument } from '../types.js';

export function bybitUnified(market: Market, base: string, quote: string, settle?: string): string {
  return market === 'spot' ? `${base}/${quote}` : `${base}/${quote}:${settle ?? quote}`;
}

/**
 * Best guess for an id missing from the instrument table. Linear USDT/USDC perpetuals settle in
 * their quote asset, so `BTCUSDT` → `BTC/USDT:USDT`; inverse ones (quoted in USD, category
 * `inverse`, as recordings hold them) settle in their base, so `BTCUSD` → `BTC/USD:BTC`. An id we
 * cannot split (a dated contract like `BTCUSDU23`) is kept as is.
 */
export function guessBybitSymbol(market: Market, nativeId: string): string {
  const parts = splitConcatenated(nativeId);
  if (parts === undefined) return nativeId;
  return bybitUnified(market, parts.base, parts.quote, market !== 'spot' && parts.quote === 'USD' ? parts.base : undefined);
}

export function bybitSymbolMapper(market: Market, instruments?: readonly Instrument[]): (nativeId: string) => string {
  return symbolMapper(instruments, (nativeId) => guessBybitSymbol(market, nativeId));
}
