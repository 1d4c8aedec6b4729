import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { startHttpServer, PROMETHEUS_CONTENT_TYPE, type HttpServerOptions, type StatusPayload } from '../../src/http/server.js';
import type { StatusSummary } from '../../src/http/summary.js';
import type { ActorNode } from '../../src/runtime/state-tree.js';
import { coin, collector, connector, connectorCounters, manager } from '../metrics/fake-tree.js';

function fakeTree(connectorState = 'Connected', collectorState = 'Running'): ActorNode {
  return manager([
    collector('binance', 'spot', collectorState, [
      connector('binance', 'spot', 0, connectorState, connectorCounters(), [coin('binance', 'spot', 'BTC/USDT')]),
    ]),
    collector('upbit', 'spot', 'Running', [connector('upbit', 'spot', 0, 'Connected', connectorCounters(), [coin('upbit', 'spot', 'BTC/KRW')])]),
  ]);
}

const summary = (at: number): StatusSummary => ({
  at,
  recordsPerSecond: 12,
  committed: 345,
  collectors: {},
  coins: { 'coin:binance:spot:BTC/USDT': { lastAt: at - 500, records: 3 } },
  silentCoins: 0,
  silentAfterMs: 300_000,
  counts: { collectors: { total: 2, running: 2 }, connectors: { total: 1, connected: 1, byState: { Connected: 1 } }, coins: { total: 1, subscribed: 1 }, restarts: 0, alerts: 0 },
});

async function withServer(over: Partial<HttpServerOptions>, fn: (base: string, s: Awaited<ReturnType<typeof startHttpServer>>) => Promise<void>) {
  let clock = 1_000_000;
  const server = await startHttpServer({
    port: 0,
    metrics: async () => '# HELP x y\n# TYPE x gauge\nx 1\n',
    tree: () => fakeTree(),
    summary: () => summary(clock),
    now: () => clock,
    ...over,
  });
  try {
    await fn(server.url, server);
  } finally {
    await server.close();
    clock++;
  }
}

function get(url: string, method = 'GET'): Promise<{ status: number; type: string; body: string; headers: IncomingMessage['headers'] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** reads an SSE stream until `frames` event frames have arrived */
function readEvents(url: string, frames: number): Promise<{ raw: string; res: IncomingMessage; destroy: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        raw += d;
        if ((raw.match(/\nevent: /g) ?? []).length >= frames) resolve({ raw, res, destroy: () => req.destroy() });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(check: () => boolean, what: string, ms = 2_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('HTTP server', () => {
  test('serves Prometheus text on /metrics with the exposition content type', async () => {
    await withServer({}, async (base) => {
      const r = await get(`${base}metrics`);
      assert.equal(r.status, 200);
      assert.equal(r.type, PROMETHEUS_CONTENT_TYPE);
      assert.equal(r.body, '# HELP x y\n# TYPE x gauge\nx 1\n');
    });
  });

  test('/health is 200 with the whole tree, since-times and counters when every collector is Running', async () => {
    await withServer({}, async (base) => {
      const r = await get(`${base}health`);
      assert.equal(r.status, 200);
      const body = JSON.parse(r.body) as StatusPayload;
      assert.equal(body.healthy, true);
      assert.equal(body.status, 'healthy');
      assert.deepEqual(body.reasons, []);
      assert.deepEqual(body.collectors, { total: 2, running: 2 });
      const conn = body.tree.children[0]!.children[0]!;
      assert.equal(conn.id, 'connector:binance:spot:0');
      assert.equal(conn.state, 'Connected');
      assert.equal(conn.since, 1_000_000);
      assert.equal(conn.counters.connectionAttempts, 1);
      assert.equal(conn.children[0]!.state, 'Subscribed');
      assert.equal(body.summary?.recordsPerSecond, 12);
    });
  });

  test('/health is 503 when a collector is not Running, and when there is no tree yet', async () => {
    await withServer({ tree: () => fakeTree('Connected', 'Ready') }, async (base) => {
      const r = await get(`${base}health`);
      assert.equal(r.status, 503);
      const body = JSON.parse(r.body) as StatusPayload;
      assert.equal(body.status, 'degraded');
      assert.match(body.reasons.join('\n'), /1 of 2 collectors not running: binance:spot Ready/);
    });
    await withServer({ tree: () => { throw new Error('state() needs a started instance'); } }, async (base) => {
      const r = await get(`${base}health`);
      assert.equal(r.status, 503);
      assert.match(r.body, /needs a started instance/);
    });
  });

  test('/health is 503 down with reasons when no coin is subscribed (the exchange is down)', async () => {
    const exchangeDown = () =>
      manager([
        collector('binance', 'spot', 'Running', [
          connector('binance', 'spot', 0, 'Reconnecting', connectorCounters(), [coin('binance', 'spot', 'BTC/USDT', 'Pending'), coin('binance', 'spot', 'ETH/USDT', 'Pending')]),
        ]),
      ]);
    await withServer({ tree: exchangeDown }, async (base) => {
      const r = await get(`${base}health`);
      assert.equal(r.status, 503);
      const body = JSON.parse(r.body) as StatusPayload;
      assert.equal(body.healthy, false);
      assert.equal(body.status, 'down');
      assert.ok(body.reasons.includes('no coin subscribed (0 of 2)'), body.reasons.join('\n'));
      assert.match(body.reasons.join('\n'), /1 of 1 connectors not connected: binance:spot:0 Reconnecting/);
    });
  });

  test('tracks since when each actor has been in its state across polls', async () => {
    let clock = 5_000;
    let state = 'Connected';
    const server = await startHttpServer({ port: 0, metrics: async () => '', tree: () => fakeTree(state), summary: () => summary(clock), now: () => clock });
    try {
      const since = async () => (JSON.parse((await get(`${server.url}health`)).body) as StatusPayload).tree.children[0]!.children[0]!.since;
      assert.equal(await since(), 5_000);
      clock = 6_000;
      assert.equal(await since(), 5_000, 'same state: same since');
      state = 'Recovering';
      clock = 7_000;
      assert.equal(await since(), 7_000);
      clock = 9_000;
      assert.equal(await since(), 7_000);
    } finally {
      await server.close();
    }
  });

  test('serves the status page at / and 404 elsewhere; refuses other methods', async () => {
    await withServer({}, async (base) => {
      const page = await get(base);
      assert.equal(page.status, 200);
      assert.equal(page.type, 'text/html; charset=utf-8');
      assert.match(page.body, /<main id="tree">/);
      assert.equal((await get(`${base}nope`)).status, 404);
      assert.equal((await get(`${base}metrics`, 'POST')).status, 405);
    });
  });

  test('/events sends framed server-sent events at once and every period, and forgets a client that leaves', async () => {
    await withServer({ intervalMs: 30 }, async (base, server) => {
      const { raw, res, destroy } = await readEvents(`${base}events`, 2);
      assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
      assert.equal(res.headers['cache-control'], 'no-cache, no-transform');
      assert.ok(raw.startsWith('retry: 2000\n\n'));
      const frames = raw.split('\n\n').filter((f) => f.startsWith('event: '));
      assert.ok(frames.length >= 2);
      const lines = frames[0]!.split('\n');
      assert.equal(lines[0], 'event: status');
      assert.equal(lines[1], 'id: 1');
      assert.ok(lines[2]!.startsWith('data: '));
      assert.equal(lines.length, 3, 'one data line per frame');
      const payload = JSON.parse(lines[2]!.slice(6)) as StatusPayload;
      assert.equal(payload.tree.id, 'manager');
      assert.equal(payload.summary?.committed, 345);
      assert.equal(frames[1]!.split('\n')[1], 'id: 2');
      assert.equal(server.eventClients, 1);
      destroy();
      await until(() => server.eventClients === 0, 'the server to drop the client');
    });
  });

  test('/events reports a failing provider as a failure event instead of breaking the stream', async () => {
    await withServer({ tree: () => { throw new Error('not started'); } }, async (base) => {
      const { raw, destroy } = await readEvents(`${base}events`, 1);
      destroy();
      assert.match(raw, /event: failure\nid: 1\ndata: \{"error":"not started"\}\n\n/);
    });
  });

  test('close() ends open event streams and frees the port', async () => {
    const server = await startHttpServer({ port: 0, metrics: async () => '', tree: () => fakeTree(), summary: () => summary(0) });
    const { res } = await readEvents(`${server.url}events`, 1);
    const ended = new Promise<void>((resolve) => res.on('close', () => resolve()));
    await server.close();
    await ended;
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(server.port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  test('a port in use is a coded error with a one-line message', async () => {
    await withServer({}, async (_base, first) => {
      await assert.rejects(
        startHttpServer({ port: first.port, metrics: async () => '', tree: () => fakeTree(), summary: () => summary(0) }),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'TV_ERR_PORT_IN_USE');
          assert.ok(!error.message.includes('\n'));
          assert.match(error.message, new RegExp(`port ${first.port} on 127.0.0.1 is already in use`));
          return true;
        },
      );
    });
  });
});
