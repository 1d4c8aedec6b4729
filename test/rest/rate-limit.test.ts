import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHostThrottle } from '../../src/rest/rate-limit.js';
import { RestError } from '../../src/rest/errors.js';
import { fakeTime } from './fake-time.js';

describe('createHostThrottle', () => {
  test('lets a burst through, then paces at the configured rate', async () => {
    const clock = fakeTime();
    const throttle = createHostThrottle({ requestsPerSecond: 4, burst: 2, ...clock });
    for (let i = 0; i < 5; i++) await throttle.acquire('api.example');
    assert.deepEqual(clock.sleeps, [250, 250, 250]);
  });

  test('a quiet spell refills the bucket up to the burst, no further', async () => {
    const clock = fakeTime();
    const throttle = createHostThrottle({ requestsPerSecond: 1, burst: 3, ...clock });
    for (let i = 0; i < 3; i++) await throttle.acquire('h');
    await clock.sleep(60_000); // a long idle period
    clock.sleeps.length = 0;
    for (let i = 0; i < 5; i++) await throttle.acquire('h');
    assert.deepEqual(clock.sleeps, [1000, 1000]);
  });

  test('concurrent callers each get their own slot', async () => {
    const waits: number[] = [];
    // A sleep that resolves at once without moving time: every slot is computed from the same instant.
    const throttle = createHostThrottle({
      requestsPerSecond: 2,
      burst: 1,
      now: () => 0,
      sleep: async (ms) => void waits.push(ms),
    });
    const waited = await Promise.all(Array.from({ length: 4 }, () => throttle.acquire('h')));
    assert.deepEqual(waited, [0, 500, 1000, 1500]);
  });

  test('a block holds every request to that host until it ends, then restarts paced', async () => {
    const clock = fakeTime(0);
    const throttle = createHostThrottle({ requestsPerSecond: 2, burst: 2, ...clock });
    throttle.block('h', 3000, 'rate-limited');
    assert.deepEqual(throttle.blocked('h'), { remainingMs: 3000, reason: 'rate-limited' });
    await throttle.acquire('other'); // other hosts are not held
    assert.deepEqual(clock.sleeps, []);
    await throttle.acquire('h');
    await throttle.acquire('h');
    assert.deepEqual(clock.sleeps, [3000, 500]); // no burst right after a block
    assert.equal(throttle.blocked('h'), undefined);
  });

  test('a block that arrives while a caller sleeps for its slot sends it back to the queue', async () => {
    let t = 0;
    const pending: { ms: number; resolve: () => void }[] = [];
    const throttle = createHostThrottle({
      requestsPerSecond: 1,
      burst: 1,
      now: () => t,
      sleep: (ms) => new Promise<void>((resolve) => pending.push({ ms, resolve })),
    });
    await throttle.acquire('h'); // takes the only token
    const second = throttle.acquire('h');
    assert.equal(pending[0]!.ms, 1000);
    throttle.block('h', 5000, 'banned');
    t = 1000;
    pending[0]!.resolve();
    await new Promise((r) => setImmediate(r));
    assert.equal(pending[1]!.ms, 4000, 'waits out the rest of the block');
    t = 5000;
    pending[1]!.resolve();
    assert.equal(await second, 5000);
  });

  test('without requestsPerSecond nothing is paced, but blocks still hold', async () => {
    const clock = fakeTime(0);
    const throttle = createHostThrottle({ ...clock });
    for (let i = 0; i < 10; i++) await throttle.acquire('h');
    assert.deepEqual(clock.sleeps, []);
    throttle.block('h', 700, 'banned');
    await throttle.acquire('h');
    assert.deepEqual(clock.sleeps, [700]);
  });

  test('a shorter block never shortens a longer one', () => {
    const clock = fakeTime(0);
    const throttle = createHostThrottle({ ...clock });
    throttle.block('h', 10_000, 'banned');
    throttle.block('h', 2_000, 'rate-limited');
    assert.deepEqual(throttle.blocked('h'), { remainingMs: 10_000, reason: 'banned' });
  });

  // These once spun forever in a synchronous loop (NaN failed every exit test): a test that
  // hangs here hangs the whole file, so the loop itself must refuse, not a timeout.
  test('a clock that answers NaN is TV_ERR_REST_INVALID_OPTIONS, not an endless loop', async () => {
    const throttle = createHostThrottle({ requestsPerSecond: 2, now: () => NaN, sleep: async () => {} });
    await assert.rejects(throttle.acquire('h'), (err: unknown) => err instanceof RestError && err.code === 'TV_ERR_REST_INVALID_OPTIONS');
    assert.throws(() => throttle.blocked('h'), (err: unknown) => err instanceof RestError && err.code === 'TV_ERR_REST_INVALID_OPTIONS');
  });

  test('a block until NaN or Infinity is refused and leaves the host as it was', async () => {
    const clock = fakeTime(0);
    const throttle = createHostThrottle({ ...clock });
    for (const until of [NaN, Infinity]) {
      assert.throws(() => throttle.block('h', until, 'banned'), (err: unknown) => err instanceof RestError && err.code === 'TV_ERR_REST_INVALID_OPTIONS');
    }
    assert.equal(throttle.blocked('h'), undefined);
    assert.equal(await throttle.acquire('h'), 0);
  });

  test('with a sleep that returns at once and a clock that never moves, a block still ends the wait', async () => {
    const waits: number[] = [];
    let blockDuringSleep = true;
    const throttle = createHostThrottle({
      now: () => 0,
      sleep: async (ms) => {
        waits.push(ms);
        // a block arrives during the first sleep only, as it would from another request
        if (blockDuringSleep) throttle.block('h', 900, 'rate-limited');
        blockDuringSleep = false;
      },
    });
    throttle.block('h', 300, 'rate-limited');
    assert.equal(await throttle.acquire('h'), 1200);
    assert.deepEqual(waits, [300, 900]);
  });
});
