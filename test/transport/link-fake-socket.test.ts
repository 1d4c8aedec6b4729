/**
 * The Link over a fake socket and a ManualClock: frames in (parsed, stamped with the clock,
 * delivered), pause/resume under pressure, malformed frames, and the close and error paths.
 * No network, no real time.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { createAdapter } from '../../src/exchanges/index.js';
import type { Instrument } from '../../src/exchanges/types.js';
import type { MarketRecord } from '../../src/records.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { Link, type LinkEvents } from '../../src/transport/link.js';
import type { FrameRefusal } from '../../src/transport/venue-io.js';

/** what the Link uses of a ws WebSocket, recording what is done to it */
class FakeSocket extends EventEmitter {
  readyState: number = WebSocket.CONNECTING;
  sent: string[] = [];
  calls: string[] = [];
  send(frame: string): void {
    this.sent.push(frame);
  }
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
  ping(): void {
    this.calls.push('ping');
  }
  close(code: number): void {
    this.calls.push(`close ${code}`);
    this.readyState = WebSocket.CLOSING;
  }
  terminate(): void {
    this.calls.push('terminate');
    this.readyState = WebSocket.CLOSED;
  }
  /** the server's side: the socket opens */
  opened(): void {
    this.readyState = WebSocket.OPEN;
    this.emit('open');
  }
  /** the server's side: a text frame arrives */
  frame(text: string): void {
    this.emit('message', Buffer.from(text), false);
  }
}

const BTC: Instrument = { symbol: 'BTC/USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', active: true };
const TRADE = (id: number, T: number) =>
  JSON.stringify({ stream: 'btcusdt@trade', data: { e: 'trade', E: T, s: 'BTCUSDT', t: id, p: '26150.40', q: '0.0015', T, m: true, M: true } });

function setup() {
  const clock = new ManualClock(1_690_000_000_500);
  const socket = new FakeSocket();
  const seen = { events: [] as string[], delivered: [] as MarketRecord[], malformed: [] as string[], quarantined: [] as FrameRefusal[], subscribing: [] as string[], deliveries: [] as number[] };
  const events: LinkEvents = {
    open: () => seen.events.push('open'),
    closed: (reason) => seen.events.push(`closed ${reason}`),
    acked: (symbols) => seen.events.push(`acked ${symbols.join(',')}`),
    rejected: (symbols, reason) => seen.events.push(`rejected ${symbols.join(',')} ${reason}`),
    pong: () => seen.events.push('pong'),
    frame: (records, malformed) => seen.events.push(`frame ${records}${malformed ? ' malformed' : ''}`),
  };
  const link = new Link(
    {
      adapter: createAdapter('binance', 'spot', { wsUrl: 'ws://fake' }),
      wsUrl: 'ws://fake',
      instrument: (s) => (s === BTC.symbol ? BTC : undefined),
      instruments: () => [BTC],
      deliver: (records) => {
        seen.delivered.push(...records);
        seen.deliveries.push(records.length);
      },
      subscribing: (symbols) => seen.subscribing.push(...symbols),
      malformed: (reason) => seen.malformed.push(reason),
      quarantine: (f) => seen.quarantined.push(f),
      openSocket: () => socket as unknown as WebSocket,
    },
    ['trade'],
    0,
    events,
    clock,
  );
  return { clock, socket, seen, link };
}

/** lets the Link's queued microtasks (ack batching) run */
const microtasks = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('link over a fake socket', () => {
  test('frames in: parsed, stamped with the injected clock, delivered; the first trade confirms the subscription', async () => {
    const { clock, socket, seen, link } = setup();
    socket.opened();
    link.subscribe(['BTC/USDT']);
    assert.deepEqual(seen.subscribing, ['BTC/USDT'], 'the data path is told before the request goes out');
    assert.equal(socket.sent.length, 1);
    assert.match(socket.sent[0] as string, /SUBSCRIBE/);
    socket.frame(TRADE(1, 1_690_000_000_120));
    await microtasks(); // the socket read ends
    clock.advance(7);
    socket.frame(TRADE(2, 1_690_000_000_125));
    await microtasks();
    assert.deepEqual(seen.delivered.map((r) => [r.type === 'trade' ? r.id : '', r.localTimestamp]), [
      ['1', 1_690_000_000_500],
      ['2', 1_690_000_000_507],
    ]);
    assert.deepEqual(seen.events, ['open', 'frame 1', 'acked BTC/USDT', 'frame 1'], 'acked as the read that confirmed it ends');
  });

  test('the frames of one socket read share its receive time and are delivered together, after it, in order', async () => {
    const { clock, socket, seen, link } = setup();
    socket.opened();
    link.subscribe(['BTC/USDT']);
    socket.frame(TRADE(1, 1_690_000_000_120));
    clock.advance(3); // no new read: the frames below came in the same one
    socket.frame(TRADE(2, 1_690_000_000_121));
    socket.frame(TRADE(3, 1_690_000_000_122));
    assert.equal(seen.delivered.length, 0, 'held until the read is handled');
    await microtasks();
    assert.deepEqual(seen.deliveries, [3]);
    assert.deepEqual(seen.delivered.map((r) => [r.type === 'trade' ? r.id : '', r.localTimestamp]), [
      ['1', 1_690_000_000_500],
      ['2', 1_690_000_000_500],
      ['3', 1_690_000_000_500],
    ]);
    clock.advance(10);
    socket.frame(TRADE(4, 1_690_000_000_130));
    await microtasks();
    assert.deepEqual(seen.deliveries, [3, 1]);
    assert.equal(seen.delivered[3]?.localTimestamp, 1_690_000_000_513, 'a new read reads the clock again');
  });

  test('what a read carried before a control frame, a bad frame or the close is delivered before it is handled', async () => {
    const { socket, seen, link } = setup();
    const order: string[] = [];
    const events = seen.events;
    seen.events = new Proxy(events, {
      get: (target, key) => (key === 'push' ? (...items: string[]) => { order.push(...items.map((e) => `${e} (after ${seen.delivered.length} delivered)`)); return target.push(...items); } : Reflect.get(target, key)),
    });
    socket.opened();
    link.subscribe(['BTC/USDT']);
    socket.frame(TRADE(1, 1_690_000_000_120));
    socket.frame('{"result":null,"id":1}'); // the subscription's answer, in the same read
    socket.frame(TRADE(2, 1_690_000_000_121));
    socket.frame('{"stream":"btcusdt@trade","data":{"e":"trade"'); // malformed
    socket.frame(TRADE(3, 1_690_000_000_122));
    socket.emit('close', 1006, Buffer.from(''));
    assert.deepEqual(seen.deliveries, [1, 1, 1], 'each run of data frames is delivered before what follows it');
    assert.deepEqual(seen.delivered.map((r) => (r.type === 'trade' ? r.id : '')), ['1', '2', '3']);
    assert.ok(order.includes('closed 1006 (after 3 delivered)'), order.join('; '));
    await microtasks();
    assert.deepEqual(seen.deliveries, [1, 1, 1], 'nothing delivered twice, nothing after the close');
  });

  test('pause and resume reach an open socket only', () => {
    const { socket, link } = setup();
    link.pause(true);
    assert.deepEqual(socket.calls, [], 'not open yet: nothing to pause');
    socket.opened();
    link.pause(true);
    link.pause(false);
    assert.deepEqual(socket.calls, ['pause', 'resume']);
  });

  test('a malformed frame is counted, quarantined with its receive time, and nothing is delivered', () => {
    const { socket, seen } = setup();
    socket.opened();
    socket.frame('{"stream":"btcusdt@trade","data":{"e":"trade"');
    assert.equal(seen.delivered.length, 0);
    assert.equal(seen.malformed.length, 1);
    assert.equal(seen.quarantined.length, 1);
    assert.equal(seen.quarantined[0]?.receivedAt, 1_690_000_000_500);
    assert.deepEqual(seen.events, ['open', 'frame 0 malformed']);
  });

  test('an error then a close report closed once, with the first reason; nothing after', () => {
    const { socket, seen } = setup();
    socket.opened();
    socket.emit('error', new Error('ECONNRESET'));
    socket.emit('close', 1006, Buffer.alloc(0));
    socket.frame(TRADE(3, 1_690_000_000_130));
    assert.deepEqual(seen.events.filter((e) => e.startsWith('closed')), ['closed ECONNRESET']);
  });

  test('the server closing reports its code and reason', () => {
    const { socket, seen } = setup();
    socket.opened();
    socket.emit('close', 1001, Buffer.from('going away'));
    assert.deepEqual(seen.events, ['open', 'closed 1001 going away']);
  });

  test('close(): a polite close, then terminate after the grace time when the server never answers', () => {
    const { clock, socket, seen, link } = setup();
    socket.opened();
    link.close();
    assert.deepEqual(socket.calls, ['close 1000']);
    clock.advance(999);
    assert.deepEqual(socket.calls, ['close 1000']);
    clock.advance(1);
    assert.deepEqual(socket.calls, ['close 1000', 'terminate']);
    socket.frame(TRADE(4, 1_690_000_000_140));
    assert.equal(seen.delivered.length, 0, 'no frame is read after close');
    assert.ok(!seen.events.some((e) => e.startsWith('closed')), 'a close we asked for is not reported');
  });

  test('close(): a server that answers in time is not terminated', () => {
    const { clock, socket, link } = setup();
    socket.opened();
    link.close();
    socket.emit('close', 1000, Buffer.alloc(0));
    clock.advance(5_000);
    assert.deepEqual(socket.calls, ['close 1000']);
    assert.equal(clock.pending, 0);
  });

  test('close() before the socket opened terminates it at once', () => {
    const { socket, link } = setup();
    link.close();
    assert.deepEqual(socket.calls, ['terminate']);
  });
});
