import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as binance from '../../src/exchanges/binance/index.js';
import * as bybit from '../../src/exchanges/bybit/index.js';
import {
  ExchangeHttpError, ExchangeResponseError, SubscriptionTooLargeError, UnsupportedMarketError, createAdapter,
} from '../../src/exchanges/index.js';
import * as okx from '../../src/exchanges/okx/index.js';
import type { Instrument, RestClient } from '../../src/exchanges/types.js';
import { MalformedFrameError } from '../../src/exchanges/types.js';
import * as upbit from '../../src/exchanges/upbit/index.js';

const ok = (body: unknown) => ({ status: 200, headers: {}, body });

describe('exchange errors: one shared set of coded classes', () => {
  test('every adapter re-exports the same classes', () => {
    for (const mod of [binance, upbit, bybit, okx]) {
      assert.equal(mod.ExchangeHttpError, ExchangeHttpError);
      assert.equal(mod.ExchangeResponseError, ExchangeResponseError);
      assert.equal(mod.UnsupportedMarketError, UnsupportedMarketError);
    }
    assert.equal(upbit.SubscriptionTooLargeError, SubscriptionTooLargeError);
  });

  test('the codes are the contract', () => {
    assert.equal(new ExchangeHttpError('u', 429, 50011).code, 'TV_ERR_EXCHANGE_HTTP');
    assert.equal(new ExchangeResponseError('u', 'r').code, 'TV_ERR_EXCHANGE_RESPONSE');
    assert.equal(new UnsupportedMarketError('x', 'y').code, 'TV_ERR_UNSUPPORTED_MARKET');
    assert.equal(new SubscriptionTooLargeError('Upbit', 2, 1).code, 'TV_ERR_SUBSCRIPTION_TOO_LARGE');
  });

  test('a market an exchange does not have is TV_ERR_UNSUPPORTED_MARKET on every adapter', () => {
    assert.throws(() => createAdapter('upbit', 'futures'), UnsupportedMarketError);
    for (const exchange of ['binance', 'bybit', 'okx'] as const) {
      assert.throws(() => createAdapter(exchange, 'options' as never), { code: 'TV_ERR_UNSUPPORTED_MARKET' });
    }
  });

  test('Upbit: a subscription over the connection limit is TV_ERR_SUBSCRIPTION_TOO_LARGE', () => {
    const adapter = createAdapter('upbit', 'spot');
    const many: Instrument[] = Array.from({ length: adapter.limits.maxStreamsPerConnection + 1 }, (_, k) => ({
      symbol: `C${k}/KRW`, nativeId: `KRW-C${k}`, base: `C${k}`, quote: 'KRW', active: true,
    }));
    let n = 0;
    assert.throws(() => adapter.subscribeRequests(many, ['trade'], () => String(++n)), SubscriptionTooLargeError);
  });
});

describe('exchange errors: Bybit and OKX REST answers', () => {
  const btc: Instrument = { symbol: 'BTC/USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', active: true };
  const okxBtc: Instrument = { symbol: 'BTC/USDT', nativeId: 'BTC-USDT', base: 'BTC', quote: 'USDT', active: true };

  test('a 200 body without retCode / code is TV_ERR_EXCHANGE_RESPONSE', async () => {
    await assert.rejects(createAdapter('bybit', 'spot').listInstruments(async () => ok({ result: { list: [] } })), ExchangeResponseError);
    await assert.rejects(createAdapter('okx', 'spot').listInstruments(async () => ok({ data: [] })), ExchangeResponseError);
  });

  test('a status error carries status, exchange code and url', async () => {
    const http: RestClient = async () => ({ status: 403, headers: {}, body: { retCode: 10006, retMsg: 'Too many visits!' } });
    await assert.rejects(createAdapter('bybit', 'spot').listInstruments(http, 'http://x'), (err: unknown) => {
      assert.ok(err instanceof ExchangeHttpError);
      assert.deepEqual([err.status, err.exchangeCode, err.url.startsWith('http://x/v5/market/instruments-info')], [403, '10006', true]);
      return true;
    });
  });

  test('an unreadable trade row is TV_ERR_EXCHANGE_RESPONSE with the row error as cause', async () => {
    const bybitRows: RestClient = async () => ok({ retCode: 0, result: { list: [{ execId: '1', price: 'NaN', size: '1', side: 'Buy', time: '1' }] } });
    await assert.rejects(createAdapter('bybit', 'spot').backfillTrades(bybitRows, { instrument: btc, from: 0, to: 2 }), (err: unknown) => {
      assert.ok(err instanceof ExchangeResponseError);
      assert.ok(err.cause instanceof MalformedFrameError);
      return true;
    });
    const okxRows: RestClient = async () => ok({ code: '0', data: [{ instId: 'BTC-USDT', tradeId: '1', px: '1', sz: '1', side: 'buy', ts: '-1' }] });
    await assert.rejects(createAdapter('okx', 'spot').backfillTrades(okxRows, { instrument: okxBtc, from: 0, to: 2 }), ExchangeResponseError);
  });

  test('an OKX history row of another instrument is refused, not stored under this one', async () => {
    const http: RestClient = async () => ok({ code: '0', data: [{ instId: 'ETH-USDT', tradeId: '1', px: '1', sz: '1', side: 'buy', ts: '1' }] });
    await assert.rejects(createAdapter('okx', 'spot').backfillTrades(http, { instrument: okxBtc, from: 0, to: 2 }), ExchangeResponseError);
  });
});
