/**
 * The WebSocket client against a real server (the `ws` package's, as the simulator uses) and
 * against raw TCP servers that misbehave: handshake, messages both ways, pings answered, both
 * close handshakes, refused handshakes, bytes that are not UTF-8, a dropped connection. Each case
 * ends on an event the client must emit ('close' exactly once, last), never on a timer.
 */
import { after, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { SOCKET_CLOSED, SOCKET_OPEN, WsClient } from '../../src/transport/ws-client.js';

const MAX = 1 << 20;

async function wsServer(): Promise<{ wss: WebSocketServer; url: string; next: () => Promise<WebSocket> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const port = (wss.address() as { port: number }).port;
  return { wss, url: `ws://127.0.0.1:${port}/stream?x=1`, next: async () => ((await once(wss, 'connection')) as [WebSocket])[0] };
}

/** what a client emitted until its 'close' (which must come once, and last) */
function record(c: WsClient): { events: unknown[][]; closed: Promise<[number, string]> } {
  const events: unknown[][] = [];
  for (const name of ['open', 'message', 'ping', 'pong', 'error'] as const) {
    c.on(name as 'open', (...args: unknown[]) => events.push([name, ...args.map((a) => (a instanceof Error ? a.message : Buffer.isBuffer(a) ? a.toString() : a))]));
  }
  const closed = new Promise<[number, string]>((resolve) => {
    let count = 0;
    c.on('close', (code, reason) => {
      count++;
      events.push(['close', code, reason.toString()]);
      assert.equal(count, 1, 'close emitted once');
      assert.equal(c.readyState, SOCKET_CLOSED);
      resolve([code, reason.toString()]);
    });
  });
  return { events, closed };
}

/** a raw TCP server that completes the handshake by hand, then lets the test write any bytes */
async function rawServer(onSocket: (s: Socket) => void, handshake = true): Promise<{ server: Server; url: string }> {
  const server = createTcpServer((s) => {
    let head = '';
    s.on('data', function first(d: Buffer) {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      s.off('data', first);
      const key = /sec-websocket-key: (.*)\r\n/i.exec(head)?.[1]?.trim() ?? '';
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      if (handshake) s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      onSocket(s);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `ws://127.0.0.1:${(server.address() as { port: number }).port}` };
}

describe('ws client', () => {
  test('handshake, text both ways, binary, a server ping answered, the server closing first', async () => {
    const { wss, url, next } = await wsServer();
    try {
      const c = new WsClient(url, { maxPayload: MAX });
      const { events, closed } = record(c);
      const s = await next();
      await once(c, 'open');
      assert.equal(c.readyState, SOCKET_OPEN);
      const got = once(s, 'message');
      c.send('{"method":"SUBSCRIBE"}');
      assert.equal(String((await got)[0]), '{"method":"SUBSCRIBE"}');
      const pong = once(s, 'pong');
      s.send('{"p":"1"}');
      s.send(Buffer.from([1, 2, 3]));
      s.ping('hb');
      assert.equal(String((await pong)[0]), 'hb', 'the client answered the ping with its payload');
      s.close(4001, 'maintenance');
      assert.deepEqual(await closed, [4001, 'maintenance']);
      assert.deepEqual(events.slice(0, 4), [['open'], ['message', '{"p":"1"}', false], ['message', '\u0001\u0002\u0003', true], ['ping', 'hb']]);
    } finally {
      wss.close();
    }
  });

  test('the client closing first: the server sees its code, the client closes with the echo', async () => {
    const { wss, url, next } = await wsServer();
    try {
      const c = new WsClient(url, { maxPayload: MAX });
      const { closed } = record(c);
      const s = await next();
      await once(c, 'open');
      const serverSaw = once(s, 'close');
      c.close(1000, 'closing');
      const [code, reason] = (await serverSaw) as [number, Buffer];
      assert.deepEqual([code, reason.toString()], [1000, 'closing']);
      assert.equal((await closed)[0], 1000);
    } finally {
      wss.close();
    }
  });

  test('the server dropping the connection without a close frame: close 1006', async () => {
    const { wss, url, next } = await wsServer();
    try {
      const c = new WsClient(url, { maxPayload: MAX });
      const { events, closed } = record(c);
      const s = await next();
      await once(c, 'open');
      s.terminate();
      assert.deepEqual(await closed, [1006, '']);
      assert.ok(!events.some((e) => e[0] === 'error'));
    } finally {
      wss.close();
    }
  });

  test('a refused handshake (HTTP 429) and a refused connection: one error, then close', async () => {
    const http = createHttpServer((_req, res) => {
      res.writeHead(429, { 'Retry-After': '1' });
      res.end('slow down');
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const port = (http.address() as { port: number }).port;
    try {
      const c = new WsClient(`ws://127.0.0.1:${port}`, { maxPayload: MAX });
      const { events, closed } = record(c);
      assert.equal((await closed)[0], 1006);
      assert.deepEqual(events.filter((e) => e[0] === 'error'), [['error', 'Unexpected server response: 429']]);
    } finally {
      http.close();
    }
    const c = new WsClient(`ws://127.0.0.1:${port}`, { maxPayload: MAX });
    const { events, closed } = record(c);
    await closed;
    assert.match(String(events.find((e) => e[0] === 'error')?.[1]), /ECONNREFUSED/);
  });

  test('a wrong Sec-WebSocket-Accept is refused', async () => {
    const { server, url } = await rawServer(() => {}, false);
    // answers 101 with a made-up accept value
    server.removeAllListeners('connection');
    server.on('connection', (s: Socket) => {
      s.once('data', () => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm90IGl0\r\n\r\n'));
    });
    try {
      const c = new WsClient(url, { maxPayload: MAX });
      const { events, closed } = record(c);
      await closed;
      assert.deepEqual(events.map((e) => e[0]), ['error', 'close']);
      assert.match(String(events[0]![1]), /Sec-WebSocket-Accept/);
    } finally {
      server.close();
    }
  });

  test('bytes that are not UTF-8 in a text frame: an error, a 1007 close frame sent, close 1007; frames in the same chunk as the handshake are read', async () => {
    let sent: Buffer = Buffer.alloc(0);
    const { server, url } = await rawServer((s) => {
      // a good frame right behind the handshake (the client gets it as the upgrade's head), then a bad one
      s.write(Buffer.concat([Buffer.from([0x81, 2]), Buffer.from('ok'), Buffer.from([0x81, 3, 0x7b, 0xff, 0x7d])]));
      s.on('data', (d: Buffer) => (sent = Buffer.concat([sent, d])));
    });
    try {
      const c = new WsClient(url, { maxPayload: MAX });
      const { events, closed } = record(c);
      assert.equal((await closed)[0], 1007);
      assert.deepEqual(events.map((e) => e[0]), ['open', 'message', 'error', 'close']);
      assert.equal(events[1]![1], 'ok');
      // the client's close frame: opcode 8, masked, code 1007
      assert.equal(sent[0], 0x88);
      const key = sent.subarray(2, 6);
      assert.equal(((sent[6] as number) ^ (key[0] as number)) * 256 + ((sent[7] as number) ^ (key[1] as number)), 1007);
    } finally {
      server.close();
    }
  });

  test('terminate before the handshake completes: an error, then close', async () => {
    const { server, url } = await rawServer(() => {}, false);
    try {
      const c = new WsClient(url, { maxPayload: MAX });
      const { events, closed } = record(c);
      c.terminate();
      await closed;
      assert.deepEqual(events.map((e) => e[0]), ['error', 'close']);
    } finally {
      server.close();
    }
  });

  test('a URL that is not ws: or wss: is refused at once', () => {
    assert.throws(() => new WsClient('http://127.0.0.1:1', { maxPayload: MAX }), /not a WebSocket URL/);
  });
});

describe('ws client over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tickvisor-tls-'));
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { encoding: 'utf8' });
  const skip = made.error || made.status !== 0 ? 'openssl could not make a test certificate: wss skipped' : false;
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('wss: the certificate is verified (refused when not trusted), and a trusted server works as ws: does', { skip }, async () => {
    const cert = readFileSync(join(dir, 'cert.pem'));
    const server = createHttpsServer({ cert, key: readFileSync(join(dir, 'key.pem')) });
    const wss = new WebSocketServer({ server });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `wss://localhost:${(server.address() as { port: number }).port}/ws`;
    wss.on('connection', (s) => s.send('hello over tls'));
    try {
      const untrusted = new WsClient(url, { maxPayload: MAX });
      const refused = record(untrusted);
      await refused.closed;
      assert.match(String(refused.events.find((e) => e[0] === 'error')?.[1]), /self[- ]signed|certificate/i);
      const c = new WsClient(url, { maxPayload: MAX, ca: cert });
      const { events, closed } = record(c);
      const message = once(c, 'message');
      assert.equal((await message)[0], 'hello over tls');
      c.close(1000, 'done');
      assert.equal((await closed)[0], 1000);
      assert.deepEqual(events[0], ['open']);
    } finally {
      wss.close();
      server.close();
    }
  });
});
