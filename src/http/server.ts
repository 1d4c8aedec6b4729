/**
 * The HTTP face of a running tickvisor (`tickvisor run`: /metrics, /health, the status page), on node's own `http`:
 *   GET /         the live status page (status-page.ts)
 *   GET /metrics  Prometheus text exposition
 *   GET /health   `healthy` | `degraded` | `down` with its reasons, and the tree as JSON with states,
 *                 since-when and counters; 200 only when healthy, 503 otherwise (a probe can use it)
 *   GET /events   server-sent events: health + summary every second
 * Everything it shows comes from injected providers, so tests run it over fakes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActorNode } from '../runtime/state-tree.js';
import { HttpServerError } from './errors.js';
import { EventStreamHub } from './event-stream.js';
import { healthReport, StateSinceTracker, type HealthReport } from './health.js';
import { STATUS_PAGE_HTML } from './status-page.js';
import type { StatusSummary } from './summary.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface HttpServerOptions {
  /** default 127.0.0.1: the numbers are not for the whole network unless asked */
  host?: string;
  /** 0: any free port (read it back from the result) */
  port: number;
  /** Prometheus text exposition */
  metrics: () => Promise<string>;
  /** the live supervision tree */
  tree: () => ActorNode;
  summary: () => StatusSummary;
  /** overrides the built-in report (the tree with observed since-times) */
  health?: () => HealthReport;
  /** /events push period and since-tracking poll (default 1000 ms) */
  intervalMs?: number;
  now?: () => number;
}

export interface HttpServer {
  /** base URL, e.g. http://127.0.0.1:9464/ */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** browsers currently connected to /events */
  readonly eventClients: number;
  /** ends event streams, closes every connection, frees the port */
  close(): Promise<void>;
}

/** What /health returns and /events pushes: the report, plus the page's figures when available. */
export interface StatusPayload extends HealthReport {
  summary?: StatusSummary;
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const tracker = new StateSinceTracker();
  const hub = new EventStreamHub();

  const health = (): HealthReport => (options.health ? options.health() : healthReport(tracker.observe(options.tree(), now()), now()));
  const payload = (): StatusPayload => {
    const report = health();
    let summary: StatusSummary | undefined;
    try {
      summary = options.summary();
    } catch {
      // the tree is what matters; the figures come back on the next push
    }
    return summary ? { ...report, summary } : report;
  };
  const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
  const pushFrame = (): { event: string; data: string } => {
    try {
      return { event: 'status', data: JSON.stringify(payload()) };
    } catch (error) {
      return { event: 'failure', data: JSON.stringify({ error: errorText(error) }) };
    }
  };

  const send = (res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, value: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    switch (path) {
      case '/':
      case '/index.html':
        send(res, 200, 'text/html; charset=utf-8', STATUS_PAGE_HTML, {
          'Content-Security-Policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
        });
        return;
      case '/metrics':
        try {
          send(res, 200, PROMETHEUS_CONTENT_TYPE, await options.metrics());
        } catch (error) {
          send(res, 500, 'text/plain; charset=utf-8', `metrics unavailable: ${errorText(error)}\n`);
        }
        return;
      case '/health':
        try {
          const p = payload();
          json(res, p.healthy ? 200 : 503, p);
        } catch (error) {
          // e.g. not started yet: not healthy, and say why
          json(res, 503, { healthy: false, status: 'down', reasons: [`no supervision tree: ${errorText(error)}`], notes: [], at: now(), error: errorText(error) });
        }
        return;
      case '/events':
        if (req.method === 'HEAD') send(res, 200, 'text/event-stream; charset=utf-8', '');
        else hub.add(req, res, pushFrame());
        return;
      default:
        send(res, 404, 'text/plain; charset=utf-8', `not found: ${path}\n`);
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `internal error: ${errorText(error)}\n`);
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new HttpServerError('TV_ERR_PORT_IN_USE', `port ${options.port} on ${host} is already in use (choose another with --metrics-port, or 0 for any)`, { cause: error })
          : new HttpServerError('TV_ERR_HTTP_LISTEN', `cannot listen on ${host}:${options.port}: ${error.message}`, { cause: error }),
      );
    };
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });

  // one poll per period: keeps since-times current even when nobody watches, and feeds the streams
  const timer = setInterval(() => {
    if (hub.size > 0) {
      const frame = pushFrame();
      hub.send(frame.event, frame.data);
    } else if (!options.health) {
      try {
        tracker.observe(options.tree(), now());
      } catch {
        // not started yet
      }
    }
  }, options.intervalMs ?? 1_000);
  timer.unref();

  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/`,
    port,
    host,
    get eventClients() {
      return hub.size;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        hub.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
