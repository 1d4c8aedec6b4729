import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bybitAdapter } from '../../src/exchanges/bybit/index.js';
import type { Instrument } from '../../src/exchanges/types.js';

function instruments(n: number, futures: boolean): Instrument[] {
  return Array.from({ length: n }, (_, k) => ({
    symbol: futures ? `C${k}/USDT:USDT` : `C${k}/USDT`,
    nativeId: `C${k}USDT`,
    base: `C${k}`,
    quote: 'USDT',
    active: true,
  }));
}

function counter(): () => string {
  let n = 0;
  return () => String(++n);
}

describe('bybit subscribe requests', () => {
  test('spot: 23 symbols × 2 channels split into requests of at most 10 args, symbols never split', () => {
    const adapter = bybitAdapter('spot');
    const list = instruments(23, false);
    const requests = adapter.subscribeRequests(list, ['trade', 'ticker'], counter());
    assert.equal(requests.length, 5); // 5 symbols (10 args) per request
    const seenTopics: string[] = [];
    requests.forEach((r, k) => {
      const frame = JSON.parse(r.frame) as { req_id: string; op: string; args: string[] };
      assert.equal(frame.op, 'subscribe');
      assert.equal(frame.req_id, String(k + 1));
      assert.equal(r.requestId, frame.req_id);
      assert.ok(frame.args.length <= adapter.limits.maxArgsPerRequest);
      assert.deepEqual(r.channels, ['trade', 'ticker']);
      // the request's symbols are exactly those its topics name
      const named = [...new Set(frame.args.map((a) => a.slice(a.indexOf('.') + 1)))];
      assert.deepEqual(named.map((id) => `${id.slice(0, -4)}/USDT`), r.symbols);
      seenTopics.push(...frame.args);
    });
    // every topic exactly once, in order
    const expected = list.flatMap((i) => [`publicTrade.${i.nativeId}`, `tickers.${i.nativeId}`]);
    assert.deepEqual(seenTopics, expected);
  });

  test('linear: batches of up to maxArgsPerRequest args', () => {
    const adapter = bybitAdapter('futures');
    const requests = adapter.subscribeRequests(instruments(60, true), ['trade'], counter());
    assert.deepEqual(requests.map((r) => r.symbols.length), [50, 10]);
    assert.equal(requests[0]?.symbols[0], 'C0/USDT:USDT');
  });

  test('unsubscribe uses op unsubscribe and fresh ids', () => {
    const adapter = bybitAdapter('spot');
    const next = counter();
    adapter.subscribeRequests(instruments(1, false), ['trade'], next);
    const [r] = adapter.unsubscribeRequests(instruments(1, false), ['trade', 'ticker'], next);
    assert.deepEqual(JSON.parse(r?.frame ?? ''), { req_id: '2', op: 'unsubscribe', args: ['publicTrade.C0USDT', 'tickers.C0USDT'] });
  });

  test('nothing to subscribe → no requests', () => {
    assert.deepEqual(bybitAdapter('spot').subscribeRequests([], ['trade'], counter()), []);
  });
});

describe('bybit adapter shape', () => {
  test('endpoints default per market and are overridable', () => {
    assert.equal(bybitAdapter('spot').endpoints.wsUrl, 'wss://stream.bybit.com/v5/public/spot');
    assert.equal(bybitAdapter('futures').endpoints.wsUrl, 'wss://stream.bybit.com/v5/public/linear');
    assert.equal(bybitAdapter('futures').endpoints.restUrl, 'https://api.bybit.com');
    const sim = bybitAdapter('futures', { wsUrl: 'ws://127.0.0.1:1/bybit/futures/v5/public/linear' });
    assert.equal(sim.endpoints.wsUrl, 'ws://127.0.0.1:1/bybit/futures/v5/public/linear');
    assert.equal(sim.endpoints.restUrl, 'https://api.bybit.com');
  });

  test('keep-alive: client JSON ping every 20 s carrying the request id; acks by request id', () => {
    const a = bybitAdapter('spot');
    assert.equal(a.keepAlive.initiator, 'client');
    assert.equal(a.keepAlive.intervalMs, 20_000);
    assert.ok(a.keepAlive.silenceTimeoutMs > a.keepAlive.intervalMs);
    assert.deepEqual(JSON.parse(a.keepAlive.pingFrame?.('42') ?? ''), { req_id: '42', op: 'ping' });
    assert.equal(a.ackMode, 'request-id');
    assert.equal(a.sequentialTradeIds, false);
  });

  test('a default group fits the per-connection stream cap', () => {
    for (const market of ['spot', 'futures'] as const) {
      const l = bybitAdapter(market).limits;
      assert.ok(l.defaultGroupSize * 2 <= l.maxStreamsPerConnection);
    }
    assert.equal(bybitAdapter('spot').limits.maxArgsPerRequest, 10);
  });
});
