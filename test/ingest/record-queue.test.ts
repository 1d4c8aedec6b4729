import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordQueue } from '../../src/ingest/record-queue.js';
import type { MarketRecord, Ticker, Trade } from '../../src/records.js';
import { trades } from './helpers.js';

const ids = (rs: readonly MarketRecord[]) => rs.map((r) => (r.type === 'trade' ? r.id : '?')).join(',');

const ticker = (timestamp: number): Ticker => ({
  type: 'ticker', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', last: 97_000.5, bid: 97_000, timestamp, localTimestamp: timestamp + 3,
});

test('the record queue cuts batches across pushed chunks in order, and puts a failed batch back in front', () => {
  const q = new RecordQueue();
  q.push(trades(1, 3));
  q.push([]);
  q.push(trades(4, 4));
  assert.equal(q.length, 7);
  assert.equal(ids(q.take(2)), '1,2');
  const b = q.take(3);
  assert.equal(ids(b), '3,4,5');
  q.unshift(b);
  assert.equal(ids(q.take(10)), '3,4,5,6,7');
  assert.equal(q.length, 0);
  assert.deepEqual(q.take(5), []);
  q.push(trades(8, 2));
  assert.equal(ids(q.take(5)), '8,9', 'an emptied queue takes pushes again');
});

test('queued trades come back equal field for field, whatever their ids, with tickers in their place', () => {
  const q = new RecordQueue();
  const numeric: Trade = { type: 'trade', exchange: 'okx', market: 'futures', symbol: 'ETH/USDT:USDT', id: '999999999999999', price: 0.1 + 0.2, amount: 1e-8, side: 'sell', timestamp: 1_700_000_000_123, localTimestamp: 1_700_000_000_456.5 };
  const zero: Trade = { ...numeric, id: '0', side: 'buy' };
  // not canonical integers: kept as the objects they are (a number would not print back to them)
  const uuid: Trade = { ...numeric, exchange: 'bybit', id: 'a3c1e2f4-0000-4000-8000-000000000001' };
  const leadingZero: Trade = { ...numeric, id: '0123' };
  const long: Trade = { ...numeric, exchange: 'upbit', id: '17000000000000000001' };
  const t = ticker(1_700_000_000_000);
  const pushed: MarketRecord[] = [numeric, t, uuid, zero, leadingZero, long];
  q.push(pushed);
  const out = q.take(10);
  assert.deepEqual(out, pushed);
  assert.equal(out[1], t, 'a ticker is handed back as is');
  assert.equal(out[2], uuid, 'a string id trade is handed back as is');
  assert.notEqual(out[0], numeric, 'a numeric id trade waited as columns');
});

test('batches spanning many segments keep order and count, and a long backlog drains whole', () => {
  const q = new RecordQueue();
  const all = trades(1, 10_000);
  for (let i = 0; i < all.length; i += 7) q.push(all.slice(i, i + 7));
  assert.equal(q.length, 10_000);
  const got: MarketRecord[] = [];
  let batch: readonly MarketRecord[];
  while ((batch = q.take(3_000)).length > 0) {
    got.push(...batch);
    assert.equal(q.length, 10_000 - got.length);
    q.push([]); // pushing nothing between takes changes nothing
  }
  assert.deepEqual(got, all);
  // segments consumed earlier are reused: order still holds on the next round
  q.push(trades(20_000, 5_000));
  assert.equal(ids(q.take(5_000).slice(-2)), '24998,24999');
});

test('clear drops what is queued, and a failed batch put back after it is all that is left', () => {
  const q = new RecordQueue();
  q.push(trades(1, 5_000));
  q.push([ticker(5)]);
  const failed = q.take(3);
  q.clear();
  assert.equal(q.length, 0);
  assert.deepEqual(q.take(10), []);
  q.unshift(failed);
  q.push(trades(100, 1));
  assert.equal(ids(q.take(10)), '1,2,3,100');
});

test('a record the columns could not give back exactly waits as the object it is', () => {
  const q = new RecordQueue();
  const good = trades(1, 1)[0] as Trade;
  // shapes admission refuses, pushed straight in: neither coerced (a typed array would turn '97000'
  // into 97000) nor thrown on
  const odd = [
    { ...good, id: '2', price: '97000' },
    { ...good, id: '3', side: 'short' },
    { ...good, id: 4 },
    { ...good, id: '5', timestamp: undefined },
  ] as unknown as MarketRecord[];
  q.push([good, ...odd]);
  const out = q.take(10);
  assert.deepEqual(out, [good, ...odd]);
  odd.forEach((r, i) => assert.equal(out[i + 1], r));
});
