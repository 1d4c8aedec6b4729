/** A real HTTP server on 127.0.0.1 that answers from a script, one step per request. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Step = (req: IncomingMessage, res: ServerResponse) => void;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Step {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

export function text(status: number, body: string, headers: Record<string, string> = {}): Step {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(body);
  };
}

/** Answers only after `ms` of real time: for the timeout test, where the socket is the subject. */
export function slow(ms: number, then: Step): Step {
  return (req, res) => {
    const timer = setTimeout(() => {
      if (!res.destroyed) then(req, res);
    }, ms);
    res.on('close', () => clearTimeout(timer));
  };
}

export interface ScriptedServer {
  url: (path?: string) => string;
  requests: { method: string | undefined; url: string | undefined; headers: IncomingMessage['headers'] }[];
  close: () => Promise<void>;
}

/**
 * Steps are used in order; `repeat` (default 200 {"ok":true}) answers once the script runs out,
 * so "always 500" is `startServer([], json(500, …))`.
 */
export async function startServer(steps: Step[], repeat: Step = json(200, { ok: true })): Promise<ScriptedServer> {
  const requests: ScriptedServer['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    (steps[requests.length - 1] ?? repeat)(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = '/api') => `http://127.0.0.1:${port}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
