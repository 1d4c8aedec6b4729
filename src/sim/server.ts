/**
 * The one HTTP server: REST and WebSocket upgrades for every venue, routed by the
 * `/{exchange}/{market}` prefix; the rest of the path is the exchange's own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { FaultBook } from './faults.js';
import type { VenueRuntime } from './runtime.js';

export interface RoutedServer {
  server: Server;
  wss: WebSocketServer;
}

export function createRoutedServer(runtimes: Map<string, VenueRuntime>, faults: FaultBook): RoutedServer {
  // autoPong off: pongs are answered by SimConnection, so the 'stall' fault can withhold them
  const wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false });

  const route = (rawUrl: string | undefined): { runtime: VenueRuntime; path: string; url: URL } | undefined => {
    const url = new URL(rawUrl ?? '/', 'http://sim.invalid');
    const [, exchange, market, ...rest] = url.pathname.split('/');
    const runtime = runtimes.get(`${exchange}/${market}`);
    return runtime ? { runtime, path: '/' + rest.join('/'), url } : undefined;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const hit = route(req.url);
    if (!hit) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'no such venue', path: req.url }));
      return;
    }
    const { runtime } = hit;
    if (faults.has('server-restart', runtime.exchange, runtime.market)) {
      runtime.stats.connectionsRefused++;
      req.socket.destroy();
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'method not allowed' }));
      return;
    }
    runtime.rest(req, res, hit.path, hit.url);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const hit = route(req.url);
    if (!hit || !acceptsPath(hit.runtime.venue.wsPaths, hit.path)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const { runtime } = hit;
    if (faults.has('server-restart', runtime.exchange, runtime.market)) {
      runtime.stats.connectionsRefused++;
      socket.destroy();
      return;
    }
    runtime.accept(wss, req, socket, head, hit.url);
  });

  return { server, wss };
}

/** exact paths, or `prefix/*` for paths that carry a value (Binance `/ws/btcusdt@trade`) */
function acceptsPath(paths: readonly string[], path: string): boolean {
  return paths.some((p) => (p.endsWith('/*') ? path.startsWith(p.slice(0, -1)) && path.length > p.length - 1 : p === path));
}
