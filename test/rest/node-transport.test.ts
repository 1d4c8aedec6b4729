/**
 * The default HTTP transport against a local server: what it returns for answers of every kind,
 * and which coded error it rejects with when the network, a timeout or an abort gets in the way.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { nodeTransport, TransportError } from '../../src/rest/node-transport.js';

const BODY = JSON.stringify({ symbols: [{ symbol: 'BTCUSDT', status: 'TRADING' }], note: 'żółw ✓' });

type Handler = (res: ServerResponse, url: URL, socket: Socket) => void;
const routes: Record<string, Handler> = {
  '/plain': (res) => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-mbx-used-weight-1m', '12');
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.end(BODY);
  },
  '/gzip': (res) => {
    res.setHeader('content-encoding', 'gzip');
    res.end(gzipSync(BODY));
  },
  '/deflate': (res) => {
    res.setHeader('content-encoding', 'deflate');
    res.end(deflateSync(BODY));
  },
  '/br': (res) => {
    res.setHeader('content-encoding', 'br');
    res.end(brotliCompressSync(BODY));
  },
  '/rate-limited': (res) => {
    res.statusCode = 429;
    res.setHeader('retry-after', '3');
    res.end('{"code":-1003,"msg":"Too many requests"}');
  },
  '/moved': (res) => {
    res.statusCode = 302;
    res.setHeader('location', '/plain');
    res.end();
  },
  '/loop': (res) => {
    res.statusCode = 301;
    res.setHeader('location', '/loop');
    res.end();
  },
  '/silent': () => {
    // never answers: the transport's timeout or the caller's abort ends it
  },
  '/cut': (res, _url, socket) => {
    res.setHeader('content-length', '1000');
    res.write('{"partial":');
    setImmediate(() => socket.destroy());
  },
  '/weird-encoding': (res) => {
    res.setHeader('content-encoding', 'zstd-ish');
    res.end('???');
  },
};

describe('nodeTransport', () => {
  let server: Server;
  let base: string;
  const sockets = new Set<Socket>();

  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const route = routes[url.pathname];
      if (!route) {
        res.statusCode = 404;
        res.end('{"error":"no route"}');
        return;
      }
      assert.equal(req.method, 'GET');
      assert.equal(req.headers['user-agent'], 'tickvisor/0.1');
      route(res, url, req.socket);
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('returns status, lower-case headers (repeated ones joined) and the body as text', async () => {
    const r = await nodeTransport(`${base}/plain`, 5_000);
    assert.equal(r.status, 200);
    assert.equal(r.text, BODY);
    assert.equal(r.headers['x-mbx-used-weight-1m'], '12');
    assert.equal(r.headers['set-cookie'], 'a=1, b=2');
    assert.equal(r.headers['content-type'], 'application/json');
  });

  for (const encoding of ['gzip', 'deflate', 'br']) {
    test(`decompresses a ${encoding} body`, async () => {
      const r = await nodeTransport(`${base}/${encoding}`, 5_000);
      assert.equal(r.status, 200);
      assert.equal(r.text, BODY);
    });
  }

  test('an HTTP error status is an answer, not a rejection (the retry policy reads it)', async () => {
    const r = await nodeTransport(`${base}/rate-limited`, 5_000);
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '3');
    assert.match(r.text, /Too many requests/);
    const missing = await nodeTransport(`${base}/nowhere`, 5_000);
    assert.equal(missing.status, 404);
  });

  test('follows a redirect, and refuses an endless one with a code', async () => {
    const r = await nodeTransport(`${base}/moved`, 5_000);
    assert.equal(r.status, 200);
    assert.equal(r.text, BODY);
    await assert.rejects(nodeTransport(`${base}/loop`, 5_000), (e: unknown) => e instanceof TransportError && e.code === 'ERR_TOO_MANY_REDIRECTS');
  });

  test('a server that does not answer in time: ETIMEDOUT', async () => {
    await assert.rejects(nodeTransport(`${base}/silent`, 50), (e: unknown) => e instanceof TransportError && e.code === 'ETIMEDOUT');
  });

  test("the caller's abort, before or during the request: ABORT_ERR", async () => {
    await assert.rejects(nodeTransport(`${base}/plain`, 5_000, AbortSignal.abort()), (e: unknown) => e instanceof TransportError && e.code === 'ABORT_ERR');
    const controller = new AbortController();
    const pending = nodeTransport(`${base}/silent`, 5_000, controller.signal);
    controller.abort();
    await assert.rejects(pending, (e: unknown) => e instanceof TransportError && e.code === 'ABORT_ERR');
  });

  test('a connection cut mid-body rejects instead of returning half a body', async () => {
    await assert.rejects(nodeTransport(`${base}/cut`, 5_000), (e: unknown) => e instanceof TransportError && typeof e.code === 'string');
  });

  test('nobody listening: the socket error code (ECONNREFUSED)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(nodeTransport(`http://127.0.0.1:${port}/x`, 5_000), (e: unknown) => e instanceof TransportError && e.code === 'ECONNREFUSED');
  });

  test('an encoding it cannot read, a bad URL, a protocol it does not speak: coded errors', async () => {
    await assert.rejects(nodeTransport(`${base}/weird-encoding`, 5_000), (e: unknown) => e instanceof TransportError && e.code === 'ERR_CONTENT_ENCODING');
    await assert.rejects(nodeTransport('not a url', 5_000), (e: unknown) => e instanceof TransportError && e.code === 'ERR_INVALID_URL');
    await assert.rejects(nodeTransport('ftp://127.0.0.1/x', 5_000), (e: unknown) => e instanceof TransportError && e.code === 'ERR_INVALID_PROTOCOL');
  });
});
