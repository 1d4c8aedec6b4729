import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BookRecord } from '../../src/records.js';
import { BookSink, openHistoryStore, storedBookAt, storedBookRange, type OpenedHistoryStore } from '../../src/store/index.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { evolveBook } from './book-evolution.js';
import { tempDir } from './helpers.js';

function openStore(path: string): OpenedHistoryStore {
  return openHistoryStore({ path, noSync: true });
}

function sinkOn(store: OpenedHistoryStore, clock = new ManualClock()): BookSink {
  return new BookSink(store.env, { clock, durable: false });
}

const at = (store: OpenedHistoryStore, time: number, depth?: number) => storedBookAt(store.env, 'binance', 'spot', 'BTC/USDT', time, depth);
const range = (store: OpenedHistoryStore, from?: number, to?: number) => [
  ...storedBookRange(store.env, { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }),
];

test('bookAt equals the true book at every step of a real evolution (snapshots every 25 steps, ties at snapshot steps)', async (t) => {
  const store = openStore(tempDir(t));
  t.after(() => store.close());
  const steps = evolveBook({ steps: 300, snapshotEvery: 25 });
  const sink = sinkOn(store);
  for (const s of steps) sink.write(s.records);
  await sink.flush();
  assert.equal(sink.stats.written, steps.reduce((n, s) => n + s.records.length, 0));
  for (const s of steps) {
    for (const depth of [1, 10, 40]) {
      const book = at(store, s.time, depth);
      assert.ok(book?.synced, `synced at ${s.time}`);
      assert.deepEqual(book.bids, s.bids.slice(0, depth), `bids at ${s.time} depth ${depth}`);
      assert.deepEqual(book.asks, s.asks.slice(0, depth), `asks at ${s.time} depth ${depth}`);
      assert.equal(book.timestamp, s.time);
    }
    // between two steps: the book of the step before
    const between = at(store, s.time + 50, 10);
    assert.ok(between?.synced);
    assert.deepEqual(between.bids, s.bids.slice(0, 10));
  }
  assert.equal(at(store, steps[0]!.time - 1), undefined, 'before the first snapshot: no book');
  const byDefault = at(store, steps[5]!.time);
  assert.ok(byDefault?.synced);
  assert.equal(byDefault.bids.length, 10, 'depth defaults to 10');
});

test('a resync answers not synced, with its time and reason, until the next snapshot', async (t) => {
  const store = openStore(tempDir(t));
  t.after(() => store.close());
  const steps = evolveBook({ steps: 120, snapshotEvery: 50 });
  const breakAt = 70;
  const sink = sinkOn(store);
  for (const s of steps) {
    if (s === steps[breakAt]) {
      sink.write([{ type: 'book', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', kind: 'resync', timestamp: s.time - 10, localTimestamp: s.time - 10, bids: [], asks: [], reason: 'sequence gap: expected U 812, got 815' }]);
    }
    sink.write(s.records);
  }
  await sink.flush();
  for (const s of steps) {
    const book = at(store, s.time, 5);
    const i = steps.indexOf(s);
    if (i >= breakAt && i < 100) {
      assert.deepEqual(book, { synced: false, since: steps[breakAt]!.time - 10, reason: 'sequence gap: expected U 812, got 815' }, `step ${i}`);
    } else {
      assert.ok(book?.synced, `step ${i}`);
      assert.deepEqual(book.bids, s.bids.slice(0, 5), `step ${i}`);
    }
  }
  // the resync is in the stream, in its place
  const kinds = range(store, steps[breakAt - 1]!.time, steps[breakAt]!.time).map((r) => r.kind);
  assert.deepEqual(kinds, ['update', 'resync', 'update']);
});

test('ties at one timestamp keep arrival order, in bookAt and in the range', async (t) => {
  const store = openStore(tempDir(t));
  t.after(() => store.close());
  const T = 1_700_000_000_000;
  const rec = (kind: BookRecord['kind'], bids: BookRecord['bids'], sequence: number): BookRecord => ({
    type: 'book', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', kind, timestamp: T, localTimestamp: T + 1, sequence, bids, asks: [[101, 1]],
  });
  const sink = sinkOn(store);
  sink.write([rec('snapshot', [[100, 1], [99, 2]], 1), rec('update', [[100, 5]], 2)]);
  sink.write([rec('update', [[100, 7], [99, 0]], 3)]);
  await sink.flush();
  sink.write([rec('update', [[98.5, 3]], 4)]);
  await sink.flush();
  const book = at(store, T);
  assert.ok(book?.synced);
  assert.deepEqual(book.bids, [[100, 7], [98.5, 3]]);
  assert.equal(book.sequence, 4);
  assert.deepEqual(range(store).map((r) => r.sequence), [1, 2, 3, 4]);
});

test('reopened, the store appends after what an earlier process wrote (same timestamps, no key collision)', async (t) => {
  const dir = tempDir(t);
  const steps = evolveBook({ steps: 60, snapshotEvery: 20 });
  const first = openStore(dir);
  const sink1 = sinkOn(first);
  for (const s of steps.slice(0, 30)) sink1.write(s.records);
  await sink1.close();
  await first.close();

  const second = openStore(dir);
  t.after(() => second.close());
  const sink2 = sinkOn(second);
  // the next process starts with a record at the very time the last one was stored at
  const last = steps[29]!;
  const again: BookRecord = { type: 'book', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', kind: 'update', timestamp: last.time, localTimestamp: last.time, bids: [], asks: [] };
  sink2.write([again]);
  for (const s of steps.slice(30)) sink2.write(s.records);
  await sink2.close();
  const all = range(second);
  assert.equal(all.length, steps.reduce((n, s) => n + s.records.length, 0) + 1);
  for (let i = 1; i < all.length; i++) assert.ok(all[i]!.timestamp >= all[i - 1]!.timestamp);
  for (const s of steps) assert.deepEqual((at(second, s.time, 40) as { bids: unknown }).bids, s.bids.slice(0, 40));
});

test('a record older than the last stored one is kept in arrival order, its own timestamp intact', async (t) => {
  const store = openStore(tempDir(t));
  t.after(() => store.close());
  const T = 1_700_000_000_000;
  const base = { type: 'book', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' } as const;
  const sink = sinkOn(store);
  sink.write([
    { ...base, kind: 'snapshot', timestamp: T, localTimestamp: T, bids: [[10, 1]], asks: [] },
    { ...base, kind: 'update', timestamp: T + 100, localTimestamp: T + 101, bids: [[10, 2]], asks: [] },
    // a local-time resync stamped before the venue's last event time
    { ...base, kind: 'resync', timestamp: T + 90, localTimestamp: T + 90, bids: [], asks: [], reason: 'checksum mismatch' },
  ]);
  await sink.flush();
  assert.deepEqual(range(store).map((r) => [r.kind, r.timestamp]), [['snapshot', T], ['update', T + 100], ['resync', T + 90]]);
  assert.deepEqual(at(store, T + 100), { synced: false, since: T + 90, reason: 'checksum mismatch' });
  assert.ok(at(store, T + 99)?.synced);
});

test('--from/--to bounds: inclusive, in stored order, nothing outside', async (t) => {
  const store = openStore(tempDir(t));
  t.after(() => store.close());
  const steps = evolveBook({ steps: 50 });
  const sink = sinkOn(store);
  for (const s of steps) sink.write(s.records);
  await sink.flush();
  const from = steps[10]!.time;
  const to = steps[20]!.time;
  const got = range(store, from, to);
  const want = steps.slice(10, 21).flatMap((s) => s.records);
  assert.deepEqual(got, want);
  const asyncGot: BookRecord[] = [];
  for await (const r of storedBookRange(store.env, { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', from, to })) asyncGot.push(r);
  assert.deepEqual(asyncGot, want);
  assert.deepEqual(range(store, to + 1, to + 49), []);
  // another symbol's records never leak into the range
  assert.deepEqual([...storedBookRange(store.env, { exchange: 'binance', market: 'spot', symbol: 'ETH/USDT' })], []);
});

test('a store without books (never written, or opened read-only) answers "no book", never an error', async (t) => {
  const dir = tempDir(t);
  const writable = openStore(dir);
  await writable.writeBatch([{ type: 'trade', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', id: '1', price: 1, amount: 1, side: 'buy', timestamp: 1_700_000_000_000, localTimestamp: 1_700_000_000_001 }]);
  assert.equal(at(writable, 1_800_000_000_000), undefined);
  assert.deepEqual(range(writable), []);
  await writable.close();
  const readOnly = openHistoryStore({ path: dir, readOnly: true });
  t.after(() => readOnly.close());
  assert.equal(at(readOnly, 1_800_000_000_000), undefined);
  assert.deepEqual(range(readOnly), []);
});

test('two symbols written interleaved: each symbol keeps its own book, at every step, and the latest with time Infinity', async (t) => {
  const store = openStore(tempDir(t));
  t.after(() => store.close());
  const btc = evolveBook({ steps: 120, seed: 3, snapshotEvery: 30 });
  const eth = evolveBook({ steps: 120, seed: 11, snapshotEvery: 40, symbol: 'ETH/USDT' });
  const sink = sinkOn(store);
  for (let i = 0; i < btc.length; i++) sink.write([...btc[i]!.records, ...eth[i]!.records]);
  await sink.close();
  for (const [symbol, steps] of [['BTC/USDT', btc], ['ETH/USDT', eth]] as const) {
    for (const s of steps) {
      const book = storedBookAt(store.env, 'binance', 'spot', symbol, s.time, 40);
      assert.ok(book?.synced);
      assert.deepEqual([book.bids, book.asks], [s.bids, s.asks], `${symbol} at ${s.time}`);
    }
    const latest = storedBookAt(store.env, 'binance', 'spot', symbol, Number.POSITIVE_INFINITY, 40);
    assert.ok(latest?.synced);
    assert.deepEqual(latest.bids, steps.at(-1)!.bids);
  }
  assert.equal(storedBookAt(store.env, 'binance', 'spot', 'BTC/USDT', Number.NaN), undefined, 'no instant, no book');
});
