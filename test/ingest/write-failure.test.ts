/**
 * A store that keeps failing (issue 10, row 7): the pipeline keeps every batch, slows its
 * producers through pressure, reports the failure once (for the `store-failed` alert) and the
 * recovery once, and writes everything in order when the store accepts writes again.
 * Virtual time throughout.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPipeline } from '../../src/ingest/index.js';
import { FakeStore, ManualClock, NOW, settle, trades } from './helpers.js';

describe('pipeline: store writes failing for a while', () => {
  test('failure reported once, intake slowed, nothing dropped, recovery reported once', async () => {
    const clock = new ManualClock(NOW);
    const store = new FakeStore();
    const health: string[] = [];
    const pipeline = createPipeline({
      store,
      clock,
      batchMaxRecords: 5,
      batchMaxDelayMs: 10,
      highWaterMark: 20,
      lowWaterMark: 10,
      retryDelayMs: 100,
      maxRetryDelayMs: 400,
      onWriteHealth: (failing, error) => health.push(failing ? `failing: ${(error as Error).message}` : 'recovered'),
    });
    store.failNext = 6;
    pipeline.push(trades(1, 5));
    await settle();
    assert.deepEqual(health, ['failing: disk on fire']);
    assert.equal(pipeline.stats().writeFailing, true);

    // the producer keeps pushing while the store fails: the buffer grows and pressure says stop
    const answers: boolean[] = [];
    for (let i = 0; i < 5; i++) answers.push(pipeline.push(trades(6 + i * 5, 5)));
    assert.deepEqual(answers, [true, true, true, false, false]);
    assert.equal(pipeline.stats().pressure, true);
    let writable = false;
    void pipeline.whenWritable().then(() => (writable = true));

    // retries at 100, 200, 400, 400, 400 ms: each fails, and the failure is not reported again
    for (const delay of [100, 200, 400, 400, 400]) {
      clock.advance(delay);
      await settle();
    }
    assert.equal(pipeline.stats().writeErrors, 6);
    assert.equal(store.stored.size, 0);
    assert.equal(health.length, 1);
    assert.equal(writable, false);

    // space is back: the next retry succeeds and the backlog drains in order
    clock.advance(400);
    for (let i = 0; i < 10; i++) {
      await settle();
      clock.advance(10);
    }
    await pipeline.flush();
    assert.deepEqual(health, ['failing: disk on fire', 'recovered']);
    assert.equal(pipeline.stats().writeFailing, false);
    assert.equal(writable, true);
    assert.deepEqual(store.tradeIds(), Array.from({ length: 30 }, (_, i) => String(i + 1)));
    await pipeline.close();
  });
});

describe('pipeline: a shutdown that cannot wait for a store that keeps failing', () => {
  test('abandon() gives up what is not stored, says how much, and lets close() resolve', async () => {
    const clock = new ManualClock(NOW);
    const store = new FakeStore();
    const pipeline = createPipeline({ store, clock, batchMaxRecords: 5, batchMaxDelayMs: 10, retryDelayMs: 100, maxRetryDelayMs: 400 });
    store.failNext = Number.POSITIVE_INFINITY;
    pipeline.push(trades(1, 12));
    await settle();
    let closed = false;
    void pipeline.close().then(() => (closed = true));
    for (let i = 0; i < 5; i++) {
      clock.advance(400);
      await settle();
    }
    assert.equal(closed, false, 'close() waits while the store refuses writes');
    assert.equal(pipeline.abandon(), 12, 'every record not stored is counted');
    await settle();
    assert.equal(closed, true);
    const errors = pipeline.stats().writeErrors;
    clock.advance(10_000);
    await settle();
    assert.equal(pipeline.stats().writeErrors, errors, 'no retry after giving up');
    assert.equal(pipeline.abandon(), 0, 'a second call gives up nothing more');
  });
});
