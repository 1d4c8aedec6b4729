import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { subscribedReader } from '../../src/runtime/venue-audits.js';
import { coin, collector, connector, connectorCounters, manager } from '../metrics/fake-tree.js';

describe('the symbols the audit goes round: Subscribed coins of the venue, read off the state tree', () => {
  test('per venue, futures symbols with their own colon intact, other states left out; one tree read per period', () => {
    let reads = 0;
    let t = 0;
    let state = 'Requested';
    const tree = () => {
      reads++;
      return manager([
        collector('bybit', 'futures', 'Running', [
          connector('bybit', 'futures', 0, 'Connected', connectorCounters(), [coin('bybit', 'futures', 'BTC/USDT:USDT'), coin('bybit', 'futures', 'ETH/USDT:USDT', state)]),
        ]),
        collector('okx', 'spot', 'Running', [connector('okx', 'spot', 0, 'Connected', connectorCounters(), [coin('okx', 'spot', 'BTC/USDT')])]),
      ]);
    };
    const subscribed = subscribedReader(tree, () => t, 500);
    assert.deepEqual(subscribed('bybit', 'futures'), ['BTC/USDT:USDT']);
    assert.deepEqual(subscribed('okx', 'spot'), ['BTC/USDT']);
    assert.deepEqual(subscribed('upbit', 'spot'), []);
    assert.equal(reads, 1);
    state = 'Subscribed';
    t = 400;
    assert.deepEqual(subscribed('bybit', 'futures'), ['BTC/USDT:USDT'], 'within the period: the same reading');
    t = 600;
    assert.deepEqual(subscribed('bybit', 'futures'), ['BTC/USDT:USDT', 'ETH/USDT:USDT']);
    assert.equal(reads, 2);
  });
});
