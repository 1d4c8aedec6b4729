/**
 * Coded errors of the Binance adapter. Callers test `err.code`, never the text (STYLE: fastify).
 * (Kept beside the adapter until a shared src/errors.ts exists; the codes are the contract.)
 */

/** The exchange answered a REST call with a status other than 200. */
export class ExchangeHttpError extends Error {
  readonly code = 'TV_ERR_EXCHANGE_HTTP';
  constructor(
    readonly url: string,
    readonly status: number,
    /** the exchange's own error code from the body (`{"code":-1121,"msg":…}`), when it sent one */
    readonly exchangeCode?: string | number,
    detail?: string,
  ) {
    super(`HTTP ${status} from ${url}${exchangeCode !== undefined ? ` (code ${exchangeCode})` : ''}${detail ? `: ${detail}` : ''}`);
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

/** The adapter was asked for a market this exchange does not have. */
export class UnsupportedMarketError extends Error {
  readonly code = 'TV_ERR_UNSUPPORTED_MARKET';
  constructor(exchange: string, market: string) {
    super(`${exchange} has no ${market} market`);
    this.name = 'UnsupportedMarketError';
  }
}
