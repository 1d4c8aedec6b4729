/**
 * Coded errors of the exchange adapters, one copy for all four (docs/architecture.md#conventions).
 * Callers test `err.code`, never the text; the original error rides along as `cause`.
 *
 * A frame the socket delivers that cannot be read is a MalformedFrameError (types.ts): it is part
 * of the FrameParser contract and stays there.
 */

/**
 * The exchange refused a REST call: a status other than 200, or a 200 whose body carries the
 * exchange's own error code (Bybit `retCode != 0`, OKX `code != "0"`). Either way the request
 * did not get what it asked for, and `exchangeCode` tells why (e.g. Bybit 10006 / OKX 50011: rate limited).
 */
export class ExchangeHttpError extends Error {
  readonly code = 'TV_ERR_EXCHANGE_HTTP';
  constructor(
    readonly url: string,
    readonly status: number,
    /**
     * the exchange's own error code from the body, when it sent one: Binance `code` (a number,
     * `-1121`), Upbit `error.name`, Bybit `retCode` and OKX `code` (as strings)
     */
    readonly exchangeCode?: string | number,
    detail?: string,
  ) {
    super(`HTTP ${status} from ${url}${exchangeCode !== undefined ? ` (code ${exchangeCode})` : ''}${detail ? `: ${detail}` : ''}`);
    this.name = 'ExchangeHttpError';
  }
}

/** A successful answer whose body is not the documented shape (or holds a row we cannot read). */
export class ExchangeResponseError extends Error {
  readonly code = 'TV_ERR_EXCHANGE_RESPONSE';
  constructor(readonly url: string, reason: string, options?: { cause?: unknown }) {
    super(`unexpected response from ${url}: ${reason}`, options);
    this.name = 'ExchangeResponseError';
  }
}

/** The adapter was asked for a market this exchange does not have. */
export class UnsupportedMarketError extends Error {
  readonly code = 'TV_ERR_UNSUPPORTED_MARKET';
  constructor(exchange: string, market: string) {
    super(`${exchange} has no ${market} market`);
    this.name = 'UnsupportedMarketError';
  }
}

/** One subscription frame must carry a connection's whole list (Upbit) and this list is over the limit. */
export class SubscriptionTooLargeError extends Error {
  readonly code = 'TV_ERR_SUBSCRIPTION_TOO_LARGE';
  constructor(exchange: string, streams: number, max: number) {
    super(`${streams} streams in one ${exchange} subscription, the limit is ${max}`);
    this.name = 'SubscriptionTooLargeError';
  }
}

/** Wraps whatever a row mapper threw into the response error of the request it came from. */
export function unreadableRow(url: string, cause: unknown): ExchangeResponseError {
  return new ExchangeResponseError(url, cause instanceof Error ? cause.message : String(cause), { cause });
}
