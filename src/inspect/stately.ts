/**
 * `tickvisor run --inspect`: streams the actor system to the Stately inspector over a WebSocket
 * (a relay: `createInspectorServer()` from `@statelyai/inspect/server` — the package has no
 * command of its own — listens on ws://localhost:8080 and passes events to the viewer page).
 *
 * Event conversion — XState inspection events into the viewer's protocol — is
 * `@statelyai/inspect`'s own `createInspector`. The transport is ours: its bundled
 * `createWebSocketInspector` (0.7.2) reconnects forever on an `onerror` that also fires for the
 * socket `stop()` closes, so after stop it opens a new socket 5 s later and keeps the process
 * alive. This adapter reconnects on an unref'd timer, stops for good, logs a missing inspector
 * once, bounds what it holds while disconnected, and never throws into the actor system.
 */
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import WebSocket from 'ws';
import type { InspectionEvent } from 'xstate';
import type { Logger } from '../log/logger.js';
import { DEFAULT_SAFE_JSON_LIMITS, safeStringify, type SafeJsonLimits } from './safe-json.js';

export const DEFAULT_STATELY_URL = 'ws://localhost:8080';

export interface StatelyInspectorOptions {
  url?: string;
  reconnectDelayMs?: number;
  /** events kept while no inspector is connected (oldest dropped first) */
  maxDeferredEvents?: number;
  /** bytes queued on the socket past which events are dropped */
  maxSocketBufferBytes?: number;
  limits?: Partial<SafeJsonLimits>;
  logger?: Pick<Logger, 'info' | 'warn' | 'debug'>;
}

export type StatelyConnectionStatus = 'connecting' | 'open' | 'waiting' | 'stopped';

export interface StatelyInspectorStats {
  sent: number;
  deferred: number;
  dropped: number;
  connects: number;
}

export interface StatelyInspector {
  /** pass to `createTickvisor({ inspect })` / `createActor(…, { inspect })` */
  inspect: (event: InspectionEvent) => void;
  status(): StatelyConnectionStatus;
  stats(): StatelyInspectorStats;
  /** closes the socket, cancels reconnection; resolves once the socket is closed */
  stop(): Promise<void>;
}

/**
 * The viewer parses machine definitions from strings inside the events, so strings may be long
 * here; depth, breadth and node count stay bounded.
 */
const STATELY_LIMITS: SafeJsonLimits = { ...DEFAULT_SAFE_JSON_LIMITS, maxString: 1_000_000, maxDepth: 12, maxArray: 500, maxKeys: 500, maxNodes: 50_000 };

class ReconnectingSocketAdapter {
  private ws: WebSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private state: StatelyConnectionStatus = 'waiting';
  private deferred: string[] = [];
  private warned = false;
  private readonly closeWaiters: (() => void)[] = [];
  readonly counts = { sent: 0, dropped: 0, connects: 0 };

  constructor(
    private readonly url: string,
    private readonly reconnectDelayMs: number,
    private readonly maxDeferred: number,
    private readonly maxSocketBuffer: number,
    private readonly limits: SafeJsonLimits,
    private readonly log: StatelyInspectorOptions['logger'],
  ) {}

  status = () => this.state;
  deferredCount = () => this.deferred.length;

  start(): void {
    if (this.state === 'stopped' || this.ws) return;
    this.state = 'connecting';
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch (error) {
      // a malformed URL throws synchronously: report once, do not retry
      this.log?.warn({ url: this.url, err: error }, 'cannot connect to the Stately inspector');
      this.state = 'stopped';
      return;
    }
    this.ws = ws;
    let lastError: unknown;
    ws.on('error', (error) => {
      lastError = error;
    });
    ws.on('open', () => {
      this.state = 'open';
      this.counts.connects += 1;
      this.warned = false;
      this.log?.info(`connected to the Stately inspector at ${this.url}`);
      const backlog = this.deferred;
      this.deferred = [];
      for (const text of backlog) this.transmit(text);
    });
    ws.on('close', () => {
      if (this.ws === ws) this.ws = undefined;
      if (this.state === 'stopped') {
        this.closeWaiters.splice(0).forEach((wake) => wake());
        return;
      }
      const reason = (lastError as NodeJS.ErrnoException | undefined)?.code ?? (lastError as Error | undefined)?.message ?? 'closed';
      if (!this.warned) {
        this.warned = true;
        // one line, everything in the message: a readable log shows no field rows under it
        this.log?.warn(`no Stately inspector reachable at ${this.url} (${reason}); retrying every ${this.reconnectDelayMs / 1000} s in the background`);
      } else this.log?.debug({ url: this.url, reason }, 'Stately inspector still unreachable');
      this.state = 'waiting';
      // unref'd: a retry loop alone must not keep the process running
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.start();
      }, this.reconnectDelayMs).unref();
    });
  }

  stop(): Promise<void> {
    this.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.deferred = [];
    const ws = this.ws;
    if (!ws) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    try {
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'tickvisor stopping');
      else ws.terminate();
    } catch {
      ws.terminate();
    }
    // a peer that never answers the close handshake must not hold stop() (ws's own timeout is 30 s)
    const force = setTimeout(() => ws.terminate(), 1_000).unref();
    return closed.finally(() => clearTimeout(force));
  }

  send(event: StatelyInspectionEvent): void {
    if (this.state === 'stopped') return;
    const text = safeStringify(event, this.limits);
    if (this.state === 'open') return this.transmit(text);
    this.deferred.push(text);
    if (this.deferred.length > this.maxDeferred) {
      this.deferred.shift();
      this.counts.dropped += 1;
    }
  }

  private transmit(text: string): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || ws.bufferedAmount > this.maxSocketBuffer) {
      this.counts.dropped += 1;
      return;
    }
    ws.send(text, (error) => {
      if (error) this.counts.dropped += 1;
    });
    this.counts.sent += 1;
  }
}

export function connectStatelyInspector(options: StatelyInspectorOptions = {}): StatelyInspector {
  const adapter = new ReconnectingSocketAdapter(
    options.url ?? DEFAULT_STATELY_URL,
    options.reconnectDelayMs ?? 5_000,
    options.maxDeferredEvents ?? 200,
    options.maxSocketBufferBytes ?? 16 * 1024 * 1024,
    { ...STATELY_LIMITS, ...options.limits },
    options.logger,
  );
  const inspector = createInspector(adapter);
  inspector.start();
  return {
    inspect(event) {
      if (adapter.status() === 'stopped') return;
      try {
        inspector.inspect.next?.(event);
      } catch {
        // inspection is an observer: it must never break the system it watches
      }
    },
    status: () => adapter.status(),
    stats: () => ({ ...adapter.counts, deferred: adapter.deferredCount() }),
    stop: () => adapter.stop(),
  };
}
