/**
 * Coded errors of the Upbit adapter. Callers test `err.code`, never the text (STYLE: fastify).
 * The codes match the Binance adapter's; a shared src/errors.ts can absorb both copies.
 */

/** The exchange answered a REST call with a status other than 200. */
export class ExchangeHttpError extends Error {
  readonly code = 'TV_ERR_EXCHANGE_HTTP';
  constructor(
    readonly url: string,
    readonly status: number,
    /** Upbit's error name from `{"error":{"name":…,"message":…}}`, when it sent one */
    readonly exchangeCode?: string | number,
    detail?: string,
  ) {
    super(`HTTP ${status} from ${url}${exchangeCode !== undefined ? ` (${exchangeCode})` : ''}${detail ? `: ${detail}` : ''}`);
    this.name = 'ExchangeHttpError';
  }
}

/** A 200 answer whose body is not the documented shape. */
export class ExchangeResponseError extends Error {
  readonly code = 'TV_ERR_EXCHANGE_RESPONSE';
  constructor(readonly url: string, reason: string, options?: { cause?: unknown }) {
    super(`unexpected response from ${url}: ${reason}`, options);
    this.name = 'ExchangeResponseError';
  }
}

/** The adapter was asked for a market this exchange does not have (Upbit: spot only). */
export class UnsupportedMarketError extends Error {
  readonly code = 'TV_ERR_UNSUPPORTED_MARKET';
  constructor(exchange: string, market: string) {
    super(`${exchange} has no ${market} market`);
    this.name = 'UnsupportedMarketError';
  }
}

/** One Upbit frame must carry a connection's whole list; this list is over the connection limit. */
export class SubscriptionTooLargeError extends Error {
  readonly code = 'TV_ERR_SUBSCRIPTION_TOO_LARGE';
  constructor(streams: number, max: number) {
    super(`${streams} streams in one Upbit subscription, the limit is ${max}`);
    this.name = 'SubscriptionTooLargeError';
  }
}
