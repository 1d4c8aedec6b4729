/**
 * The batch writer alone, on a ManualClock and a store sink the test completes by hand: size and
 * delay triggers, backpressure high/low water, the hard limit, retry with capped backoff on a
 * failing sink, flush and abandon.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BatchWriter, type BatchWriterOptions, type CommittedBatch } from '../../src/ingest/batch-writer.js';
import { storeSink } from '../../src/ingest/store-sink.js';
import { FakeStore, ManualClock, NOW, settle, trade, trades } from './helpers.js';

function writer(over: Partial<BatchWriterOptions> = {}, manual = true) {
  const clock = new ManualClock(NOW);
  const store = new FakeStore(manual);
  const logged: string[] = [];
  const health: boolean[] = [];
  const w = new BatchWriter({
    sink: storeSink(store),
    clock,
    batchMaxRecords: 10,
    batchMaxDelayMs: 5,
    highWaterMark: 20,
    lowWaterMark: 10,
    hardLimit: 40,
    retryDelayMs: 100,
    maxRetryDelayMs: 350,
    logger: { warn: (_o, msg) => logged.push(msg), error: (_o, msg) => logged.push(msg) },
    onWriteHealth: (failing) => health.push(failing),
    ...over,
  });
  const committed: CommittedBatch[] = [];
  w.committed$.subscribe((b) => committed.push(b));
  const pressure: boolean[] = [];
  w.pressure$.subscribe((p) => pressure.push(p));
  return { clock, store, w, committed, pressure, logged, health };
}

describe('batch writer', () => {
  test('a commit that neither lands nor fails within commitStallMs is reported (log, write health) and said over once it settles', async () => {
    const { clock, store, w, logged, health } = writer({ commitStallMs: 1_000 });
    w.enqueue(trades(1, 10));
    assert.equal(store.inFlight, 1, 'the batch is with the store');
    clock.advance(999);
    await settle();
    assert.deepEqual(health, [], 'not yet');
    clock.advance(1);
    await settle();
    assert.deepEqual(health, [true], 'counted as failing writes');
    assert.ok(logged.some((m) => m.includes('store commit has not finished')), logged.join('\n'));
    assert.equal(store.inFlight, 1, 'not written a second time while it may still land');
    store.completeNext();
    await settle();
    assert.deepEqual(health, [true, false], 'healthy again once it lands');
    assert.ok(logged.some((m) => m.includes('has settled')), logged.join('\n'));
    // the next commit arms its own timer: settled in time, nothing reported
    w.enqueue(trades(11, 10));
    clock.advance(500);
    store.completeNext();
    await settle();
    clock.advance(5_000);
    await settle();
    assert.deepEqual(health, [true, false]);
  });

  test('size trigger: a full batch goes at once; the remainder waits its delay on the clock', async () => {
    const { clock, store, w } = writer({}, false);
    w.enqueue(trades(1, 13));
    assert.deepEqual(store.batches, [10], 'the full batch is written without any time passing');
    await settle();
    clock.advance(4);
    await settle();
    assert.deepEqual(store.batches, [10]);
    clock.advance(1);
    await settle();
    assert.deepEqual(store.batches, [10, 3]);
  });

  test('delay trigger: a partial batch is written batchMaxDelayMs after its first record, not after the last', async () => {
    const { clock, store, w } = writer({}, false);
    w.enqueue(trades(1, 2));
    clock.advance(3);
    w.enqueue(trades(3, 2));
    clock.advance(2);
    await settle();
    assert.deepEqual(store.batches, [4]);
  });

  test('a saturated process waits up to batchBusyDelayMs for a partial batch; an idle one batchMaxDelayMs', async () => {
    let busy = 1;
    const { clock, store, w } = writer({ batchBusyDelayMs: 20, busy: () => busy }, false);
    w.enqueue(trades(1, 2));
    clock.advance(5);
    await settle();
    assert.deepEqual(store.batches, [], 'busy: the base delay has passed, the batch still gathers');
    w.enqueue(trades(3, 3));
    clock.advance(15);
    await settle();
    assert.deepEqual(store.batches, [5], 'written 20 ms after its first record');
    busy = 0.3;
    w.enqueue(trades(10, 2));
    clock.advance(5);
    await settle();
    assert.deepEqual(store.batches, [5, 2], 'idle again: after batchMaxDelayMs');
  });

  test('a full batch goes at once however busy the process is', () => {
    const { store, w } = writer({ batchBusyDelayMs: 20, busy: () => 1 }, false);
    w.enqueue(trades(1, 10));
    assert.deepEqual(store.batches, [10]);
  });

  test('pressure on over highWaterMark, off only at lowWaterMark; whenWritable waits for it', async () => {
    const { store, w, pressure } = writer({ batchMaxRecords: 5 });
    w.enqueue(trades(1, 20)); // judged on arrival: 20 is not over 20
    assert.equal(w.pressure, false);
    w.enqueue(trades(100, 6)); // 15 buffered after the first batch left, + 6 = 21
    assert.equal(w.pressure, true);
    let writable = false;
    void w.whenWritable().then(() => (writable = true));
    store.completeNext(); // the next batch leaves 16
    await settle();
    assert.equal(w.pressure, true, 'between the marks: still on');
    assert.equal(writable, false);
    store.completeNext(); // leaves 11
    await settle();
    assert.equal(w.pressure, true);
    store.completeNext(); // leaves 6 ≤ 10
    await settle();
    assert.equal(w.pressure, false);
    assert.equal(writable, true);
    assert.deepEqual(pressure, [false, true, false]);
  });

  test('past the hard limit: still accepted, counted per push, logged once per pressure episode', async () => {
    const { w, logged } = writer();
    // the first 10 go into the write in flight; the buffer then holds 10, 20 … 60
    for (let i = 0; i < 7; i++) w.enqueue(trades(i * 10, 10));
    assert.equal(w.overLimitPushes, 2, 'the pushes that left 50 and 60 buffered');
    assert.equal(logged.filter((m) => m.includes('hard limit')).length, 1);
    assert.equal(w.buffered + w.inFlight, 70, 'nothing dropped');
  });

  test('a failing sink: retried after 100, 200, 350, 350 ms (doubling, capped), in order, health told once each way', async () => {
    const { clock, store, w, committed, health } = writer();
    store.failNext = 4;
    w.enqueue(trades(1, 10));
    const retries: number[] = [];
    let last = clock.now();
    for (let i = 0; i < 4; i++) {
      store.completeNext(); // fails
      await settle();
      assert.equal(w.writeFailing, true);
      const next = clock.nextAt() as number;
      retries.push(next - last);
      clock.advance(next - clock.now());
      last = clock.now();
      assert.equal(store.inFlight, 1, 'the batch is written again when its retry is due');
    }
    store.completeNext();
    await settle();
    assert.deepEqual(retries, [100, 200, 350, 350]);
    assert.equal(w.writeErrors, 4);
    assert.equal(committed.length, 1);
    assert.deepEqual(committed[0]?.records.map((r) => (r.type === 'trade' ? r.id : '')), trades(1, 10).map((t) => t.id));
    assert.deepEqual(health, [true, false]);
  });

  test('a sink that throws synchronously is retried like one that rejects', async () => {
    const clock = new ManualClock(NOW);
    let calls = 0;
    const w = new BatchWriter({
      sink: storeSink({
        writeBatch: (batch) => {
          if (++calls === 1) throw new Error('boom');
          return Promise.resolve({ written: batch.length, duplicates: 0 });
        },
      }),
      clock, batchMaxRecords: 10, batchMaxDelayMs: 5, highWaterMark: 20, lowWaterMark: 10, hardLimit: 40, retryDelayMs: 100, maxRetryDelayMs: 1000,
    });
    w.enqueue(trades(1, 10));
    await settle();
    assert.equal(w.writeErrors, 1);
    clock.advance(100);
    await settle();
    assert.equal(w.committed, 10);
  });

  test('flush resolves once everything queued before it is committed, across a failed write', async () => {
    const { clock, store, w } = writer();
    store.failNext = 1;
    w.enqueue(trades(1, 3));
    let flushed = false;
    void w.flush().then(() => (flushed = true));
    store.completeNext(); // fails
    await settle();
    assert.equal(flushed, false);
    clock.advance(100);
    store.completeNext();
    await settle();
    assert.equal(flushed, true);
    assert.equal(w.committed, 3);
  });

  test('abandon gives up the buffer and the batch in flight, stops retrying, releases flush', async () => {
    const { clock, store, w } = writer();
    store.failNext = 1;
    w.enqueue(trades(1, 15));
    store.completeNext(); // first batch fails: a retry is armed
    await settle();
    let flushed = false;
    void w.flush().then(() => (flushed = true));
    assert.equal(w.abandon(), 15);
    await settle();
    assert.equal(flushed, true);
    w.finish();
    assert.equal(clock.pending, 0, 'no retry or delay timer left');
    assert.equal(w.abandon(), 0);
  });

  test('the oldest pending trade: buffered or being written, whatever the arrival order; none once committed', async () => {
    const { clock, store, w } = writer();
    assert.equal(w.oldestPendingTradeTime(), Infinity);
    // a live trade, then a backfilled one far older, then one with a string id (kept as an object)
    w.enqueue([trade(1, { timestamp: NOW + 10 }), trade(2, { timestamp: NOW - 5_000 }), trade('x-3', { timestamp: NOW - 6_000 })]);
    assert.equal(w.oldestPendingTradeTime(), NOW - 6_000);
    clock.advance(5); // the delay: the batch goes to the store and waits there
    await settle();
    assert.equal(store.inFlight, 1);
    w.enqueue([trade(4, { timestamp: NOW + 20 })]);
    assert.equal(w.oldestPendingTradeTime(), NOW - 6_000, 'the batch being written still counts');
    store.completeNext();
    await settle();
    assert.equal(w.oldestPendingTradeTime(), NOW + 20, 'only the buffered trade is left');
    clock.advance(5);
    await settle();
    store.completeNext();
    await settle();
    assert.deepEqual(store.batches, [3, 1]);
    assert.equal(w.oldestPendingTradeTime(), Infinity);
  });
});
