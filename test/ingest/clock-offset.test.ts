import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClockOffsetEstimator, createPipeline } from '../../src/ingest/index.js';
import { FakeStore, ManualClock, NOW, trade } from './helpers.js';

describe('clock offset estimator', () => {
  test('no estimate before minSamples, then the median of the samples', () => {
    const e = new ClockOffsetEstimator({ minSamples: 3, window: 5 });
    e.sample(10);
    e.sample(30);
    assert.equal(e.offsetMs, undefined);
    e.sample(20);
    assert.equal(e.offsetMs, 20);
  });

  test('a minority of bogus samples does not move it; a lasting shift takes over', () => {
    const e = new ClockOffsetEstimator({ window: 9, minSamples: 3, recomputeEvery: 1 });
    for (let i = 0; i < 9; i++) e.sample(40 + (i % 3)); // ~40 ms of network delay
    for (let i = 0; i < 4; i++) e.sample(-3_000_000); // a few frames with wild timestamps
    assert.ok(e.offsetMs! >= 40 && e.offsetMs! <= 42, `median held: ${e.offsetMs}`);
    for (let i = 0; i < 5; i++) e.sample(65_000); // the link really is a minute slower now
    assert.equal(e.offsetMs, 65_000);
  });

  test('the estimate is the exact median of the last window samples, odd and even counts, unsorted input', () => {
    for (const window of [7, 8]) {
      const e = new ClockOffsetEstimator({ window, minSamples: 1, recomputeEvery: 1 });
      const seen: number[] = [];
      let x = 12345;
      for (let i = 0; i < 40; i++) {
        x = (x * 1103515245 + 12345) % 2147483648; // a fixed LCG: varied, repeatable order
        const v = (x % 2001) - 1000;
        e.sample(v);
        seen.push(v);
        const last = seen.slice(-window).sort((a, b) => a - b);
        const mid = last.length >> 1;
        const median = last.length % 2 === 1 ? last[mid] : ((last[mid - 1] as number) + (last[mid] as number)) / 2;
        assert.equal(e.offsetMs, median, `window ${window}, after ${i + 1} samples`);
      }
    }
  });

  test('non-finite and absurd samples are ignored', () => {
    const e = new ClockOffsetEstimator({ minSamples: 1, recomputeEvery: 1 });
    e.sample(Number.NaN);
    e.sample(Number.POSITIVE_INFINITY);
    e.sample(NOW); // a timestamp of 0: not an offset
    assert.equal(e.offsetMs, undefined);
    e.sample(-5);
    assert.equal(e.offsetMs, -5);
  });
});

describe('the pipeline measures each venue clock and judges the future by it', () => {
  function setup(maxClockSkewMs = 5_000) {
    const clock = new ManualClock(NOW);
    const store = new FakeStore();
    const pipeline = createPipeline({ store, clock, maxClockSkewMs, batchMaxDelayMs: 1 });
    return { clock, store, pipeline };
  }

  test('an exchange clock 90 s ahead: refused while unmeasured, accepted once the offset is learned, and published', async () => {
    const { clock, pipeline, store } = setup();
    let id = 0;
    const frame = () => {
      clock.advance(100);
      const now = clock.now();
      return [trade(++id, { timestamp: now + 90_000, localTimestamp: now })];
    };
    const accepted: number[] = [];
    for (let i = 0; i < 10; i++) accepted.push(pipeline.submit(frame()).accepted.length);
    await pipeline.flush();
    // the first four frames come before the median has its five samples
    assert.deepEqual(accepted, [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    assert.equal(pipeline.rejected.timestamp, 4);
    assert.equal(store.tradeIds().length, 6);
    assert.equal(pipeline.stats().clockOffsetMs, -90_000);
    assert.equal(pipeline.clockOffsetMs(), -90_000);
    assert.equal(pipeline.stats().late, 0);
  });

  test('a slow link shows as a positive offset; a timestamp hours ahead is still refused', async () => {
    const { clock, pipeline } = setup();
    let id = 0;
    for (let i = 0; i < 6; i++) {
      clock.advance(100);
      pipeline.push([trade(++id, { timestamp: clock.now() - 8_000, localTimestamp: clock.now() })]);
    }
    assert.equal(pipeline.stats().clockOffsetMs, 8_000);
    assert.equal(pipeline.stats().late, 6);
    const bogus = pipeline.submit([trade(++id, { timestamp: clock.now() + 3_600_000, localTimestamp: clock.now() })]);
    assert.equal(bogus.accepted.length, 0);
    await pipeline.flush();
  });

  test('backfilled records do not feed the estimate (their receive time is the fetch time)', async () => {
    const { clock, pipeline } = setup();
    for (let i = 0; i < 10; i++) pipeline.push([trade(i + 1, { timestamp: clock.now() - 3_600_000 })], 'backfill');
    assert.equal(pipeline.stats().clockOffsetMs, undefined);
    await pipeline.flush();
  });
});
