/**
 * Upbit endpoints, connection limits and keep-alive rules: the one place they live.
 * Sources (checked 2025): docs.upbit.com "요청 수 제한 (Rate Limits)", "연결 관리" (connection
 * management), "WebSocket 사용 및 에러 안내".
 */
import type { ConnectionLimits, Endpoints, KeepAlive } from '../types.js';

export const UPBIT_ENDPOINTS: Endpoints = {
  wsUrl: 'wss://api.upbit.com/websocket/v1',
  restUrl: 'https://api.upbit.com/v1',
};

/**
 * Upbit documents no cap on codes per connection. One frame carries the connection's whole list
 * (a new frame replaces the previous one), so the per-request and per-connection caps are the same
 * number, chosen conservatively: 300 streams stays a ~5 KB frame.
 */
const MAX_STREAMS = 300;

export const UPBIT_LIMITS: ConnectionLimits = {
  maxStreamsPerConnection: MAX_STREAMS,
  // 100 codes × (trade + ticker) = 200 streams; the three quote markets hold ~700 codes in all.
  defaultGroupSize: 100,
  maxArgsPerRequest: MAX_STREAMS,
  // "WebSocket 데이터 요청: 초당 5회, 분당 100회" per connection (the 100/minute cap is not modelled
  // here; at one subscribe frame per change plus two PINGs a minute we stay far below it).
  maxMessagesPerSecond: 5,
};

export const UPBIT_KEEPALIVE: KeepAlive = {
  // The server closes a connection idle for ~120 s. We send the text `PING` every 30 s; the server
  // answers {"status":"UP"} (and keeps sending it every 10 s while the connection is healthy).
  initiator: 'client',
  intervalMs: 30_000,
  // Two missed PING answers: dead, and still well below the server's own 120 s idle close.
  silenceTimeoutMs: 65_000,
  pingFrame: () => 'PING',
};
