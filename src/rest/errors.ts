/**
 * Coded REST errors (callers test `err.code`, the cause rides along: docs/architecture.md#conventions).
 * Kept here until a shared src/errors.ts exists; then they move there unchanged.
 */
export type RestErrorCode =
  /** 418 (or a ban that outlasts `maxWaitMs`): the exchange banned this IP; waiting longer is the operator's call */
  | 'TV_ERR_REST_BANNED'
  /** 429 / Bybit retCode 10006 kept coming after every allowed retry, or asked for a wait over `maxWaitMs` */
  | 'TV_ERR_REST_RATE_LIMITED'
  /** 5xx, network error or timeout on every attempt */
  | 'TV_ERR_REST_FAILED'
  /** a 2xx whose body is not JSON */
  | 'TV_ERR_REST_BAD_RESPONSE'
  | 'TV_ERR_REST_INVALID_URL'
  /** the client was closed (the system is stopping): no request goes out, none is retried */
  | 'TV_ERR_REST_ABORTED'
  | 'TV_ERR_REST_INVALID_OPTIONS';

export interface RestErrorDetails {
  url?: string;
  /** HTTP status of the last answer, when there was one */
  status?: number;
  /** requests actually sent */
  attempts?: number;
  /** how long the server asked us to wait, when that is why we gave up */
  retryAfterMs?: number;
  cause?: unknown;
}

export class RestError extends Error {
  readonly code: RestErrorCode;
  readonly url: string | undefined;
  readonly status: number | undefined;
  readonly attempts: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: RestErrorCode, message: string, details: RestErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RestError';
    this.code = code;
    this.url = details.url;
    this.status = details.status;
    this.attempts = details.attempts;
    this.retryAfterMs = details.retryAfterMs;
  }
}
