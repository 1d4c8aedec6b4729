import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createActor } from 'xstate';
import { coinMachine } from '../../machines/coin.js';
import { refusalAlerts, type Alert, type AlertKind } from '../../src/alerts/index.js';

describe('subscription-refused alerts from Coin snapshots', () => {
  test('raised when a coin stops for refusals, naming venue, symbol and reason; resolved when it subscribes again', () => {
    const raised: Alert[] = [];
    const resolved: Array<[AlertKind, string]> = [];
    const observer = refusalAlerts({ raise: (a) => (raised.push(a), 'sent'), resolve: (k, key) => void resolved.push([k, key]) }, () => 42);
    const coin = createActor(coinMachine, {
      id: 'coin:bybit:spot:SOL/USDT',
      input: { exchange: 'bybit', market: 'spot', symbol: 'SOL/USDT' },
      inspect: observer,
    }).start();
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'REJECT', reason: 'Invalid symbol :[publicTrade.SOLUSDT]', failuresInRow: 1 });
    assert.equal(raised.length, 0, 'one refusal is not worth an alert');
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'REJECT', reason: 'Invalid symbol :[publicTrade.SOLUSDT]', failuresInRow: 2, final: true });
    assert.equal(raised.length, 1);
    assert.deepEqual(raised[0], {
      kind: 'subscription-refused',
      key: 'bybit:spot:SOL/USDT',
      severity: 'warning',
      message: 'SOL/USDT on bybit spot: subscription refused 2 times, collection stopped and retried with backoff: Invalid symbol :[publicTrade.SOLUSDT]',
      details: { exchange: 'bybit', market: 'spot', symbol: 'SOL/USDT', reason: 'Invalid symbol :[publicTrade.SOLUSDT]', refusals: 2 },
      at: 42,
    });
    // the backoff retry is refused again: raised again (the router dedups it), nothing resolved
    coin.send({ type: 'RESUME' });
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'REJECT', reason: 'Invalid symbol :[publicTrade.SOLUSDT]', failuresInRow: 2, final: true });
    assert.equal(raised.length, 2);
    assert.equal(resolved.length, 0);
    // healed
    coin.send({ type: 'RESUME' });
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'CONFIRM' });
    assert.deepEqual(resolved, [['subscription-refused', 'bybit:spot:SOL/USDT']]);
    // a coin stopped for another reason (removed) never raises
    coin.send({ type: 'STOP', reason: 'removed' });
    assert.equal(raised.length, 2);
    coin.stop();
  });
});
