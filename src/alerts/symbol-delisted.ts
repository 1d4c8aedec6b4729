/**
 * The `symbol-delisted` alert: a symbol the configuration asks for has disappeared from the
 * venue's listing (delisted, suspended or renamed). Its coin is stopped with the listing; nothing
 * more will be collected for it until it is listed again, so an operator should look.
 */
import type { Alert } from './types.js';

export function symbolDelistedAlert(exchange: string, market: string, symbol: string, at: number): Alert {
  return {
    kind: 'symbol-delisted',
    key: `${exchange}:${market}:${symbol}`,
    severity: 'warning',
    message: `${exchange}:${market} no longer lists ${symbol} (configured); it is not collected until it is listed again`,
    details: { exchange, market, symbol },
    at,
  };
}
