/** OKX instrument ids (`BTC-USDT`, `BTC-USDT-SWAP`) ↔ unified symbols (`BTC/USDT`, `BTC/USDT:USDT`). */
import type { Market } from '../../records.js';
import { symbolMapper } from '../common.js';
import type { Instrument } from '../types.js';

const SWAP_SUFFIX = '-SWAP';

/**
 * Best guess for an id missing from the instrument table: `BASE-QUOTE` → `BASE/QUOTE`,
 * `BASE-QUOTE-SWAP` → `BASE/QUOTE:QUOTE` (USDT-margined swaps settle in their quote).
 * Anything else is kept as is.
 */
export function guessOkxSymbol(instId: string): string {
  const swap = instId.endsWith(SWAP_SUFFIX);
  const pair = swap ? instId.slice(0, -SWAP_SUFFIX.length) : instId;
  const dash = pair.indexOf('-');
  if (dash <= 0 || dash === pair.length - 1 || pair.indexOf('-', dash + 1) !== -1) return instId;
  const base = pair.slice(0, dash);
  const quote = pair.slice(dash + 1);
  return swap ? `${base}/${quote}:${quote}` : `${base}/${quote}`;
}

export function okxUnified(market: Market, base: string, quote: string, settle?: string): string {
  return market === 'spot' ? `${base}/${quote}` : `${base}/${quote}:${settle ?? quote}`;
}

export function okxSymbolMapper(instruments?: readonly Instrument[]): (instId: string) => string {
  return symbolMapper(instruments, guessOkxSymbol);
}
