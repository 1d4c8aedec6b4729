/**
 * The Link's pool of lent trades: objects come back after each delivery and are lent again (what
 * saves the allocation), spoilt on the way back (so a consumer keeping one past its delivery shows
 * up), and a read larger than the pool is lent fresh objects past it rather than reused ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TradePool } from '../../src/transport/trade-pool.js';

test('lent objects are lent again after reclaim, and spoilt meanwhile', () => {
  const pool = new TradePool();
  const first = [pool.lend(), pool.lend(), pool.lend()];
  assert.equal(new Set(first).size, 3);
  first.forEach((t, k) => Object.assign(t, { id: String(k + 1), price: 100 + k }));
  pool.reclaim();
  for (const t of first) {
    assert.ok(Number.isNaN(t.price), 'a reclaimed trade has no price');
    assert.equal(t.id, '');
  }
  assert.deepEqual([pool.lend(), pool.lend(), pool.lend(), pool.lend()].slice(0, 3), first);
});

test('a read of more trades than the pool keeps is lent fresh objects past it, none twice before reclaim', () => {
  const pool = new TradePool();
  const lent = Array.from({ length: 5000 }, () => pool.lend());
  assert.equal(new Set(lent).size, 5000);
  pool.reclaim();
  const again = Array.from({ length: 5000 }, () => pool.lend());
  const reused = again.filter((t) => lent.includes(t)).length;
  assert.ok(reused > 0 && reused < 5000, `${reused} of 5000 reused`);
});
