/**
 * One coin's subscription record: the one place refusals are counted and the limit applied, and
 * what the Coin actor is told about each refusal.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  add,
  atRefusalLimit,
  confirm,
  freshSubscription,
  loseConnection,
  releaseRefused,
  releaseWaiting,
  remove,
  requestIdle,
  stall,
  type CoinChange,
  type CoinSubscriptions,
  held,
  phaseOf,
  refuse,
  retryRefused,
  symbolsIn,
  withFresh,
  withPhase,
} from '../../machines/coin-subscription.js';

describe('a coin subscription record', () => {
  test('refusals under the limit wait; the one reaching it stops the coin and tells the Coin so', () => {
    let sub = { ...freshSubscription(), phase: 'requested' as const };
    const seen: Array<[string, number, boolean]> = [];
    for (let i = 0; i < 3; i++) {
      const r = refuse(sub, 'Invalid symbol', 3);
      seen.push([r.subscription.phase, r.tell.failuresInRow, r.final]);
      assert.equal(r.tell.final, r.final);
      assert.equal(r.tell.reason, 'Invalid symbol');
      sub = { ...r.subscription, phase: 'requested' };
    }
    assert.deepEqual(seen, [['waiting', 1, false], ['waiting', 2, false], ['refused', 3, true]]);
    assert.equal(sub.refusedRetries, 1);
  });

  test('a refused coin gets one more try: one refusal parks it again with a longer backoff', () => {
    const parked = refuse({ phase: 'requested', failuresInRow: 4, refusedRetries: 2 }, 'no answer', 5);
    assert.equal(parked.final, true);
    assert.equal(parked.retryAttempt, 2, 'the backoff exponent is the retries before this one');
    const retried = retryRefused(parked.subscription, 5);
    assert.deepEqual(retried, { phase: 'idle', failuresInRow: 4, refusedRetries: 3 });
    const again = refuse(retried, 'no answer', 5);
    assert.equal(again.final, true);
    assert.equal(again.retryAttempt, 3);
  });

  test('the limit: reached at maxSubscribeFailures refusals in a row, not before', () => {
    assert.equal(atRefusalLimit(4, 5), false);
    assert.equal(atRefusalLimit(5, 5), true);
    assert.equal(refuse(undefined, 'x', 1).final, true, 'a limit of one stops at the first refusal');
  });

  test('a confirmation clears the streak and the backoff; phases are read through one function', () => {
    let coins = withFresh({}, ['A', 'B', 'C']);
    coins = { ...coins, B: { phase: 'refused', failuresInRow: 5, refusedRetries: 2 } };
    coins = withPhase(coins, ['B', 'Z'], 'subscribed');
    assert.deepEqual(coins.B, { phase: 'subscribed', failuresInRow: 0, refusedRetries: 0 });
    assert.equal(phaseOf(coins, 'Z'), undefined, 'a coin not held is not added by a phase change');
    coins = withPhase(coins, ['C'], 'stopped');
    assert.deepEqual(symbolsIn(coins, 'idle'), ['A']);
    assert.deepEqual(held(coins, ['C', 'B', 'Z'], ['stopped', 'subscribed']), ['C', 'B']);
  });

  test('each change says what every Coin is told, in order, and only for the coins it concerns', () => {
    const told = (c: CoinChange) => c.tell.map((t) => `${t.symbol}:${t.event.type}`);
    let coins: CoinSubscriptions = withFresh({}, ['A', 'B', 'C', 'D']);
    const requested = requestIdle(coins);
    assert.deepEqual(told(requested), ['A:REQUEST', 'B:REQUEST', 'C:REQUEST', 'D:REQUEST']);
    coins = requested.coins;
    coins = { ...coins, B: refuse(coins.B, 'busy', 5).subscription };
    coins = { ...coins, C: refuse({ ...coins.C!, failuresInRow: 4 }, 'bad', 5).subscription };
    assert.deepEqual([phaseOf(coins, 'B'), phaseOf(coins, 'C')], ['waiting', 'refused']);

    const confirmed = confirm(coins, ['A', 'C', 'Z']);
    assert.deepEqual(told(confirmed), ['A:CONFIRM', 'C:RESUME', 'C:CONFIRM'], 'a refused coin is resumed before it is confirmed');
    assert.deepEqual(confirmed.resumed, ['C']);
    coins = confirmed.coins;

    const stalled = stall(coins, [{ symbol: 'A', reason: 'silent' }, { symbol: 'B', reason: 'not subscribed' }]);
    assert.deepEqual(stalled.tell, [{ symbol: 'A', event: { type: 'DATA.STALLED', reason: 'silent' } }]);
    assert.equal(phaseOf(stalled.coins, 'A'), 'idle');

    const lost = loseConnection(coins);
    assert.deepEqual(told(lost), ['A:CONNECTION.LOST', 'B:CONNECTION.LOST', 'C:CONNECTION.LOST', 'D:CONNECTION.LOST']);
    assert.deepEqual(symbolsIn(lost.coins, 'idle'), ['A', 'B', 'C', 'D']);

    const released = releaseWaiting(coins);
    assert.deepEqual([released.symbols, told(released)], [['B'], []], 'a waiting Coin is already Ready: nothing to tell');

    const parked = { ...coins, D: { phase: 'refused' as const, failuresInRow: 5, refusedRetries: 1 } };
    assert.deepEqual(told(releaseRefused(parked, 'D', 5)), ['D:RESUME']);
    assert.deepEqual(releaseRefused(parked, 'A', 5).symbols, [], 'only a refused coin is released');

    const removed = remove(coins, ['A', 'B', 'Z']);
    assert.deepEqual(removed.tell, [
      { symbol: 'A', event: { type: 'STOP', reason: 'removed' } },
      { symbol: 'B', event: { type: 'STOP', reason: 'removed' } },
    ]);
    assert.deepEqual(removed.onWire, ['A'], 'only what is on the wire is unsubscribed');
    const added = add(removed.coins, ['B', 'E', 'C']);
    assert.deepEqual([added.fresh, told(added)], [['E'], ['B:RESUME']]);
    assert.deepEqual(added.coins.B, freshSubscription());
  });
});
