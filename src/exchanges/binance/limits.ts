/**
 * Binance endpoints, connection limits and keep-alive rules: the one place they live.
 * Sources (checked 2025): developers.binance.com "WebSocket Streams" (spot) and
 * "USDⓈ-M Futures › Websocket Market Streams".
 */
import type { Market } from '../../records.js';
import type { ConnectionLimits, Endpoints, KeepAlive } from '../types.js';

/**
 * USDⓈ-M futures: since 2026-04-23 ("Important WebSocket Change Notice", checked 2026-12-02) the
 * legacy `wss://fstream.binance.com/ws` and `/stream` no longer serve. Regular market data —
 * aggTrade and ticker, all we subscribe to — is under `/market` (`/market/ws` takes JSON
 * SUBSCRIBE frames, like the legacy `/ws`); bookTicker/depth are under `/public`, user data under
 * `/private`. Spot is unchanged.
 */
export const BINANCE_ENDPOINTS: Record<Market, Endpoints> = {
  spot: { wsUrl: 'wss://stream.binance.com:9443/ws', restUrl: 'https://api.binance.com' },
  futures: { wsUrl: 'wss://fstream.binance.com/market/ws', restUrl: 'https://fapi.binance.com' },
};

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Binance documents no cap on params per SUBSCRIBE, so we pick 200: a frame of ~5 KB that is
 * acknowledged quickly, one rejected request costs at most 200 streams, and a full connection
 * (1024 streams) needs 6 requests — about 2 s at our pace under the per-second message limit.
 */
const PARAMS_PER_REQUEST = 200;

export const BINANCE_LIMITS: Record<Market, ConnectionLimits> = {
  spot: {
    // "A single connection can listen to a maximum of 1024 streams."
    maxStreamsPerConnection: 1024,
    // 200 symbols × (trade + ticker) = 400 streams: far below 1024, room to add channels later.
    defaultGroupSize: 200,
    maxArgsPerRequest: PARAMS_PER_REQUEST,
    // "5 incoming messages per second" (pings, pongs and JSON control messages all count).
    maxMessagesPerSecond: 5,
    connectionLifetimeMs: DAY_MS,
  },
  futures: {
    // The USDⓈ-M page now says 1024 (older copies and the options page say 200); we follow it.
    maxStreamsPerConnection: 1024,
    defaultGroupSize: 200,
    maxArgsPerRequest: PARAMS_PER_REQUEST,
    // "WebSocket connections have a limit of 10 incoming messages per second."
    maxMessagesPerSecond: 10,
    connectionLifetimeMs: DAY_MS,
  },
};

export const BINANCE_KEEPALIVE: Record<Market, KeepAlive> = {
  // Spot pings every 20 s and drops us if no pong within 1 minute; `ws` answers pings itself.
  // 60 s of silence is three missed pings: the connection is dead whatever the traffic.
  spot: { initiator: 'server', intervalMs: 20_000, silenceTimeoutMs: 60_000 },
  // Futures pings every 3 minutes (pong within 10 minutes). A ticker stream pushes every second
  // or two, but a quiet trade-only group may legitimately carry nothing but those pings, so the
  // silence limit is one ping interval plus a grace period; per-coin staleness catches stalls sooner.
  futures: { initiator: 'server', intervalMs: 180_000, silenceTimeoutMs: 200_000 },
};
