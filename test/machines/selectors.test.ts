/**
 * The selectors read real snapshots of every machine: each counter an actor kind carries is there
 * and is a number. A selector reading a field the machine does not have would leave its counter
 * out (undefined is not shown), and the exact key sets below would fail.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createActor } from 'xstate';
import { coinMachine } from '../../machines/coin.js';
import { actorKind, isTreeChild, readActor, readCoin, readFailure, stateText } from '../../machines/selectors.js';
import { readStateTree, walk, type ActorNode } from '../../src/runtime/state-tree.js';
import { advance, collectorInput, startManager } from '../support/tree.js';

const CONNECTOR_KEYS = [
  'connectionAttempts', 'connectionSuccesses', 'subscriptionAttempts', 'subscriptionSuccesses', 'subscriptionFailures',
  'recoveryAttempts', 'recoverySuccesses', 'consecutiveFailures', 'framesReceived', 'recordsReceived', 'malformedFrames',
  'rotations', 'dataStalls', 'symbolStalls', 'restartAttempts', 'restartSuccesses',
];
const COLLECTOR_KEYS = [
  'errors', 'listingFailures', 'gaps.detected', 'gaps.merged', 'gaps.filled', 'gaps.unfilled', 'gaps.backfilledTrades',
  'gaps.failures', 'gaps.pending', 'restartAttempts', 'restartSuccesses',
];
const COIN_KEYS = ['subscribeRequests', 'subscribeFailures', 'dataStalls'];

function keysOf(node: ActorNode): string[] {
  for (const [k, v] of Object.entries(node.counters)) assert.equal(typeof v, 'number', `${node.id} ${k}`);
  return Object.keys(node.counters).sort();
}

describe('typed snapshot selectors', () => {
  test('a running tree read through the selectors: every kind with exactly its counters, with the values the machines hold', async () => {
    const t = startManager([collectorInput('binance', 'spot', { groupSize: 2 })]);
    await advance(t, 3_000);
    const tree = readStateTree(t.actor);
    assert.equal(tree.kind, 'manager');
    assert.equal(tree.state, 'Managing');
    assert.deepEqual(keysOf(tree), ['alerts']);
    const nodes = [...walk(tree)];
    const collectors = nodes.filter((n) => n.kind === 'collector');
    const connectors = nodes.filter((n) => n.kind === 'connector');
    const coins = nodes.filter((n) => n.kind === 'coin');
    assert.equal(collectors.length, 1);
    assert.equal(connectors.length, 2);
    assert.equal(coins.length, 4);
    assert.deepEqual(keysOf(collectors[0]!), [...COLLECTOR_KEYS].sort());
    assert.equal(collectors[0]!.state, 'Running');
    assert.equal(collectors[0]!.detail, 'Running.Supervising');
    for (const c of connectors) {
      assert.deepEqual(keysOf(c), [...CONNECTOR_KEYS].sort());
      assert.equal(c.state, 'Connected');
      assert.equal(c.counters.connectionAttempts, 1);
      assert.equal(c.counters.connectionSuccesses, 1);
      assert.equal(c.counters.subscriptionSuccesses, c.children.length);
    }
    for (const c of coins) {
      assert.deepEqual(keysOf(c), [...COIN_KEYS].sort());
      assert.equal(c.state, 'Subscribed');
      assert.equal(c.counters.subscribeRequests, 1);
    }
    t.actor.stop();
  });

  test('a coin refused for good: state, counters and the last error come through', () => {
    const coin = createActor(coinMachine, { input: { exchange: 'bybit', market: 'spot', symbol: 'SOL/USDT' } }).start();
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'REJECT', reason: 'Invalid symbol', failuresInRow: 5, final: true });
    const r = readActor(coin, 'coin:bybit:spot:SOL/USDT');
    assert.equal(r.kind, 'coin');
    assert.equal(r.state, 'Stopped');
    assert.deepEqual(r.counters, { subscribeRequests: 1, subscribeFailures: 1, dataStalls: 0 });
    assert.equal(r.lastError, 'Invalid symbol');
    assert.equal(r.childRecords, undefined);
  });

  test('ids tell the kind; only collectors, connectors and coins are children of the tree', () => {
    assert.equal(actorKind('manager'), 'manager');
    assert.equal(actorKind('coin:bybit:futures:BTC/USDT:USDT'), 'coin');
    assert.equal(actorKind('connection:binance:spot:0'), 'connection');
    assert.equal(actorKind('gapFiller'), 'other');
    assert.equal(isTreeChild('connector:binance:spot:0'), true);
    assert.equal(isTreeChild('connection:binance:spot:0'), false);
    assert.equal(isTreeChild('connection'), false);
    assert.equal(isTreeChild('gapFiller'), false);
    assert.deepEqual(stateText({ Failed: 'GaveUp' }), { state: 'Failed', detail: 'Failed.GaveUp' });
    assert.deepEqual(stateText('Ready'), { state: 'Ready', detail: 'Ready' });
  });

  test('inspected snapshots: a Coin for the refusal alerting, a failure for the lifecycle log; anything else reads as nothing', () => {
    const coin = createActor(coinMachine, { input: { exchange: 'bybit', market: 'spot', symbol: 'SOL/USDT' } }).start();
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'REJECT', reason: 'Invalid symbol', failuresInRow: 5, final: true });
    assert.deepEqual(readCoin(coin.getSnapshot()), {
      status: 'active',
      state: 'Stopped',
      coin: { exchange: 'bybit', market: 'spot', symbol: 'SOL/USDT' },
      refusedReason: 'Invalid symbol',
      failuresInRow: 5,
    });
    assert.deepEqual(readCoin(undefined), { state: '', failuresInRow: 0 });
    assert.deepEqual(readCoin({ value: { Odd: 'x' }, context: { symbol: 'A' } }), { state: '', failuresInRow: 0 });
    assert.deepEqual(readFailure({ value: { Failed: 'Deciding' }, context: { lastError: 'socket closed: 1006' } }), {
      value: { Failed: 'Deciding' },
      lastError: 'socket closed: 1006',
    });
    assert.deepEqual(readFailure('junk'), { value: undefined });
  });
});
