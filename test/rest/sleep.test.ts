import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TIMER_MS, realSleep } from '../../src/rest/sleep.js';

/** Whether the promise has settled, after letting pending microtasks run. */
async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

describe('realSleep', () => {
  test('sleeps past setTimeout\'s 2^31 - 1 ms limit instead of firing after 1 ms', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const p = realSleep(MAX_TIMER_MS + 1000);
    t.mock.timers.tick(1);
    assert.equal(await settled(p), false);
    t.mock.timers.tick(MAX_TIMER_MS - 1);
    assert.equal(await settled(p), false, 'first piece done, 1000 ms to go');
    t.mock.timers.tick(1000);
    assert.equal(await settled(p), true);
  });

  test('a wait that is not a positive finite number returns at once', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    for (const ms of [0, -5, NaN, Infinity]) assert.equal(await settled(realSleep(ms)), true, String(ms));
  });
});
