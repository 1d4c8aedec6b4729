import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { upbitAdapter } from '../../src/exchanges/upbit/index.js';
import type { Instrument } from '../../src/exchanges/types.js';

const inst = (code: string): Instrument => {
  const [quote, base] = code.split('-') as [string, string];
  return { symbol: `${base}/${quote}`, nativeId: code, base, quote, active: true };
};
const BTC = inst('KRW-BTC');
const ETH = inst('KRW-ETH');
const XRP = inst('BTC-XRP');
const DOGE = inst('USDT-DOGE');

function counter(): () => string {
  let n = 0;
  return () => String(++n);
}

type Part = { ticket?: string; type?: string; codes?: string[]; format?: string };

describe('upbit subscription frames', () => {
  test('one frame for the whole list: every channel names every code, then the DEFAULT format', () => {
    const requests = upbitAdapter('spot').subscribeRequests([ETH], ['trade', 'ticker'], counter(), [BTC, ETH, XRP]);
    assert.equal(requests.length, 1);
    const [r] = requests;
    assert.deepEqual(JSON.parse(r!.frame) as Part[], [
      { ticket: 'tickvisor-1' },
      { type: 'trade', codes: ['KRW-BTC', 'KRW-ETH', 'BTC-XRP'] },
      { type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH', 'BTC-XRP'] },
      { format: 'DEFAULT' },
    ]);
    assert.deepEqual(r!.symbols, ['BTC/KRW', 'ETH/KRW', 'XRP/BTC']);
    assert.deepEqual(r!.channels, ['trade', 'ticker']);
    assert.equal(r!.requestId, undefined, 'Upbit echoes no id; the first data frame confirms');
  });

  test('new instruments missing from `all` are added to the frame, each code once', () => {
    const [r] = upbitAdapter('spot').subscribeRequests([DOGE, BTC], ['trade'], counter(), [BTC, ETH]);
    assert.deepEqual((JSON.parse(r!.frame) as Part[])[1]!.codes, ['KRW-BTC', 'KRW-ETH', 'USDT-DOGE']);
  });

  test('without `all` the frame holds the given instruments', () => {
    const [r] = upbitAdapter('spot').subscribeRequests([BTC], ['ticker'], counter());
    assert.deepEqual((JSON.parse(r!.frame) as Part[])[1], { type: 'ticker', codes: ['KRW-BTC'] });
  });

  test('codes are sent upper-case', () => {
    const lower = { ...BTC, nativeId: 'krw-btc' };
    const [r] = upbitAdapter('spot').subscribeRequests([lower], ['trade'], counter());
    assert.deepEqual((JSON.parse(r!.frame) as Part[])[1]!.codes, ['KRW-BTC']);
  });

  test('every frame carries a fresh ticket', () => {
    const nextId = counter();
    const a = upbitAdapter('spot').subscribeRequests([BTC], ['trade'], nextId);
    const b = upbitAdapter('spot').subscribeRequests([BTC], ['trade'], nextId);
    assert.notEqual((JSON.parse(a[0]!.frame) as Part[])[0]!.ticket, (JSON.parse(b[0]!.frame) as Part[])[0]!.ticket);
  });

  test('unsubscribing re-sends the remaining list, without the dropped codes', () => {
    const requests = upbitAdapter('spot').unsubscribeRequests([ETH], ['trade', 'ticker'], counter(), [BTC, ETH, XRP]);
    assert.equal(requests.length, 1);
    const parts = JSON.parse(requests[0]!.frame) as Part[];
    assert.deepEqual(parts[1], { type: 'trade', codes: ['KRW-BTC', 'BTC-XRP'] });
    assert.deepEqual(parts[2], { type: 'ticker', codes: ['KRW-BTC', 'BTC-XRP'] });
    assert.deepEqual(requests[0]!.symbols, ['ETH/KRW'], 'the request is about the dropped symbols');
  });

  test('nothing remaining: no frame (Upbit rejects empty codes); the caller closes the connection', () => {
    assert.deepEqual(upbitAdapter('spot').unsubscribeRequests([BTC], ['trade'], counter(), []), []);
    assert.deepEqual(upbitAdapter('spot').unsubscribeRequests([BTC], ['trade'], counter(), [BTC]), []);
    assert.deepEqual(upbitAdapter('spot').unsubscribeRequests([BTC], ['trade'], counter()), []);
  });

  test('a list over the connection limit is a coded error, never a split frame', () => {
    const adapter = upbitAdapter('spot');
    const many = Array.from({ length: adapter.limits.maxArgsPerRequest / 2 + 1 }, (_, i) => inst(`KRW-C${i}`));
    assert.throws(() => adapter.subscribeRequests(many, ['trade', 'ticker'], counter()), { code: 'TV_ERR_SUBSCRIPTION_TOO_LARGE' });
    assert.equal(adapter.subscribeRequests(many.slice(1), ['trade', 'ticker'], counter()).length, 1);
  });

  test('a default group with both channels fits one frame', () => {
    const { limits } = upbitAdapter('spot');
    assert.ok(limits.defaultGroupSize * 2 <= limits.maxArgsPerRequest);
    assert.equal(limits.maxArgsPerRequest, limits.maxStreamsPerConnection);
  });
});

describe('upbit adapter configuration', () => {
  test('spot only: futures is a coded error', () => {
    assert.throws(() => upbitAdapter('futures'), { code: 'TV_ERR_UNSUPPORTED_MARKET' });
  });

  test('production endpoints by default, each overridable', () => {
    assert.deepEqual(upbitAdapter('spot').endpoints, { wsUrl: 'wss://api.upbit.com/websocket/v1', restUrl: 'https://api.upbit.com/v1' });
    assert.equal(upbitAdapter('spot', { restUrl: 'http://127.0.0.1:1/v1' }).endpoints.restUrl, 'http://127.0.0.1:1/v1');
  });

  test('client keep-alive: text PING well inside the 120 s idle close', () => {
    const { keepAlive, ackMode, sequentialTradeIds, limits } = upbitAdapter('spot');
    assert.equal(keepAlive.initiator, 'client');
    assert.equal(keepAlive.pingFrame?.('7'), 'PING');
    assert.ok(keepAlive.intervalMs < 120_000);
    assert.ok(keepAlive.silenceTimeoutMs > keepAlive.intervalMs && keepAlive.silenceTimeoutMs < 120_000);
    assert.equal(ackMode, 'first-data');
    assert.equal(sequentialTradeIds, false);
    assert.equal(limits.maxMessagesPerSecond, 5);
  });
});
