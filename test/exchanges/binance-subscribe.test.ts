import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { binanceAdapter } from '../../src/exchanges/binance/index.js';
import type { Instrument } from '../../src/exchanges/types.js';

function instruments(n: number, futures = false): Instrument[] {
  return Array.from({ length: n }, (_, i) => ({
    symbol: futures ? `C${i}/USDT:USDT` : `C${i}/USDT`,
    nativeId: `C${i}USDT`,
    base: `C${i}`,
    quote: 'USDT',
    active: true,
  }));
}

function counter(): () => string {
  let n = 0;
  return () => String(++n);
}

type Frame = { method: string; params: string[]; id: number | string };

describe('binance subscribe requests', () => {
  test('450 symbols × 2 channels split into 5 requests of whole symbols, 200 streams at most', () => {
    const adapter = binanceAdapter('spot');
    const list = instruments(450);
    const requests = adapter.subscribeRequests(list, ['trade', 'ticker'], counter());
    assert.deepEqual(requests.map((r) => r.symbols.length), [100, 100, 100, 100, 50]);

    const allParams: string[] = [];
    for (const r of requests) {
      const frame = JSON.parse(r.frame) as Frame;
      assert.equal(frame.method, 'SUBSCRIBE');
      assert.ok(frame.params.length <= adapter.limits.maxArgsPerRequest);
      assert.equal(frame.params.length, r.symbols.length * 2);
      assert.deepEqual(r.channels, ['trade', 'ticker']);
      // the request's symbols are exactly the instruments whose streams it names
      const named = new Set(frame.params.map((p) => p.split('@')[0]));
      assert.deepEqual([...named], list.filter((i) => r.symbols.includes(i.symbol)).map((i) => i.nativeId.toLowerCase()));
      allParams.push(...frame.params);
    }
    assert.equal(allParams.length, 900);
    assert.equal(new Set(allParams).size, 900);
    assert.deepEqual(requests.flatMap((r) => r.symbols), list.map((i) => i.symbol));
  });

  test('stream names are lower-case symbols with the documented suffixes', () => {
    const [spot] = binanceAdapter('spot').subscribeRequests(instruments(1), ['trade', 'ticker'], counter());
    assert.deepEqual((JSON.parse(spot!.frame) as Frame).params, ['c0usdt@trade', 'c0usdt@ticker']);
    const [fut] = binanceAdapter('futures').subscribeRequests(instruments(1, true), ['trade', 'ticker'], counter());
    assert.deepEqual((JSON.parse(fut!.frame) as Frame).params, ['c0usdt@aggTrade', 'c0usdt@ticker']);
  });

  test('each request takes a fresh id from nextId and sends a numeric id as a JSON number', () => {
    const requests = binanceAdapter('spot').subscribeRequests(instruments(250), ['trade', 'ticker'], counter());
    assert.deepEqual(requests.map((r) => r.requestId), ['1', '2', '3']);
    assert.deepEqual(requests.map((r) => (JSON.parse(r.frame) as Frame).id), [1, 2, 3]);
  });

  test('a non-numeric id is sent as a string, so the ack still matches', () => {
    const [r] = binanceAdapter('spot').subscribeRequests(instruments(1), ['trade'], () => 'abc');
    assert.equal((JSON.parse(r!.frame) as Frame).id, 'abc');
    assert.equal(r!.requestId, 'abc');
  });

  test('one channel packs 200 symbols per request', () => {
    const requests = binanceAdapter('futures').subscribeRequests(instruments(450, true), ['trade'], counter());
    assert.deepEqual(requests.map((r) => r.symbols.length), [200, 200, 50]);
  });

  test('unsubscribe uses UNSUBSCRIBE with the same batching', () => {
    const requests = binanceAdapter('spot').unsubscribeRequests(instruments(150), ['trade', 'ticker'], counter());
    assert.equal(requests.length, 2);
    for (const r of requests) assert.equal((JSON.parse(r.frame) as Frame).method, 'UNSUBSCRIBE');
  });

  test('nothing to subscribe yields no request and consumes no id', () => {
    let calls = 0;
    const nextId = () => String(++calls);
    assert.deepEqual(binanceAdapter('spot').subscribeRequests([], ['trade'], nextId), []);
    assert.deepEqual(binanceAdapter('spot').subscribeRequests(instruments(3), [], nextId), []);
    assert.equal(calls, 0);
  });
});

describe('binance adapter configuration', () => {
  test('production endpoints by default, each overridable', () => {
    assert.deepEqual(binanceAdapter('spot').endpoints, { wsUrl: 'wss://stream.binance.com:9443/ws', restUrl: 'https://api.binance.com' });
    assert.deepEqual(binanceAdapter('futures').endpoints, { wsUrl: 'wss://fstream.binance.com/market/ws', restUrl: 'https://fapi.binance.com' });
    assert.deepEqual(binanceAdapter('spot', { wsUrl: 'ws://127.0.0.1:1/ws' }).endpoints, { wsUrl: 'ws://127.0.0.1:1/ws', restUrl: 'https://api.binance.com' });
  });

  test('limits and keep-alive follow the documented numbers', () => {
    const spot = binanceAdapter('spot');
    const fut = binanceAdapter('futures');
    assert.equal(spot.limits.maxStreamsPerConnection, 1024);
    assert.equal(spot.limits.maxMessagesPerSecond, 5);
    assert.equal(fut.limits.maxMessagesPerSecond, 10);
    assert.equal(spot.limits.connectionLifetimeMs, 24 * 3600 * 1000);
    assert.equal(spot.keepAlive.initiator, 'server');
    assert.equal(spot.keepAlive.intervalMs, 20_000);
    assert.equal(fut.keepAlive.intervalMs, 180_000);
    assert.ok(spot.keepAlive.silenceTimeoutMs > spot.keepAlive.intervalMs);
    assert.ok(fut.keepAlive.silenceTimeoutMs > fut.keepAlive.intervalMs);
    for (const a of [spot, fut]) {
      // a default group with both channels fits one connection
      assert.ok(a.limits.defaultGroupSize * 2 <= a.limits.maxStreamsPerConnection);
      assert.equal(a.ackMode, 'request-id');
      assert.equal(a.sequentialTradeIds, true);
    }
  });

  test('an unknown market is a coded error', () => {
    assert.throws(() => binanceAdapter('options' as never), { code: 'TV_ERR_UNSUPPORTED_MARKET' });
  });
});
