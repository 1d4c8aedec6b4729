import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BookRecord } from '../../src/records.js';
import { decodeBookValue, encodeBookValue } from '../../src/store/books/codec.js';
import { bookKey, openBookDbs } from '../../src/store/books/keys.js';
import { BookSink, openHistoryStore, StoreError, storedBookAt, storedBookRange } from '../../src/store/index.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { evolveBook } from './book-evolution.js';
import { tempDir } from './helpers.js';

const id = (r: BookRecord, keyTime = r.timestamp) => ({ exchange: r.exchange, market: r.market, symbol: r.symbol, keyTime });

/** equal bit for bit, -0 and NaN included (deepEqual's Object.is on numbers) */
function sameBits(a: unknown, b: unknown): void {
  assert.deepStrictEqual(a, b);
  const flat = (x: unknown): string => JSON.stringify(x, (_, v: unknown) => (Object.is(v, -0) ? "-0" : v));
  assert.equal(flat(a), flat(b));
}

test('every record of a real evolution comes back exactly, in a few bytes per level', () => {
  let bytes = 0;
  let levels = 0;
  for (const s of evolveBook({ steps: 200, snapshotEvery: 20 })) {
    for (const r of s.records) {
      const v = encodeBookValue(r, r.timestamp);
      sameBits(decodeBookValue(v, id(r)), r);
      bytes += v.length;
      levels += r.bids.length + r.asks.length;
    }
  }
  // 16 bytes a level as two float64s; decimal-scaled deltas do far better
  assert.ok(bytes / levels < 5, `${(bytes / levels).toFixed(2)} bytes a level`);
});

test('numbers that are no short decimals, odd sequences and times, a reason: lossless', () => {
  const T = 1_700_000_000_000;
  const cases: BookRecord[] = [
    { type: 'book', exchange: 'okx', market: 'futures', symbol: 'BTC/USDT:USDT', kind: 'update', timestamp: T + 0.25, localTimestamp: T + 3.5, sequence: 2 ** 60, bids: [[1 / 3, 5e-324], [0.1 + 0.2, -0]], asks: [[1e21, 123456789.123456789]] },
    { type: 'book', exchange: 'upbit', market: 'spot', symbol: 'BTC/KRW', kind: 'snapshot', timestamp: T, localTimestamp: T - 2, bids: [[97_123_000, 0.00012345]], asks: [] },
    { type: 'book', exchange: 'bybit', market: 'spot', symbol: 'ETH/USDT', kind: 'resync', timestamp: T, localTimestamp: T, sequence: -1, bids: [], asks: [], reason: 'checksum ≠ 0x1f — 断' },
    { type: 'book', exchange: 'binance', market: 'spot', symbol: 'X/Y', kind: 'update', timestamp: T, localTimestamp: T, sequence: 0, bids: [], asks: [] },
  ];
  for (const r of cases) sameBits(decodeBookValue(encodeBookValue(r, r.timestamp), id(r)), r);
  // a key time other than the record's (keys.ts raises it): the record keeps its own
  const late = cases[1]!;
  sameBits(decodeBookValue(encodeBookValue(late, T + 500), id(late, T + 500)), late);
});

test('a truncated or damaged value is refused with TV_ERR_STORE_CORRUPT_VALUE, never another error', () => {
  const steps = evolveBook({ steps: 30, snapshotEvery: 10 });
  const records = steps.flatMap((s) => s.records);
  records.push({ ...records[1]!, kind: 'resync', bids: [], asks: [], reason: 'gap' });
  let refused = 0;
  for (const r of records) {
    const v = encodeBookValue(r, r.timestamp);
    for (let n = 0; n < v.length; n++) {
      assert.throws(() => decodeBookValue(v.subarray(0, n), id(r)), (e: unknown) => e instanceof StoreError && e.code === 'TV_ERR_STORE_CORRUPT_VALUE', `prefix ${n}/${v.length}`);
      refused++;
    }
    assert.throws(() => decodeBookValue(Uint8Array.of(...v, 0), id(r)), /trailing bytes/);
    // every single byte flipped: a plausible record or the corrupt-value error, nothing else
    for (let i = 0; i < v.length; i++) {
      const bad = v.slice();
      bad[i] = bad[i]! ^ 0xa5;
      try {
        decodeBookValue(bad, id(r));
      } catch (e) {
        assert.ok(e instanceof StoreError && e.code === 'TV_ERR_STORE_CORRUPT_VALUE', String(e));
      }
    }
  }
  assert.ok(refused > 100);
  // a level count the bytes cannot hold is refused before anything is allocated
  assert.throws(() => decodeBookValue(Uint8Array.of(1, 1, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0), id(records[1]!)), /more levels than bytes/);
});

test('a corrupt stored value makes bookAt and the range read fail with the store code', async (t) => {
  const store = openHistoryStore({ path: tempDir(t), noSync: true });
  t.after(() => store.close());
  const steps = evolveBook({ steps: 20, snapshotEvery: 10 });
  const sink = new BookSink(store.env, { clock: new ManualClock(), durable: false });
  // two commits: two blocks, the second starting at step 10
  for (const s of steps.slice(0, 10)) sink.write(s.records);
  await sink.flush();
  for (const s of steps.slice(10)) sink.write(s.records);
  await sink.close();
  const time = steps[12]!.time;
  assert.ok(storedBookAt(store.env, 'binance', 'spot', 'BTC/USDT', time)?.synced);
  const dbs = openBookDbs(store.env);
  const secondBlock = bookKey('binance', 'spot', 'BTC/USDT', { time: steps[10]!.time, n: 0 });
  const whole = dbs.records.get(secondBlock)!;
  assert.equal(whole[0], 2, 'a block');
  await dbs.records.put(secondBlock, whole.subarray(0, whole.length - 3));
  const isCorrupt = (e: unknown) => e instanceof StoreError && e.code === 'TV_ERR_STORE_CORRUPT_VALUE';
  assert.throws(() => storedBookAt(store.env, 'binance', 'spot', 'BTC/USDT', time), isCorrupt);
  assert.throws(() => [...storedBookRange(store.env, { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' })], isCorrupt);
  // before the damage the book is still there
  assert.ok(storedBookAt(store.env, 'binance', 'spot', 'BTC/USDT', steps[4]!.time)?.synced);
  // a damaged one-record value (stores written before blocks) after the block, restored
  await dbs.records.put(secondBlock, whole);
  const after = steps[19]!.time + 1;
  assert.ok(storedBookAt(store.env, 'binance', 'spot', 'BTC/USDT', after)?.synced);
  await dbs.records.put(bookKey('binance', 'spot', 'BTC/USDT', { time: after, n: 0 }), Uint8Array.of(1, 1, 0, 0x80));
  assert.throws(() => storedBookAt(store.env, 'binance', 'spot', 'BTC/USDT', after), isCorrupt);
  // a damaged sync index entry too
  await dbs.syncs.put(bookKey('binance', 'spot', 'BTC/USDT', { time: steps[10]!.time, n: 1 }), Uint8Array.of(9));
  assert.throws(() => storedBookAt(store.env, 'binance', 'spot', 'BTC/USDT', steps[12]!.time), isCorrupt);
});
