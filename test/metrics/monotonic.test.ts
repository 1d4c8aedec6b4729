import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MonotonicCounters } from '../../src/metrics/monotonic.js';
import { RateMeter } from '../../src/metrics/rate-meter.js';

describe('MonotonicCounters', () => {
  test('adds the growth of one actor and all of a fresh actor whose counter dropped', () => {
    const c = new MonotonicCounters();
    assert.equal(c.read('a', 3), 3);
    assert.equal(c.read('a', 5), 5);
    assert.equal(c.read('a', 2), 7, 'a drop means a fresh actor: its 2 are new');
    assert.equal(c.read('a', 4), 9);
  });

  test('a changed generation counts the fresh actor from zero even when it already passed the old reading', () => {
    const c = new MonotonicCounters();
    c.read('a', 5, '0');
    assert.equal(c.read('a', 8, '1'), 13);
    assert.equal(c.read('a', 9, '1'), 14);
  });

  test('forget() drops every series of an actor and nothing else', () => {
    const c = new MonotonicCounters();
    c.read('coin:x:spot:BTC/USD\u0000n', 1);
    c.read('coin:x:spot:BTC/USDT\u0000n', 2);
    c.forget('coin:x:spot:BTC/USD\u0000');
    assert.equal(c.total('coin:x:spot:BTC/USD\u0000n'), undefined);
    assert.equal(c.total('coin:x:spot:BTC/USDT\u0000n'), 2);
  });
});

describe('RateMeter', () => {
  test('is the slope between the newest sample and the oldest inside the window', () => {
    const r = new RateMeter(10_000);
    assert.equal(r.sample(0, 0), 0);
    assert.equal(r.sample(1_000, 500), 500);
    assert.equal(r.sample(2_000, 1_500), 750);
    // 20 s later the first samples have left the window: only the latest pace counts
    for (let t = 3_000; t <= 22_000; t += 1_000) r.sample(t, 1_500 + (t - 2_000) * 2);
    assert.equal(r.rate(), 2_000);
  });

  test('samples at the same instant do not divide by zero', () => {
    const r = new RateMeter();
    r.sample(1_000, 10);
    assert.equal(r.sample(1_000, 20), 0);
    assert.equal(r.sample(2_000, 30), 10, "the replaced sample is the reference");
  });
});
