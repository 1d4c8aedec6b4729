import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendSample, errorRate, silentCoins, type ErrorSample } from '../../src/alerts/detectors.js';
import { createAlertRouter } from '../../src/alerts/alert-router.js';
import { createAlertWatch } from '../../src/alerts/watch.js';
import type { Alert } from '../../src/alerts/types.js';
import { fakeTime } from './fake-time.js';

const NOW = 1_700_000_000_000;

describe('silentCoins', () => {
  test('flags only coins whose last record is older than the threshold', () => {
    const alerts = silentCoins(
      [
        { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', lastAt: NOW - 1_000 },
        { exchange: 'binance', market: 'spot', symbol: 'ETH/USDT', lastAt: NOW - 301_000 },
        { exchange: 'binance', market: 'spot', symbol: 'XRP/USDT', lastAt: NOW - 300_000 },
      ],
      NOW,
      300_000,
    );
    assert.equal(alerts.length, 1);
    const a = alerts[0]!;
    assert.equal(a.kind, 'coin-silent');
    assert.equal(a.key, 'binance:spot:ETH/USDT');
    assert.equal(a.severity, 'warning');
    assert.equal(a.details.silentForMs, 301_000);
    assert.equal(a.at, NOW);
    assert.match(a.message, /ETH\/USDT on binance spot: no data for 301 s/);
  });

  test('a coin that never sent anything is silent since collection began; without a start it is skipped', () => {
    const alerts = silentCoins(
      [
        { exchange: 'okx', market: 'futures', symbol: 'BTC/USDT:USDT', lastAt: undefined, since: NOW - 600_000 },
        { exchange: 'okx', market: 'futures', symbol: 'ETH/USDT:USDT', lastAt: undefined },
        { exchange: 'okx', market: 'futures', symbol: 'SOL/USDT:USDT', lastAt: undefined, since: NOW - 10_000 },
      ],
      NOW,
      300_000,
    );
    assert.deepEqual(alerts.map((a) => a.key), ['okx:futures:BTC/USDT:USDT']);
    assert.equal(alerts[0]!.details.lastAt, null);
  });
});

describe('errorRate', () => {
  const s = (key: string, secondsAgo: number, errors: number): ErrorSample => ({ key, at: NOW - secondsAgo * 1000, errors });

  test('flags a collector whose errors per second over the window exceed the threshold', () => {
    const samples = [s('binance:spot', 10, 0), s('binance:spot', 5, 30), s('binance:spot', 0, 60), s('upbit:spot', 10, 0), s('upbit:spot', 0, 20)];
    const alerts = errorRate(samples, 60_000, 5);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.kind, 'error-rate');
    assert.equal(alerts[0]!.key, 'binance:spot');
    assert.equal(alerts[0]!.details.perSecond, 6);
    assert.equal(alerts[0]!.at, NOW);
  });

  test('only samples inside the window count', () => {
    // 1000 errors long ago, then quiet
    const samples = [s('k', 120, 0), s('k', 90, 1000), s('k', 30, 1000), s('k', 0, 1010)];
    assert.deepEqual(errorRate(samples, 60_000, 1), []);
    assert.equal(errorRate(samples, 120_000, 1).length, 1);
  });

  test('a counter that goes down (restarted collector) counts from zero, never negative', () => {
    const samples = [s('k', 20, 500), s('k', 10, 40), s('k', 0, 100)];
    const [alert] = errorRate(samples, 60_000, 1);
    assert.equal(alert!.details.errors, 100);
    assert.equal(alert!.details.perSecond, 5);
  });

  test('one sample is no rate; order of samples does not matter', () => {
    assert.deepEqual(errorRate([s('k', 0, 100)], 60_000, 0), []);
    assert.equal(errorRate([s('k', 0, 100), s('k', 10, 0)], 60_000, 5).length, 1);
  });

  test('appendSample forgets readings older than the window', () => {
    let samples: ErrorSample[] = [];
    for (let i = 0; i <= 100; i += 1) samples = appendSample(samples, { key: 'k', at: NOW + i * 1000, errors: i }, 10_000);
    assert.equal(samples.length, 11);
    assert.equal(samples[0]!.at, NOW + 90_000);
  });
});

describe('alert watch', () => {
  test('raises conditions as they hold, resolves those that cleared so they alert again when they return', () => {
    const time = fakeTime();
    const sent: Alert[] = [];
    const router = createAlertRouter({ sinks: [{ name: 'm', send: (a) => void sent.push(a) }], dedupWindowMs: 3_600_000, maxPerWindow: 100, windowMs: 60_000, clock: time.clock });
    const watch = createAlertWatch(router);
    const coin = (symbol: string, lastAt: number) => ({ exchange: 'bybit', market: 'spot', symbol, lastAt });
    const tick = (coins: ReturnType<typeof coin>[]) => watch.update('coin-silent', silentCoins(coins, time.now(), 60_000));

    tick([coin('BTC/USDT', time.now() - 120_000), coin('ETH/USDT', time.now())]);
    time.advance(1_000);
    tick([coin('BTC/USDT', time.now() - 121_000), coin('ETH/USDT', time.now())]); // still silent: deduplicated
    assert.deepEqual(sent.map((a) => a.key), ['bybit:spot:BTC/USDT']);
    assert.deepEqual([...watch.active('coin-silent')], ['bybit:spot:BTC/USDT']);
    time.advance(1_000);
    tick([coin('BTC/USDT', time.now()), coin('ETH/USDT', time.now())]); // data again: resolved
    assert.equal(watch.active('coin-silent').size, 0);
    time.advance(1_000);
    tick([coin('BTC/USDT', time.now() - 70_000), coin('ETH/USDT', time.now())]); // silent again: a new alert at once
    assert.deepEqual(sent.map((a) => a.key), ['bybit:spot:BTC/USDT', 'bybit:spot:BTC/USDT']);
  });
});
