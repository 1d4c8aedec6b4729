import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { coinReader } from '../../src/runtime/venue-audits.js';
import { coin, collector, connector, connectorCounters, manager } from '../metrics/fake-tree.js';

describe('the symbols the audit goes round: the venue\'s coins, read off the state tree', () => {
  test('per venue, futures symbols with their own colon intact, Subscribed apart from those on their way back; Stopped left out; one tree read per period', () => {
    let reads = 0;
    let t = 0;
    let state = 'Requested';
    const tree = () => {
      reads++;
      return manager([
        collector('bybit', 'futures', 'Running', [
          connector('bybit', 'futures', 0, 'Connected', connectorCounters(), [coin('bybit', 'futures', 'BTC/USDT:USDT'), coin('bybit', 'futures', 'ETH/USDT:USDT', state)]),
        ]),
        collector('okx', 'spot', 'Running', [connector('okx', 'spot', 0, 'Connected', connectorCounters(), [coin('okx', 'spot', 'BTC/USDT'), coin('okx', 'spot', 'OLD/USDT', 'Stopped')])]),
      ]);
    };
    const coins = coinReader(tree, () => t, 500);
    assert.deepEqual(coins('bybit', 'futures'), { subscribed: ['BTC/USDT:USDT'], returning: ['ETH/USDT:USDT'] });
    assert.deepEqual(coins('okx', 'spot'), { subscribed: ['BTC/USDT'], returning: [] }, 'a Stopped coin is not audited');
    assert.deepEqual(coins('upbit', 'spot'), { subscribed: [], returning: [] });
    assert.equal(reads, 1);
    state = 'Subscribed';
    t = 400;
    assert.deepEqual(coins('bybit', 'futures').subscribed, ['BTC/USDT:USDT'], 'within the period: the same reading');
    t = 600;
    assert.deepEqual(coins('bybit', 'futures'), { subscribed: ['BTC/USDT:USDT', 'ETH/USDT:USDT'], returning: [] });
    assert.equal(reads, 2);
  });
});
