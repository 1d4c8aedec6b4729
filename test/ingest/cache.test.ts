import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatestCache } from '../../src/ingest/cache.js';
import type { Ticker } from '../../src/records.js';
import { NOW, trade } from './helpers.js';

const tick = (timestamp: number, last: number): Ticker => ({
  type: 'ticker', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', timestamp, localTimestamp: timestamp, last,
});

test('the cache keeps the latest ticker and last trade per symbol; an older backfilled trade does not replace it', () => {
  const c = new LatestCache();
  c.update(trade(1, { timestamp: NOW }));
  c.update(tick(NOW, 10));
  c.update(trade(2, { timestamp: NOW + 5 }));
  c.update(tick(NOW + 1, 11));
  c.update(trade(0, { timestamp: NOW - 1000 })); // backfill
  c.update(trade(9, { symbol: 'ETH/USDT' }));
  const btc = c.get('binance', 'spot', 'BTC/USDT');
  assert.equal(btc?.trade?.id, '2');
  assert.equal(btc?.ticker?.last, 11);
  assert.equal(c.get('binance', 'futures', 'BTC/USDT'), undefined);
  assert.equal(c.size, 2);
  assert.deepEqual([...c.entries()].map((e) => `${e.symbol}:${e.trade?.id}:${e.ticker?.last}`).sort(), [
    'BTC/USDT:2:11', 'ETH/USDT:9:undefined',
  ]);
});

test('the cache keeps a copy of a trade: one filled again after update (a lent one) changes nothing, and what a reader got stays as it was', () => {
  const c = new LatestCache();
  const lent = trade(1, { timestamp: NOW, price: 100 });
  c.update(lent);
  Object.assign(lent, { id: '7', price: 1, timestamp: NOW - 60_000 }); // the object reused for another trade
  const read = c.get('binance', 'spot', 'BTC/USDT');
  assert.deepEqual(read?.trade, trade(1, { timestamp: NOW, price: 100 }));
  c.update(trade(2, { timestamp: NOW + 1, price: 101 }));
  assert.equal(read?.trade?.id, '1', 'a reader holds a snapshot, not the object the cache goes on filling');
  assert.equal(c.get('binance', 'spot', 'BTC/USDT')?.trade?.price, 101);
});
