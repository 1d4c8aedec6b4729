import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { okxAdapter } from '../../src/exchanges/okx/index.js';
import { okxRequests } from '../../src/exchanges/okx/subscribe.js';
import type { Instrument } from '../../src/exchanges/types.js';

function instruments(n: number, swap: boolean, pad = ''): Instrument[] {
  return Array.from({ length: n }, (_, k) => ({
    symbol: swap ? `C${pad}${k}/USDT:USDT` : `C${pad}${k}/USDT`,
    nativeId: swap ? `C${pad}${k}-USDT-SWAP` : `C${pad}${k}-USDT`,
    base: `C${pad}${k}`,
    quote: 'USDT',
    active: true,
  }));
}

function counter(): () => string {
  let n = 0;
  return () => String(++n);
}

interface Frame { id?: string; op: string; args: { channel: string; instId: string }[] }

describe('okx subscribe requests', () => {
  test('230 symbols × 2 channels: requests of ≤ 100 args, each symbol whole, every stream once', () => {
    const adapter = okxAdapter('futures');
    const list = instruments(230, true);
    const requests = adapter.subscribeRequests(list, ['trade', 'ticker'], counter());
    assert.deepEqual(requests.map((r) => r.symbols.length), [50, 50, 50, 50, 30]);
    const all: string[] = [];
    requests.forEach((r, k) => {
      const frame = JSON.parse(r.frame) as Frame;
      assert.equal(frame.op, 'subscribe');
      assert.equal(frame.id, String(k + 1));
      assert.equal(r.requestId, frame.id);
      assert.ok(frame.args.length <= adapter.limits.maxArgsPerRequest);
      assert.deepEqual(r.channels, ['trade', 'ticker']);
      assert.deepEqual([...new Set(frame.args.map((a) => a.instId))].map((id) => `${id.slice(0, -10)}/USDT:USDT`), r.symbols);
      all.push(...frame.args.map((a) => `${a.channel}:${a.instId}`));
    });
    assert.deepEqual(all, list.flatMap((i) => [`trades:${i.nativeId}`, `tickers:${i.nativeId}`]));
  });

  test('the 64 KB args limit splits requests even under the arg count', () => {
    // long ids make each arg ~2 KB; a 64 KB budget fits ~15 symbols × 2 channels
    const longPad = 'X'.repeat(1000);
    const list = instruments(40, false, longPad);
    const requests = okxRequests('subscribe', list, ['trade', 'ticker'], 1000, counter());
    assert.ok(requests.length > 1);
    for (const r of requests) {
      const frame = JSON.parse(r.frame) as Frame;
      assert.ok(Buffer.byteLength(JSON.stringify(frame.args)) <= 64 * 1024, 'args within 64 KB');
    }
    assert.equal(requests.reduce((n, r) => n + r.symbols.length, 0), 40);
  });

  test('an id OKX would not accept (non-alphanumeric or > 32 chars) is left out of the frame', () => {
    const adapter = okxAdapter('spot');
    const [dashed] = adapter.subscribeRequests(instruments(1, false), ['trade'], () => 'a-b_c');
    assert.equal(dashed?.requestId, undefined);
    assert.deepEqual(JSON.parse(dashed?.frame ?? ''), { op: 'subscribe', args: [{ channel: 'trades', instId: 'C0-USDT' }] });
    const [long] = adapter.subscribeRequests(instruments(1, false), ['trade'], () => 'a'.repeat(33));
    assert.equal(long?.requestId, undefined);
    const [fine] = adapter.subscribeRequests(instruments(1, false), ['trade'], () => 'AbC123');
    assert.equal(fine?.requestId, 'AbC123');
  });

  test('unsubscribe frames use op unsubscribe', () => {
    const [r] = okxAdapter('spot').unsubscribeRequests(instruments(2, false), ['ticker'], counter());
    assert.deepEqual(JSON.parse(r?.frame ?? ''), {
      id: '1', op: 'unsubscribe', args: [{ channel: 'tickers', instId: 'C0-USDT' }, { channel: 'tickers', instId: 'C1-USDT' }],
    });
    assert.deepEqual(r?.symbols, ['C0/USDT', 'C1/USDT']);
  });

  test('nothing to subscribe → no requests', () => {
    assert.deepEqual(okxAdapter('spot').subscribeRequests([], ['trade'], counter()), []);
  });
});

describe('okx adapter shape', () => {
  test('one public endpoint for both markets, overridable', () => {
    assert.equal(okxAdapter('spot').endpoints.wsUrl, 'wss://ws.okx.com:8443/ws/v5/public');
    assert.equal(okxAdapter('futures').endpoints.restUrl, 'https://www.okx.com');
    const sim = okxAdapter('futures', { restUrl: 'http://127.0.0.1:9/okx/futures' });
    assert.equal(sim.endpoints.restUrl, 'http://127.0.0.1:9/okx/futures');
    assert.equal(sim.endpoints.wsUrl, 'wss://ws.okx.com:8443/ws/v5/public');
  });

  test('keep-alive: text ping every 20 s, below the 30 s idle close; per-stream acks', () => {
    const a = okxAdapter('spot');
    assert.equal(a.keepAlive.initiator, 'client');
    assert.ok(a.keepAlive.intervalMs < 30_000);
    assert.ok(a.keepAlive.silenceTimeoutMs > a.keepAlive.intervalMs);
    assert.equal(a.keepAlive.pingFrame?.('1'), 'ping');
    assert.equal(a.ackMode, 'per-stream');
    assert.equal(a.sequentialTradeIds, false);
    assert.ok(a.limits.defaultGroupSize * 2 <= a.limits.maxStreamsPerConnection);
  });
});
