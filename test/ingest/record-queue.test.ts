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
  assert.equal(ids(q.take(2).records), '1,2');
  const b = q.take(3).records;
  assert.equal(ids(b), '3,4,5');
  q.unshift(b);
  assert.equal(ids(q.take(10).records), '3,4,5,6,7');
  assert.equal(q.length, 0);
  assert.deepEqual(q.take(5).records, []);
  q.push(trades(8, 2));
  assert.equal(ids(q.take(5).records), '8,9', 'an emptied queue takes pushes again');
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
  const out = q.take(10).records;
  assert.deepEqual(out, pushed);
  assert.equal(out[1], t, 'a ticker is handed back as is');
  assert.notEqual(out[2], uuid, 'a string id trade waited as a copy (the one pushed may be lent and filled again)');
  assert.notEqual(out[0], numeric, 'a numeric id trade waited as columns');
});

test('a pushed trade filled again after the push (a lent one) does not change what waits', () => {
  const q = new RecordQueue();
  const lent: Trade = { type: 'trade', exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT', id: 'a3c1e2f4-0000-4000-8000-000000000001', price: 1, amount: 2, side: 'buy', timestamp: 1_700_000_000_000, localTimestamp: 1_700_000_000_001 };
  const first = { ...lent };
  q.push([lent]);
  Object.assign(lent, { id: 'b0000000-0000-4000-8000-000000000002', price: 9, timestamp: 1_700_000_000_500 });
  q.push([lent, { ...lent, id: '77' }]);
  Object.assign(lent, { id: '78', price: 11 });
  assert.deepEqual(q.take(10).records, [first, { ...first, id: 'b0000000-0000-4000-8000-000000000002', price: 9, timestamp: 1_700_000_000_500 }, { ...first, id: '77', price: 9, timestamp: 1_700_000_000_500 }]);
});

test('batches spanning many segments keep order and count, and a long backlog drains whole', () => {
  const q = new RecordQueue();
  const all = trades(1, 10_000);
  for (let i = 0; i < all.length; i += 7) q.push(all.slice(i, i + 7));
  assert.equal(q.length, 10_000);
  const got: MarketRecord[] = [];
  let batch: readonly MarketRecord[];
  while ((batch = q.take(3_000).records).length > 0) {
    got.push(...batch);
    assert.equal(q.length, 10_000 - got.length);
    q.push([]); // pushing nothing between takes changes nothing
  }
  assert.deepEqual(got, all);
  // segments consumed earlier are reused: order still holds on the next round
  q.push(trades(20_000, 5_000));
  assert.equal(ids(q.take(5_000).records.slice(-2)), '24998,24999');
});

test('clear drops what is queued, and a failed batch put back after it is all that is left', () => {
  const q = new RecordQueue();
  q.push(trades(1, 5_000));
  q.push([ticker(5)]);
  const failed = q.take(3).records;
  q.clear();
  assert.equal(q.length, 0);
  assert.deepEqual(q.take(10).records, []);
  q.unshift(failed);
  q.push(trades(100, 1));
  assert.equal(ids(q.take(10).records), '1,2,3,100');
});

test('a record the columns could not give back exactly waits as the object it is (a copy of it)', () => {
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
  const out = q.take(10).records;
  assert.deepEqual(out, [good, ...odd]);
});

test('a batch of numeric-id trades of one venue is taken as columns; any other row makes it records', () => {
  const q = new RecordQueue();
  const all = trades(1, 6_000); // more than a segment (4096 rows): columns copied out of two
  q.push(all);
  const columns = q.take(5_000);
  assert.ok(columns.trades !== undefined, 'taken as columns');
  assert.equal(columns.length, 5_000);
  assert.equal(columns.trades.exchange, 'binance');
  assert.deepEqual(columns.symbols, all.slice(0, 5_000).map((t) => t.symbol));
  assert.deepEqual(columns.records, all.slice(0, 5_000), 'its records equal the pushed ones field for field');
  // a ticker among the rows: records, in order
  q.push([ticker(9)]);
  const mixed = q.take(5_000);
  assert.equal(mixed.trades, undefined);
  assert.equal(ids(mixed.records), `${all.slice(5_000).map((t) => t.id).join(',')},?`);
  // another venue among the rows: records
  q.push([...trades(1, 2), { ...(trades(3, 1)[0] as Trade), exchange: 'okx' }]);
  const venues = q.take(10);
  assert.equal(venues.trades, undefined);
  assert.equal(ids(venues.records), '1,2,3');
  assert.equal(q.length, 0);
});
