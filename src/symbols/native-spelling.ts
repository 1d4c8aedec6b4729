/**
 * A symbol as a user may write it → the unified symbol it spells on one venue, without a listing:
 * what the simulator uses to decide what it simulates. `BTC/USDT` stays (`BTC/USDT:USDT` on a
 * futures market, whose instruments are all settled perpetuals); exchange ids go through the
 * adapter's own guess (`BTCUSDT`, `KRW-BTC`, `BTC-USDT-SWAP`). Undefined: it spells no pair.
 */
import { guessSymbol } from '../exchanges/binance/symbols.js';
import { guessBybitSymbol } from '../exchanges/bybit/symbols.js';
import { guessOkxSymbol } from '../exchanges/okx/symbols.js';
import { upbitSymbol } from '../exchanges/upbit/symbols.js';
import type { ExchangeId, Market } from '../records.js';

const UNIFIED = /^([A-Z0-9]+)\/([A-Z0-9]+)(?::([A-Z0-9]+))?$/;

function nativeGuess(exchange: ExchangeId, market: Market, given: string): string {
  switch (exchange) {
    case 'binance':
      return guessSymbol(market, given);
    case 'bybit':
      return guessBybitSymbol(market, given);
    case 'okx':
      return guessOkxSymbol(given.toUpperCase());
    case 'upbit':
      return upbitSymbol(given);
  }
}

export function unifiedSpelling(exchange: ExchangeId, market: Market, given: string): string | undefined {
  const candidate = given.includes('/') ? given.toUpperCase() : nativeGuess(exchange, market, given);
  const m = UNIFIED.exec(candidate);
  if (!m) return undefined;
  const [, base, quote, settle] = m;
  if (market === 'spot') return settle === undefined ? `${base}/${quote}` : undefined;
  return `${base}/${quote}:${settle ?? quote}`;
}
