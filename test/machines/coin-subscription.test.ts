/**
 * One coin's subscription record: the one place refusals are counted and the limit applied, and
 * what the Coin actor is told about each refusal.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  atRefusalLimit,
  freshSubscription,
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
});
