import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createActor } from 'xstate';
import { coinMachine } from '../../machines/coin.js';
import { stateText } from '../../machines/selectors.js';

const input = { exchange: 'binance' as const, market: 'spot' as const, symbol: 'BTC/USDT' };

describe('coin machine', () => {
  test('walks Ready → Requested → Subscribed → Stopped and counts requests', () => {
    const coin = createActor(coinMachine, { input }).start();
    assert.equal(stateText(coin.getSnapshot().value).state, 'Ready');
    coin.send({ type: 'REQUEST' });
    assert.equal(stateText(coin.getSnapshot().value).state, 'Requested');
    coin.send({ type: 'CONFIRM' });
    assert.equal(stateText(coin.getSnapshot().value).state, 'Subscribed');
    coin.send({ type: 'STOP', reason: 'removed' });
    assert.equal(stateText(coin.getSnapshot().value).state, 'Stopped');
    assert.equal(coin.getSnapshot().context.subscribeRequests, 1);
    assert.equal(coin.getSnapshot().context.stopReason, 'removed');
  });

  test('a refused request goes back to Ready; a final refusal (the Connector decides) stops it with the reason', () => {
    const coin = createActor(coinMachine, { input }).start();
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'REJECT', reason: 'Invalid symbol', failuresInRow: 1 });
    assert.equal(stateText(coin.getSnapshot().value).state, 'Ready');
    assert.equal(coin.getSnapshot().context.subscribeFailures, 1);
    // the coin never counts toward a limit of its own: only `final` stops it
    for (let i = 2; i <= 6; i++) {
      coin.send({ type: 'REQUEST' });
      coin.send({ type: 'REJECT', reason: 'Invalid symbol', failuresInRow: i });
      assert.equal(stateText(coin.getSnapshot().value).state, 'Ready');
    }
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'REJECT', reason: 'Invalid symbol', failuresInRow: 7, final: true });
    assert.equal(stateText(coin.getSnapshot().value).state, 'Stopped');
    assert.equal(coin.getSnapshot().context.subscribeFailures, 7);
    assert.equal(coin.getSnapshot().context.failuresInRow, 7);
    assert.equal(coin.getSnapshot().context.refusedReason, 'Invalid symbol');
    assert.match(coin.getSnapshot().context.stopReason ?? '', /refused: Invalid symbol/);
    coin.send({ type: 'RESUME' });
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'CONFIRM' });
    assert.equal(stateText(coin.getSnapshot().value).state, 'Subscribed', 'a refused coin retried later heals');
    assert.equal(coin.getSnapshot().context.refusedReason, undefined);
  });

  test('a late ack confirms a coin whose request timed out (Ready → Subscribed)', () => {
    const coin = createActor(coinMachine, { input }).start();
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'REJECT', reason: 'no answer within 1000 ms', failuresInRow: 1 });
    coin.send({ type: 'CONFIRM' });
    assert.equal(stateText(coin.getSnapshot().value).state, 'Subscribed');
    assert.equal(coin.getSnapshot().context.failuresInRow, 0);
  });

  test('a confirmation clears the refusal streak', () => {
    const coin = createActor(coinMachine, { input }).start();
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'REJECT', reason: 'busy', failuresInRow: 1 });
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'CONFIRM' });
    assert.equal(coin.getSnapshot().context.failuresInRow, 0);
    coin.send({ type: 'CONNECTION.LOST' });
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'REJECT', reason: 'busy', failuresInRow: 1 });
    assert.equal(stateText(coin.getSnapshot().value).state, 'Ready', 'one refusal after a confirmation does not stop it');
  });

  test('a lost connection sends a requested or subscribed coin back to Ready', () => {
    const coin = createActor(coinMachine, { input }).start();
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'CONNECTION.LOST' });
    assert.equal(stateText(coin.getSnapshot().value).state, 'Ready');
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'CONFIRM' });
    coin.send({ type: 'CONNECTION.LOST' });
    assert.equal(stateText(coin.getSnapshot().value).state, 'Ready');
    assert.equal(coin.getSnapshot().context.subscribeRequests, 2);
  });

  test('a stopped coin can be resumed (relisted)', () => {
    const coin = createActor(coinMachine, { input }).start();
    coin.send({ type: 'STOP', reason: 'delisted' });
    coin.send({ type: 'RESUME' });
    assert.equal(stateText(coin.getSnapshot().value).state, 'Ready');
    assert.equal(coin.getSnapshot().context.stopReason, undefined);
  });

  test('without books a subscribed coin is Subscribed.Streaming', () => {
    const coin = createActor(coinMachine, { input }).start();
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'CONFIRM' });
    assert.deepEqual(coin.getSnapshot().value, { Subscribed: 'Streaming' });
  });

  test('with books, Subscribed shows the book: Syncing → Live → Resyncing → Live; a state told before the ack shows at once', () => {
    const coin = createActor(coinMachine, { input: { ...input, book: true } }).start();
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'CONFIRM' });
    assert.deepEqual(coin.getSnapshot().value, { Subscribed: 'Syncing' });
    coin.send({ type: 'BOOK.STATE', state: 'live' });
    assert.deepEqual(coin.getSnapshot().value, { Subscribed: 'Live' });
    coin.send({ type: 'BOOK.STATE', state: 'resyncing', reason: 'U=9 > local update id 5 + 1 (missed events)' });
    assert.deepEqual(coin.getSnapshot().value, { Subscribed: 'Resyncing' });
    assert.match(coin.getSnapshot().context.bookReason ?? '', /missed events/);
    coin.send({ type: 'BOOK.STATE', state: 'live' });
    assert.deepEqual(coin.getSnapshot().value, { Subscribed: 'Live' });
    coin.send({ type: 'CONNECTION.LOST' });
    coin.send({ type: 'BOOK.STATE', state: 'resyncing', reason: 'connection lost' });
    assert.equal(coin.getSnapshot().value, 'Ready');
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'BOOK.STATE', state: 'live' });
    coin.send({ type: 'CONFIRM' });
    assert.deepEqual(coin.getSnapshot().value, { Subscribed: 'Live' }, 'the book went live before the ack');
  });
});
