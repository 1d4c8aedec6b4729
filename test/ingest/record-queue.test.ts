import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordQueue } from '../../src/ingest/record-queue.js';
import type { MarketRecord } from '../../src/records.js';
import { trades } from './helpers.js';

const ids = (rs: readonly MarketRecord[]) => rs.map((r) => (r.type === 'trade' ? r.id : '?')).join(',');

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
  const only = trades(8, 2);
  q.push(only);
  assert.equal(q.take(5), only, 'a lone whole chunk is handed over without a copy');
});
