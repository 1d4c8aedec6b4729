/**
 * OKX v5 public WebSocket and REST limits, in one place (exchanges change them; this is config).
 *
 * Sources (OKX v5 docs "WebSocket Overview", "Subscribe", "Get trades history", checked Nov 2026):
 * - connection requests: 3 per second per IP
 * - subscribe/unsubscribe/login requests: 480 per hour per connection (a token bucket: 480 at
 *   connect, refilled one per 7.5 s), however many args each request carries
 * - the args of one request: at most 64 KB in total
 * - no data for 30 s closes the connection; send the text `ping` when idle for N < 30 s
 * - history-trades: at most 100 per page, 20 requests per 2 s per IP, last 3 months
 */
import type { Market } from '../../records.js';
import type { ConnectionLimits, Endpoints, KeepAlive } from '../types.js';

export const OKX_WS_URL = 'wss://ws.okx.com:8443/ws/v5/public';
export const OKX_REST_URL = 'https://www.okx.com';

export function okxDefaultEndpoints(): Endpoints {
  return { wsUrl: OKX_WS_URL, restUrl: OKX_REST_URL };
}

/** OKX `instType` for our market. */
export function okxInstType(market: Market): 'SPOT' | 'SWAP' {
  return market === 'spot' ? 'SPOT' : 'SWAP';
}

/** Limits ConnectionLimits cannot express; the connection layer may read them from here. */
export const OKX_EXTRA_LIMITS = {
  /** bytes of serialized args per subscribe request */
  maxArgsBytesPerRequest: 64 * 1024,
  /** subscribe + unsubscribe (+ login) requests per hour per connection */
  subscribeRequestsPerHour: 480,
  /** new connections per second per IP */
  connectionsPerSecond: 3,
} as const;

export const OKX_LIMITS: ConnectionLimits = {
  // Not documented for the public endpoint (close codes 4008/4009 exist: "subscribed channels
  // exceed the limit"); a conservative bound.
  maxStreamsPerConnection: 400,
  // 100 symbols × 2 channels = 200 streams = 2 requests of 100 args: the 480/h request budget is
  // spent on reconnects, not on batching
  defaultGroupSize: 100,
  // ~50 bytes per arg: 100 args stay far below the 64 KB cap (subscribe.ts also checks bytes)
  maxArgsPerRequest: 100,
  // OKX limits requests per hour rather than per second; this paces bursts (pings included)
  maxMessagesPerSecond: 5,
};

/** `ping` every 20 s (< 30 s idle limit); a pong is due within seconds, so 40 s of silence is death. */
export const OKX_KEEP_ALIVE: KeepAlive = {
  initiator: 'client',
  intervalMs: 20_000,
  silenceTimeoutMs: 40_000,
  pingFrame: () => 'ping',
};

/** history-trades page size (documented max and default). */
export const OKX_HISTORY_PAGE_LIMIT = 100;

/** Guard against paging forever through a busy instrument: 2,000 pages = 200,000 trades. */
export const OKX_MAX_HISTORY_PAGES = 2_000;

/** OKX request ids: "case-sensitive alphanumerics … up to 32 characters". */
export const OKX_MAX_REQUEST_ID_LENGTH = 32;
