import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { WebSocketServer } from 'ws';
import { createActor, type InspectionEvent } from 'xstate';
import { coinMachine } from '../../machines/coin.js';
import { connectStatelyInspector } from '../../src/inspect/stately.js';
import { sparePort } from '../spare-port.js';


/** waits on loopback socket activity (the thing under test is a socket), up to `ms` */
async function until(condition: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function runCoin(inspect: (event: InspectionEvent) => void) {
  const coin = createActor(coinMachine, {
    input: { exchange: 'upbit', market: 'spot', symbol: 'BTC/KRW' },
    inspect,
  }).start();
  coin.send({ type: 'REQUEST' });
  coin.send({ type: 'CONFIRM' });
  return coin;
}

describe('Stately inspector connection', () => {
  test('with nothing listening it runs, retries quietly, and stops cleanly for good', async () => {
    const port = await sparePort();
    const warnings: unknown[] = [];
    const logger = { info: () => {}, debug: () => {}, warn: (o: unknown) => void warnings.push(o) };
    const inspector = connectStatelyInspector({ url: `ws://127.0.0.1:${port}`, reconnectDelayMs: 20, maxDeferredEvents: 5, logger: logger as never });
    const coin = runCoin(inspector.inspect);
    await until(() => warnings.length > 0);
    await new Promise((r) => setTimeout(r, 100)); // several retry cycles
    assert.equal(warnings.length, 1, 'a missing inspector is reported once, not on every retry');
    assert.notEqual(inspector.status(), 'open');
    assert.ok(inspector.stats().deferred <= 5, 'what it holds while disconnected is bounded');
    coin.stop();
    await inspector.stop();
    assert.equal(inspector.status(), 'stopped');

    // after stop, nothing reconnects: an inspector appearing on that port sees no one
    const wss = new WebSocketServer({ port, host: '127.0.0.1' });
    let connections = 0;
    wss.on('connection', () => (connections += 1));
    await new Promise((r) => setTimeout(r, 150)); // > 7 reconnect delays
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    assert.equal(connections, 0);
    assert.doesNotThrow(() => inspector.inspect({ type: '@xstate.event' } as never));
  });

  test('streams actor, event and snapshot messages in the inspector protocol, including those from before the socket opened', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const { port } = wss.address() as net.AddressInfo;
    const messages: Record<string, any>[] = [];
    let peerClosed = false;
    wss.on('connection', (socket) => {
      socket.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, any>));
      socket.on('close', () => (peerClosed = true));
    });
    const inspector = connectStatelyInspector({ url: `ws://127.0.0.1:${port}` });
    const coin = runCoin(inspector.inspect); // before the socket is open: deferred, then flushed
    await until(() => messages.filter((m) => m.type === '@xstate.snapshot').length >= 3);
    assert.equal(inspector.status(), 'open');
    const actor = messages.find((m) => m.type === '@xstate.actor')!;
    assert.equal(typeof actor._version, 'string');
    assert.equal(actor.name, 'coin');
    assert.equal(typeof actor.definition, 'string');
    assert.equal(JSON.parse(actor.definition).id, 'coin', 'the machine definition reaches the viewer whole');
    assert.deepEqual(
      messages.filter((m) => m.type === '@xstate.event').map((m) => m.event.type),
      ['xstate.init', 'REQUEST', 'CONFIRM'],
    );
    assert.deepEqual(messages.filter((m) => m.type === '@xstate.snapshot').at(-1)!.snapshot.value, { Subscribed: 'Streaming' });
    assert.ok(messages.every((m) => m.sessionId === actor.sessionId));
    coin.stop();
    await inspector.stop();
    await until(() => peerClosed);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });

  test('an inspector that comes up later is connected to on a retry', async () => {
    const port = await sparePort();
    const inspector = connectStatelyInspector({ url: `ws://127.0.0.1:${port}`, reconnectDelayMs: 20 });
    await new Promise((r) => setTimeout(r, 50));
    const wss = new WebSocketServer({ port, host: '127.0.0.1' });
    const received: string[] = [];
    wss.on('connection', (socket) => socket.on('message', (d) => received.push(String(d))));
    await until(() => inspector.status() === 'open');
    const coin = runCoin(inspector.inspect);
    await until(() => received.length > 0);
    coin.stop();
    await inspector.stop();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
});
