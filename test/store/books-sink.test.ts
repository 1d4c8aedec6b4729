import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BookRecord } from '../../src/records.js';
import { BookSink, createStoreFaultGate, openHistoryStore, storedBookAt, storedBookRange } from '../../src/store/index.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { evolveBook } from './book-evolution.js';
import { tempDir } from './helpers.js';

const range = (env: Parameters<typeof storedBookRange>[0]) => [...storedBookRange(env, { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' })];

test('records are committed on the sink timer of the injected clock, or at once when a batch is full', async (t) => {
  const store = openHistoryStore({ path: tempDir(t), noSync: true });
  t.after(() => store.close());
  const clock = new ManualClock();
  const sink = new BookSink(store.env, { clock, durable: false, flushMs: 200, batchMaxRecords: 50 });
  const records = evolveBook({ steps: 80 }).flatMap((s) => s.records);
  sink.write(records.slice(0, 10));
  assert.equal(sink.stats.written, 0);
  clock.advance(199);
  assert.equal(sink.stats.batches, 0, 'nothing before the timer');
  clock.advance(1);
  await sink.flush(); // waits for the commit the timer started
  assert.equal(sink.stats.written, 10);
  sink.write(records.slice(10, 70)); // more than a batch: committed without the timer
  await sink.flush();
  assert.equal(sink.stats.written, 70);
  assert.ok(sink.stats.batches >= 3);
  await sink.close();
  assert.deepEqual(range(store.env), records.slice(0, 70));
  sink.write(records.slice(70)); // after close: ignored, never thrown
  assert.equal(sink.pendingRecords, 0);
});

test('unstorable records are refused and counted, the others stored', async (t) => {
  const store = openHistoryStore({ path: tempDir(t), noSync: true });
  t.after(() => store.close());
  const sink = new BookSink(store.env, { clock: new ManualClock(), durable: false });
  const good = evolveBook({ steps: 3 }).flatMap((s) => s.records);
  const bad = [
    { ...good[0]!, timestamp: Number.NaN },
    { ...good[0]!, kind: 'delta' },
    { ...good[0]!, bids: [[1, Number.POSITIVE_INFINITY]] },
    { ...good[0]!, symbol: '' },
    null,
  ] as unknown as BookRecord[];
  sink.write([good[0]!, ...bad, ...good.slice(1)]);
  await sink.close();
  assert.equal(sink.stats.refused, bad.length);
  assert.deepEqual(range(store.env), good);
});

test('a failing store: writes never throw, the batch is retried and stored once in order when commits succeed again', async (t) => {
  const store = openHistoryStore({ path: tempDir(t), noSync: true });
  t.after(() => store.close());
  const clock = new ManualClock();
  const gate = createStoreFaultGate(clock.now);
  const errors: unknown[] = [];
  const sink = new BookSink(store.env, { clock, durable: false, faultGate: gate, onError: (e) => errors.push(e) });
  const records = evolveBook({ steps: 60 }).flatMap((s) => s.records);
  sink.write(records.slice(0, 20));
  await sink.flush();
  gate.failUntil(clock.now() + 1_000);
  sink.write(records.slice(20, 40));
  await sink.flush();
  clock.advance(200); // the timer's retry, still refused
  await sink.flush();
  assert.ok(sink.stats.failedCommits >= 2);
  assert.equal(errors.length, sink.stats.failedCommits);
  assert.equal(sink.pendingRecords, 20);
  clock.advance(1_000);
  sink.write(records.slice(40));
  await sink.close();
  assert.deepEqual(range(store.env), records);
});

test('while commits fail, a full buffer does not retry on every write: one try per timer tick', async (t) => {
  const store = openHistoryStore({ path: tempDir(t), noSync: true });
  t.after(() => store.close());
  const clock = new ManualClock();
  const gate = createStoreFaultGate(clock.now);
  const sink = new BookSink(store.env, { clock, durable: false, faultGate: gate, batchMaxRecords: 10, flushMs: 200 });
  const records = evolveBook({ steps: 200 }).flatMap((s) => s.records);
  gate.failUntil(Number.POSITIVE_INFINITY);
  sink.write(records.slice(0, 10)); // a full batch: tried at once, and fails
  await sink.flush();
  const afterFirst = sink.stats.failedCommits;
  assert.equal(afterFirst, 1);
  // writes arriving turn after turn, as frames do (a turn of the event loop between them)
  for (let i = 10; i < 150; i += 10) {
    sink.write(records.slice(i, i + 10));
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(sink.stats.failedCommits, afterFirst, `${sink.stats.failedCommits} tries for 14 writes`);
  const before = sink.stats.failedCommits;
  clock.advance(200);
  await sink.flush();
  assert.ok(sink.stats.failedCommits > before, 'the timer tries again');
  gate.clear();
  sink.write(records.slice(150));
  await sink.close();
  assert.deepEqual(range(store.env), records);
});

test('the disk behind the feed: memory stays bounded, shed records become a resync, and no stored book is ever wrong', async (t) => {
  const store = openHistoryStore({ path: tempDir(t), noSync: true });
  t.after(() => store.close());
  const clock = new ManualClock();
  const gate = createStoreFaultGate(clock.now);
  const maxPendingLevels = 300;
  const sink = new BookSink(store.env, { clock, durable: false, faultGate: gate, maxPendingLevels });
  const steps = evolveBook({ steps: 200, snapshotEvery: 50 });
  const snapshotWeight = 1 + 2 * 40;
  for (const [i, s] of steps.entries()) {
    if (i === 60) gate.failUntil(Number.POSITIVE_INFINITY);
    if (i === 140) gate.clear();
    sink.write(s.records);
    assert.ok(sink.heldLevels <= maxPendingLevels + snapshotWeight, `held ${sink.heldLevels} at step ${i}`);
    clock.advance(100);
    await sink.flush();
  }
  await sink.close();
  assert.ok(sink.stats.shed > 0, 'records were shed');
  assert.ok(sink.stats.shedResyncs > 0, 'a resync marks where');
  assert.equal(sink.stats.lostAtClose, 0);
  let unsynced = 0;
  for (const [i, s] of steps.entries()) {
    const book = storedBookAt(store.env, 'binance', 'spot', 'BTC/USDT', s.time, 40);
    assert.ok(book !== undefined, `step ${i}`);
    if (!book.synced) {
      unsynced++;
      assert.match(book.reason, /store writer behind/);
      continue;
    }
    assert.deepEqual(book.bids, s.bids, `step ${i}: a synced book is the true one`);
    assert.deepEqual(book.asks, s.asks, `step ${i}`);
  }
  assert.ok(unsynced > 0, 'the shed stretch says so');
  for (const s of steps.slice(150)) assert.ok(storedBookAt(store.env, 'binance', 'spot', 'BTC/USDT', s.time)?.synced, 'the next snapshot restores it');
  for (const s of steps.slice(0, 60)) assert.ok(storedBookAt(store.env, 'binance', 'spot', 'BTC/USDT', s.time)?.synced, 'what came before is untouched');
});

test('a real full disk (file size capped with prlimit): the sink lives on and stores everything once space is back', async (t) => {
  const probe = spawnSync('prlimit', ['--pid', String(process.pid), '--fsize'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.skip('prlimit (util-linux) is not available to cap the file size');
    return;
  }
  const setCap = (bytes: number | 'unlimited') => spawnSync('prlimit', ['--pid', String(process.pid), `--fsize=${bytes}:unlimited`], { encoding: 'utf8' });
  let unhandled = 0;
  const onUnhandled = () => unhandled++;
  process.on('unhandledRejection', onUnhandled);
  const path = join(tempDir(t), 'store');
  const store = openHistoryStore({ path });
  const clock = new ManualClock();
  const sink = new BookSink(store.env, { clock, batchMaxRecords: 100 });
  // amounts that are no short decimals: 8 bytes each, so the records outgrow the space left
  const records = evolveBook({ steps: 3_000, snapshotEvery: 100 })
    .flatMap((s) => s.records)
    .map((r) => ({ ...r, bids: r.bids.map(([p, a]) => [p, a + Math.SQRT2 * 1e-9] as [number, number]) }));
  try {
    sink.write(records.slice(0, 200));
    await sink.flush();
    const capped = setCap(statSync(join(path, 'data.mdb')).size + 64 * 1024);
    assert.equal(capped.status, 0, capped.stderr);
    for (let i = 200; i < records.length; i += 100) {
      sink.write(records.slice(i, i + 100));
      await sink.flush();
    }
    assert.ok(sink.stats.failedCommits > 0, 'commits failed on the capped file');
    assert.equal(setCap('unlimited').status, 0);
    await sink.close();
    assert.equal(sink.stats.lostAtClose, 0);
    assert.equal(unhandled, 0, 'no unhandled rejection from lmdb-js');
    assert.deepEqual(range(store.env), records);
  } finally {
    setCap('unlimited');
    process.off('unhandledRejection', onUnhandled);
    await store.close();
  }
});
