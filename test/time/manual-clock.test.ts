/** The ManualClock every fake-time test runs on: timers in time order, ties in arming order, now() at each due time. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/time/manual-clock.js';

describe('manual clock', () => {
  test('advance runs due timers in time order, ties in the order armed, with now() at each due time', () => {
    const clock = new ManualClock(1000);
    const ran: Array<[string, number]> = [];
    clock.setTimeout(() => ran.push(['b', clock.now()]), 20);
    clock.setTimeout(() => ran.push(['a', clock.now()]), 10);
    clock.setTimeout(() => ran.push(['c', clock.now()]), 20);
    clock.advance(15);
    assert.deepEqual(ran, [['a', 1010]]);
    assert.equal(clock.now(), 1015);
    clock.advance(5);
    assert.deepEqual(ran, [['a', 1010], ['b', 1020], ['c', 1020]]);
  });

  test('a timer armed by a timer runs in the same advance when it falls due within it', () => {
    const clock = new ManualClock(0);
    const ran: number[] = [];
    clock.setTimeout(() => {
      ran.push(clock.now());
      clock.setTimeout(() => ran.push(clock.now()), 5);
    }, 5);
    clock.advance(10);
    assert.deepEqual(ran, [5, 10]);
    assert.equal(clock.pending, 0);
  });

  test('cleared timers never run; runNext runs one timer at a time', () => {
    const clock = new ManualClock(0);
    const ran: string[] = [];
    const h = clock.setTimeout(() => ran.push('cleared'), 1);
    clock.setTimeout(() => ran.push('x'), 2);
    clock.setTimeout(() => ran.push('y'), 3);
    clock.clearTimeout(h);
    assert.equal(clock.nextAt(), 2);
    assert.equal(clock.runNext(10), true);
    assert.deepEqual(ran, ['x']);
    assert.equal(clock.now(), 2);
    assert.equal(clock.runNext(2), false, 'y is due at 3, after the bound');
    clock.advance(1);
    assert.deepEqual(ran, ['x', 'y']);
  });

  test('set() jumps the time without running what falls due', () => {
    const clock = new ManualClock(0);
    let ran = false;
    clock.setTimeout(() => (ran = true), 5);
    clock.set(100);
    assert.equal(ran, false);
    clock.advance(0);
    assert.equal(ran, true);
  });
});
