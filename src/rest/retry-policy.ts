/**
 * Pure decisions of the REST retry loop: what an answer means and how long to wait.
 * No I/O and no clock of its own: `now` and `random` are passed in.
 */
import { isRecord } from '../exchanges/common.js';

export type Verdict =
  /** hand the answer to the adapter (2xx, 3xx, and 4xx other than the rate-limit ones) */
  | 'done'
  /** 429, or Bybit's `retCode 10006` (sent with HTTP 403): wait and retry */
  | 'rate-limited'
  /** 418: an IP ban; wait at least as long as told, or give up */
  | 'banned'
  /** 5xx: a few retries with backoff */
  | 'server-error';

/** Bybit's "too many visits" code, sent with HTTP 403 when the per-IP limit is exceeded. */
export const BYBIT_RATE_LIMIT_RET_CODE = 10006;

export function classify(status: number, body: unknown): Verdict {
  if (status === 418) return 'banned';
  if (status === 429) return 'rate-limited';
  if (isRecord(body) && Number(body.retCode) === BYBIT_RATE_LIMIT_RET_CODE) return 'rate-limited';
  if (status >= 500) return 'server-error';
  return 'done';
}

/**
 * `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    // hundreds of digits parse to Infinity: unreadable, not "wait forever"
    const ms = Math.ceil(Number(text) * 1000);
    return Number.isFinite(ms) ? ms : undefined;
  }
  // Every HTTP date form starts with a day name; Date.parse alone would take "-5" for a year.
  if (!/^[A-Za-z]/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Bybit's `X-Bapi-Limit-Reset-Timestamp`: when the limit resets, in ms since epoch
 * (a value in seconds is accepted too). Bybit sends the header on every answer, so it only
 * means something once the answer is a rate-limit one.
 */
export function parseResetTimestamp(value: string | undefined, now: number): number | undefined {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  const raw = Number(value);
  if (!Number.isFinite(raw)) return undefined;
  const ms = raw < 1e12 ? raw * 1000 : raw;
  return Math.max(0, Math.ceil(ms - now));
}

/** The server's own word on how long to wait, from whichever header it sent. */
export function serverWaitMs(headers: Record<string, string | undefined>, now: number): number | undefined {
  return (
    parseRetryAfter(headers['retry-after'], now) ??
    parseResetTimestamp(headers['x-bapi-limit-reset-timestamp'], now)
  );
}

export interface BackoffOptions {
  minDelayMs: number;
  maxDelayMs: number;
  /** spread factor: the delay grows by up to this fraction at random (Akka's randomFactor) */
  jitter: number;
}

/**
 * Exponential backoff with jitter: min·2^retry, capped, times (1 + random·jitter), capped again.
 * `retry` counts from 0. The jitter keeps many clients from retrying in the same instant.
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number): number {
  const base = Math.min(options.maxDelayMs, options.minDelayMs * 2 ** retry);
  return Math.round(Math.min(options.maxDelayMs, base * (1 + random() * options.jitter)));
}
