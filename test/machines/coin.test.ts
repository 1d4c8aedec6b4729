import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createActor } from 'xstate';
import { coinMachine } from '../../machines/coin.js';

const input = { exchange: 'binance' as const, market: 'spot' as const, symbol: 'BTC/USDT', maxSubscribeFailures: 2 };

describe('coin machine', () => {
  test('walks Ready → Requested → Subscribed → Stopped and counts requests', () => {
    const coin = createActor(coinMachine, { input }).start();
    assert.equal(coin.getSnapshot().value, 'Ready');
    coin.send({ type: 'REQUEST' });
    assert.equal(coin.getSnapshot().value, 'Requested');
    coin.send({ type: 'CONFIRM' });
    assert.equal(coin.getSnapshot().value, 'Subscribed');
    coin.send({ type: 'STOP', reason: 'removed' });
    assert.equal(coin.getSnapshot().value, 'Stopped');
    assert.equal(coin.getSnapshot().context.subscribeRequests, 1);
    assert.equal(coin.getSnapshot().context.stopReason, 'removed');
  });

  test('a refused request goes back to Ready, and too many refusals in a row stop the coin', () => {
    const coin = createActor(coinMachine, { input }).start();
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'REJECT', reason: 'Invalid symbol' });
    assert.equal(coin.getSnapshot().value, 'Ready');
    assert.equal(coin.getSnapshot().context.subscribeFailures, 1);
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'REJECT', reason: 'Invalid symbol' });
    assert.equal(coin.getSnapshot().value, 'Stopped');
    assert.equal(coin.getSnapshot().context.subscribeFailures, 2);
    assert.match(coin.getSnapshot().context.stopReason ?? '', /refused: Invalid symbol/);
  });

  test('a confirmation clears the refusal streak', () => {
    const coin = createActor(coinMachine, { input }).start();
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'REJECT', reason: 'busy' });
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'CONFIRM' });
    coin.send({ type: 'CONNECTION.LOST' });
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'REJECT', reason: 'busy' });
    assert.equal(coin.getSnapshot().value, 'Ready', 'one refusal after a confirmation does not stop it');
  });

  test('a lost connection sends a requested or subscribed coin back to Ready', () => {
    const coin = createActor(coinMachine, { input }).start();
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'CONNECTION.LOST' });
    assert.equal(coin.getSnapshot().value, 'Ready');
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'CONFIRM' });
    coin.send({ type: 'CONNECTION.LOST' });
    assert.equal(coin.getSnapshot().value, 'Ready');
    assert.equal(coin.getSnapshot().context.subscribeRequests, 2);
  });

  test('a stopped coin can be resumed (relisted)', () => {
    const coin = createActor(coinMachine, { input }).start();
    coin.send({ type: 'STOP', reason: 'delisted' });
    coin.send({ type: 'RESUME' });
    assert.equal(coin.getSnapshot().value, 'Ready');
    assert.equal(coin.getSnapshot().context.stopReason, undefined);
  });
});
