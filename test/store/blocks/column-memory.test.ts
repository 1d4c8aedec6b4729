import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReusedColumns } from '../../../src/store/blocks/column-memory.js';
import { tradeBlockCodec } from '../../../src/store/blocks/trade-codec.js';
import { StoreError } from '../../../src/store/errors.js';
import { assertSameTrades } from './column-assert.js';
import { binanceLike, bybitLike } from './realistic-blocks.js';

const isCorrupt = (e: unknown) => e instanceof StoreError && e.code === 'TV_ERR_STORE_CORRUPT_VALUE';

test('reused memory hands out n entries of one array per slot, grown when a block needs more', () => {
  const m = new ReusedColumns();
  const a = m.f64(0, 3000);
  assert.equal(a.length, 3000);
  const b = m.f64(0, 10);
  assert.equal(b.length, 10);
  assert.equal(b.buffer, a.buffer, 'a smaller block takes the same memory');
  assert.notEqual(m.f64(1, 10).buffer, a.buffer, 'each slot has its own');
  const c = m.f64(0, 100_000);
  assert.equal(c.length, 100_000);
  assert.equal(m.f64(0, 5).buffer, c.buffer, 'the grown array is kept');
  assert.equal(m.u8(0, 7).length, 7);
});

test('blocks decoded one after another into the same memory each read back exactly, larger then smaller', () => {
  const m = new ReusedColumns();
  for (const c of [binanceLike(4096, 1), binanceLike(300, 2), bybitLike(500, 3), binanceLike(1, 4), binanceLike(5000, 5)]) {
    assertSameTrades(tradeBlockCodec.decode(tradeBlockCodec.encode(c), m), c);
  }
});

test('a corrupt block decoded into reused memory is refused, and the next good block still reads back exactly', () => {
  const m = new ReusedColumns();
  const good = binanceLike(2000, 6);
  const bytes = tradeBlockCodec.encode(good);
  tradeBlockCodec.decode(bytes, m);
  for (const len of [bytes.length - 1, Math.floor(bytes.length / 2), 5]) {
    assert.throws(() => tradeBlockCodec.decode(bytes.subarray(0, len), m), isCorrupt, `prefix of ${len} bytes`);
  }
  const other = binanceLike(1500, 7);
  assertSameTrades(tradeBlockCodec.decode(tradeBlockCodec.encode(other), m), other);
});
