import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Key } from 'lmdb';
import type { BookRecord } from '../../src/records.js';
import { blockRecord, decodeBookBlock, encodeBookRecordsBlock, MAX_BLOCK_RECORDS } from '../../src/store/books/block-codec.js';
import { decodeBookValue, encodeBookValue, KIND_CODE } from '../../src/store/books/codec.js';
import { bookKey, bookPrefix, lastBookKey, nextBookKey, openBookDbs, type BookKey } from '../../src/store/books/keys.js';
import { BookSink, listBookSeries, openHistoryStore, StoreError, storedBookAt, storedBookRange, type OpenedHistoryStore } from '../../src/store/index.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { evolveBook, type EvolutionStep } from './book-evolution.js';
import { tempDir } from './helpers.js';

const T = 1_700_000_000_000;
const SYMBOL = { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' } as const;

/** equal bit for bit, -0 included (deepStrictEqual uses Object.is on numbers) */
function sameBits(a: unknown, b: unknown, message?: string): void {
  assert.deepStrictEqual(a, b, message);
}

/** the keys the store gives records appended after `last` (keys.ts's rule) */
function keysOf(records: readonly BookRecord[], last?: BookKey): BookKey[] {
  const out: BookKey[] = [];
  let k = last;
  for (const r of records) out.push((k = nextBookKey(k, r.timestamp)));
  return out;
}

function roundTrip(records: readonly BookRecord[]): void {
  const keys = keysOf(records);
  const value = encodeBookRecordsBlock(records, keys, 0, records.length);
  assert.equal(value[0], 2, 'a block starts with its version byte');
  const block = decodeBookBlock(value, keys[0]!);
  assert.equal(block.count, records.length);
  for (let i = 0; i < records.length; i++) {
    sameBits(blockRecord(block, i, SYMBOL), { ...records[i], ...SYMBOL }, `record ${i}`);
    assert.deepEqual([block.keyTimes[i], block.keyNs[i]], [keys[i]!.time, keys[i]!.n], `key ${i}`);
  }
}

const base = { type: 'book', ...SYMBOL } as const;
const odd: BookRecord[] = [
  { ...base, kind: 'snapshot', timestamp: T, localTimestamp: T + 3, sequence: 100, bids: [[97_000.5, 1.25], [96_999, 0.001]], asks: [[97_001, 3]] },
  // empty sides, no sequence
  { ...base, kind: 'update', timestamp: T, localTimestamp: T + 4, bids: [], asks: [] },
  // non-integer and huge sequences, numbers that are no short decimals, -0
  { ...base, kind: 'update', timestamp: T + 0.25, localTimestamp: T + 3.5, sequence: 100.5, bids: [[1 / 3, 5e-324], [0.1 + 0.2, -0]], asks: [[1e21, 123456789.123456789]] },
  { ...base, kind: 'update', timestamp: T + 1, localTimestamp: T - 7, sequence: 2 ** 60, bids: [[97_000.5, 0]], asks: [] },
  // a record whose time went back: keyed at the last time, its own timestamp kept
  { ...base, kind: 'resync', timestamp: T - 50, localTimestamp: T - 50, bids: [], asks: [], reason: 'checksum ≠ 0x1f — 断' },
  { ...base, kind: 'update', timestamp: T + 1, localTimestamp: T + 1, sequence: -1, bids: [], asks: [[97_002, 2]], reason: '' },
  { ...base, kind: 'snapshot', timestamp: T + 2, localTimestamp: T + 2, sequence: -0, bids: [[97_000, 1]], asks: [[97_002, 2]] },
];

test('a block gives back every record bit for bit, keys included: odd numbers, empty sides, reasons, ties, times that go back', () => {
  roundTrip(odd);
  for (let i = 0; i < odd.length; i++) roundTrip(odd.slice(i, i + 1));
  roundTrip(odd.slice(1, 5));
  // a real evolution, with a snapshot every few steps (ties at those steps)
  const real = evolveBook({ steps: 300, snapshotEvery: 25 }).flatMap((s) => s.records);
  roundTrip(real);
  roundTrip(real.slice(0, 256));
  // the real records, each a few bytes a level, far under the one-record values' size
  const keys = keysOf(real);
  const blockBytes = encodeBookRecordsBlock(real, keys, 0, real.length).length;
  const oneByOne = real.reduce((n, r, i) => n + encodeBookValue(r, keys[i]!.time).length, 0);
  assert.ok(blockBytes < oneByOne, `${blockBytes} bytes as a block, ${oneByOne} one by one`);
});

test('a block is refused when its keys do not follow the store\'s rule, or it has no records or too many', () => {
  const rs = odd.slice(0, 3);
  const keys = keysOf(rs);
  const isInvalid = (e: unknown) => e instanceof StoreError && e.code === 'TV_ERR_STORE_INVALID_RECORD';
  assert.throws(() => encodeBookRecordsBlock(rs, [keys[0]!, { time: keys[1]!.time, n: 5 }, keys[2]!], 0, 3), isInvalid);
  assert.throws(() => encodeBookRecordsBlock(rs, [keys[1]!, keys[0]!, keys[2]!], 0, 3), isInvalid);
  assert.throws(() => encodeBookRecordsBlock(rs, keys, 1, 1), isInvalid);
  const many = Array.from({ length: MAX_BLOCK_RECORDS + 1 }, () => odd[1]!);
  assert.throws(() => encodeBookRecordsBlock(many, keysOf(many), 0, many.length), isInvalid);
});

test('a truncated or damaged block is refused with TV_ERR_STORE_CORRUPT_VALUE, never another error', () => {
  const rs = [...odd, ...evolveBook({ steps: 12, snapshotEvery: 5 }).flatMap((s) => s.records.map((r) => ({ ...r, timestamp: r.timestamp + 10 })))];
  const keys = keysOf(rs);
  const value = encodeBookRecordsBlock(rs, keys, 0, rs.length);
  const isCorrupt = (e: unknown) => e instanceof StoreError && e.code === 'TV_ERR_STORE_CORRUPT_VALUE';
  for (let n = 0; n < value.length; n++) assert.throws(() => decodeBookBlock(value.subarray(0, n), keys[0]!), isCorrupt, `prefix ${n}/${value.length}`);
  assert.throws(() => decodeBookBlock(Uint8Array.of(...value, 0), keys[0]!), /trailing bytes/);
  // the block's own key must be its first record's
  assert.throws(() => decodeBookBlock(value, { time: keys[0]!.time + 1, n: 0 }), isCorrupt);
  for (let i = 0; i < value.length; i++) {
    const bad = value.slice();
    bad[i] = bad[i]! ^ 0xa5;
    try {
      decodeBookBlock(bad, keys[0]!);
    } catch (e) {
      assert.ok(isCorrupt(e), `byte ${i}: ${String(e)}`);
    }
  }
});

test('the one-record decoder (what the earlier tickvisor reads books with) refuses a block as a corrupt value, never misreads it', () => {
  const keys = keysOf(odd);
  const block = encodeBookRecordsBlock(odd, keys, 0, odd.length);
  assert.throws(() => decodeBookValue(block, { ...SYMBOL, keyTime: keys[0]!.time }), (e: unknown) => e instanceof StoreError && e.code === 'TV_ERR_STORE_CORRUPT_VALUE' && /unknown version/.test(e.message));
});

function openStore(path: string): OpenedHistoryStore {
  return openHistoryStore({ path, noSync: true });
}

const bookAtTime = (store: OpenedHistoryStore, time: number, depth = 40) => storedBookAt(store.env, 'binance', 'spot', 'BTC/USDT', time, depth);
const allRecords = (store: OpenedHistoryStore) => [...storedBookRange(store.env, SYMBOL)];

/** how many stored values start with each version byte (1: one record, 2: a block) */
function valueVersions(store: OpenedHistoryStore): Record<number, number> {
  const out: Record<number, number> = {};
  const dbs = openBookDbs(store.env);
  for (const { value } of dbs.records.getRange({ start: bookPrefix('binance', 'spot', 'BTC/USDT'), end: [...bookPrefix('binance', 'spot', 'BTC/USDT'), new Uint8Array([0xff])] as Key })) {
    out[value[0]!] = (out[value[0]!] ?? 0) + 1;
  }
  return out;
}

function assertBooks(store: OpenedHistoryStore, steps: readonly EvolutionStep[]): void {
  for (const s of steps) {
    for (const time of [s.time, s.time + 50]) {
      const book = bookAtTime(store, time);
      assert.ok(book?.synced, `synced at ${time}`);
      assert.deepEqual([book.bids, book.asks], [s.bids, s.asks], `book at ${time}`);
      assert.equal(book.timestamp, s.time);
    }
  }
}

test('a store holding one-record values (written by the earlier encoder) and then blocks reads back in order, and bookAt equals the true book at every step', async (t) => {
  const store = openStore(tempDir(t));
  t.after(() => store.close());
  const steps = evolveBook({ steps: 200, snapshotEvery: 25 });
  const old = steps.slice(0, 80).flatMap((s) => s.records);
  // what tickvisor wrote before blocks: one value per record, the sync index beside it
  const dbs = openBookDbs(store.env);
  const oldKeys = keysOf(old);
  await dbs.records.transaction(() => {
    old.forEach((r, i) => {
      const key = bookKey('binance', 'spot', 'BTC/USDT', oldKeys[i]!);
      dbs.records.putSync(key, encodeBookValue(r, oldKeys[i]!.time));
      if (r.kind !== 'update') dbs.syncs.putSync(key, Uint8Array.of(KIND_CODE[r.kind]));
    });
  });
  // then the block writer continues the same symbol, a few commits
  const sink = new BookSink(store.env, { clock: new ManualClock(), durable: false });
  for (let i = 80; i < steps.length; i += 30) {
    for (const s of steps.slice(i, i + 30)) sink.write(s.records);
    await sink.flush();
  }
  await sink.close();
  const versions = valueVersions(store);
  assert.equal(versions[1], old.length, 'the old values are still there');
  assert.equal(versions[2], 4, 'one block per commit');
  sameBits(allRecords(store), steps.flatMap((s) => s.records));
  assertBooks(store, steps);
  // a range starting inside a block and ending inside the next
  const from = steps[95]!.time;
  const to = steps[150]!.time;
  sameBits([...storedBookRange(store.env, { ...SYMBOL, from, to })], steps.slice(95, 151).flatMap((s) => s.records));
  // the last RECORD's key, not the last block's
  const every = steps.flatMap((s) => s.records);
  const want = keysOf(every).at(-1)!;
  assert.deepEqual(lastBookKey(dbs.records, 'binance', 'spot', 'BTC/USDT'), want);
  assert.ok(versions[2]! < every.length - old.length);
  // what query --list shows: every record counted, old values one block each
  assert.deepEqual(listBookSeries(store.env), [{ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', records: every.length, blocks: old.length + 4, first: steps[0]!.time, last: want.time }]);
});

test('bookAt at instants inside one block (every record of the store in it), and lastBookKey across it, ties included', async (t) => {
  const store = openStore(tempDir(t));
  t.after(() => store.close());
  const steps = evolveBook({ steps: 120, snapshotEvery: 40 });
  const sink = new BookSink(store.env, { clock: new ManualClock(), durable: false });
  for (const s of steps) sink.write(s.records);
  // two more records at the last time: the last key is (time, 2)
  const last = steps.at(-1)!;
  const tie: BookRecord = { ...base, kind: 'update', timestamp: last.time, localTimestamp: last.time + 9, bids: [], asks: [] };
  sink.write([tie, tie]);
  await sink.close();
  assert.deepEqual(valueVersions(store), { 2: 1 }, 'one block');
  assertBooks(store, steps);
  assert.equal(bookAtTime(store, steps[0]!.time - 1), undefined);
  assert.deepEqual(lastBookKey(openBookDbs(store.env).records, 'binance', 'spot', 'BTC/USDT'), { time: last.time, n: 2 });
});

test('a block is cut at its record bound: many blocks for one commit, read back as one stream', async (t) => {
  const store = openStore(tempDir(t));
  t.after(() => store.close());
  const steps = evolveBook({ steps: 700, snapshotEvery: 100 });
  const sink = new BookSink(store.env, { clock: new ManualClock(), durable: false });
  for (const s of steps) sink.write(s.records);
  await sink.close();
  const records = steps.flatMap((s) => s.records);
  assert.equal(valueVersions(store)[2], Math.ceil(records.length / 256));
  sameBits(allRecords(store), records);
  assertBooks(store, steps.filter((_, i) => i % 7 === 0));
});

const writer = fileURLToPath(new URL('./fixtures/book-crash-writer.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const STEPS = 3000;
const PER_BATCH = 40;

/** starts the writer and SIGKILLs it as soon as it reports `killAfter` commits (mid-way through the next) */
function runAndKill(path: string, killAfter: number, t: { after: (fn: () => void) => void }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, path, String(STEPS), String(PER_BATCH)], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let lastCommitted = -1;
    let pending = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) lastCommitted = Number(line);
      if (lastCommitted + 1 >= killAfter && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${code}): ${stderr}`));
      else resolve(lastCommitted);
    });
  });
}

test('killed between commits: every committed batch is whole and readable, nothing of a batch is half there', { timeout: 120_000 }, async (t) => {
  const path = tempDir(t);
  const reported = await runAndKill(path, 6, t);
  assert.ok(reported >= 5, `writer reported ${reported}`);
  const steps = evolveBook({ steps: STEPS, snapshotEvery: 37 });
  const store = openStore(path);
  t.after(() => store.close());
  const got = allRecords(store);
  // a prefix of whole batches: at least what was reported, maybe the one in flight, never part of one
  const batchEnds = [0];
  for (let n = 0; n * PER_BATCH < steps.length; n++) batchEnds.push(batchEnds.at(-1)! + steps.slice(n * PER_BATCH, (n + 1) * PER_BATCH).reduce((k, s) => k + s.records.length, 0));
  const whole = batchEnds.indexOf(got.length);
  assert.ok(whole >= reported + 1, `${got.length} records stored: ${whole} whole batches, ${reported + 1} reported`);
  const storedSteps = steps.slice(0, whole * PER_BATCH);
  sameBits(got, storedSteps.flatMap((s) => s.records));
  assertBooks(store, storedSteps.filter((_, i) => i % 11 === 0 || i === storedSteps.length - 1));
});

test('the sink copies a record when it is written: changing the caller\'s objects afterwards changes nothing stored', async (t) => {
  const store = openStore(tempDir(t));
  t.after(() => store.close());
  const sink = new BookSink(store.env, { clock: new ManualClock(), durable: false });
  const snapshot: BookRecord = { ...base, kind: 'snapshot', timestamp: T, localTimestamp: T + 1, sequence: 7, bids: [[100, 1], [99, 2]], asks: [[101, 3]] };
  const want = structuredClone(snapshot);
  sink.write([snapshot]);
  assert.equal(sink.pendingRecords, 1);
  // the live path reuses nothing, but a caller that did could not corrupt what is held
  snapshot.bids[0]![1] = 42;
  snapshot.asks.length = 0;
  snapshot.sequence = 8;
  await sink.close();
  sameBits(allRecords(store), [want]);
});
