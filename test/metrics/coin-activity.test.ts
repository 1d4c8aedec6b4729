import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoinActivity } from '../../src/metrics/coin-activity.js';

const recs = (...symbols: string[]) => symbols.map((symbol) => ({ symbol }));

describe('CoinActivity', () => {
  test('gives each coin its last receive time and the mean interval between its records', () => {
    const a = new CoinActivity();
    a.record('binance', 'spot', recs('BTC/USDT'), 1_000);
    a.record('binance', 'spot', recs('BTC/USDT', 'ETH/USDT'), 1_100);
    a.record('binance', 'spot', recs('BTC/USDT'), 1_300);
    const btc = a.get('binance', 'spot', 'BTC/USDT');
    assert.equal(btc?.count, 3);
    assert.equal(btc?.lastAt, 1_300);
    assert.equal(btc?.meanIntervalMs, 150);
    const eth = a.get('binance', 'spot', 'ETH/USDT');
    assert.equal(eth?.count, 1);
    assert.equal(eth?.lastAt, 1_100);
    assert.equal(eth?.meanIntervalMs, undefined, 'one record has no interval');
  });

  test('counts records delivered together as 0 ms apart, so the mean is elapsed time over records minus one', () => {
    const a = new CoinActivity();
    a.record('okx', 'futures', recs('BTC/USDT:USDT', 'BTC/USDT:USDT', 'BTC/USDT:USDT', 'BTC/USDT:USDT'), 10_000);
    a.record('okx', 'futures', recs('BTC/USDT:USDT'), 10_400);
    assert.equal(a.get('okx', 'futures', 'BTC/USDT:USDT')?.meanIntervalMs, 100);
  });

  test('keeps venues apart: the same symbol on two exchanges is two coins', () => {
    const a = new CoinActivity();
    a.record('binance', 'spot', recs('BTC/USDT'), 1);
    a.record('bybit', 'spot', recs('BTC/USDT', 'BTC/USDT'), 2);
    assert.equal(a.get('binance', 'spot', 'BTC/USDT')?.count, 1);
    assert.equal(a.get('bybit', 'spot', 'BTC/USDT')?.count, 2);
    assert.equal([...a.entries()].length, 2);
  });

  test('follows the current pace: intervals older than two windows no longer count', () => {
    const a = new CoinActivity({ windowMs: 1_000 });
    // slow at first: 500 ms apart
    for (let t = 0; t <= 2_000; t += 500) a.record('binance', 'spot', recs('BTC/USDT'), t);
    assert.equal(a.get('binance', 'spot', 'BTC/USDT')?.meanIntervalMs, 500);
    // then fast: 10 ms apart for three seconds
    for (let t = 2_010; t <= 5_000; t += 10) a.record('binance', 'spot', recs('BTC/USDT'), t);
    assert.equal(a.get('binance', 'spot', 'BTC/USDT')?.meanIntervalMs, 10);
  });

  test('a gap longer than the window is the one interval that counts after it', () => {
    const a = new CoinActivity({ windowMs: 1_000 });
    a.record('binance', 'spot', recs('BTC/USDT'), 0);
    a.record('binance', 'spot', recs('BTC/USDT'), 10);
    a.record('binance', 'spot', recs('BTC/USDT'), 60_010);
    assert.equal(a.get('binance', 'spot', 'BTC/USDT')?.meanIntervalMs, 60_000);
  });

  test('lists coins silent past the threshold, including watched coins that never sent anything', () => {
    const a = new CoinActivity({ silentAfterMs: 60_000 });
    a.record('binance', 'spot', recs('BTC/USDT', 'ETH/USDT'), 0);
    a.record('binance', 'spot', recs('BTC/USDT'), 50_000);
    a.watch('upbit', 'spot', 'BTC/KRW', 10_000);
    assert.deepEqual(a.silentFor(59_999), []);
    assert.deepEqual(a.silentFor(70_000), [
      { exchange: 'binance', market: 'spot', symbol: 'ETH/USDT', lastAt: 0, silentMs: 70_000 },
      { exchange: 'upbit', market: 'spot', symbol: 'BTC/KRW', silentMs: 60_000 },
    ]);
    assert.equal(a.silentFor(70_000, 20_000).length, 3, 'the threshold can be given per call');
  });

  test('watch() leaves an existing coin alone and forget() stops reporting it', () => {
    const a = new CoinActivity({ silentAfterMs: 1_000 });
    a.record('binance', 'spot', recs('BTC/USDT'), 100);
    a.watch('binance', 'spot', 'BTC/USDT', 5_000);
    assert.equal(a.get('binance', 'spot', 'BTC/USDT')?.count, 1);
    assert.equal(a.get('binance', 'spot', 'BTC/USDT')?.since, 100);
    a.forget('binance', 'spot', 'BTC/USDT');
    assert.equal(a.get('binance', 'spot', 'BTC/USDT'), undefined);
    assert.deepEqual(a.silentFor(10_000), []);
  });

  test('never reports a negative interval when the clock steps back', () => {
    const a = new CoinActivity();
    a.record('binance', 'spot', recs('BTC/USDT'), 1_000);
    a.record('binance', 'spot', recs('BTC/USDT'), 900);
    assert.equal(a.get('binance', 'spot', 'BTC/USDT')?.meanIntervalMs, 0);
  });
});
