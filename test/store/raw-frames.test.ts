/** Raw frames: kept in order with their connection, pruned by age and by size (oldest first), bounded in memory. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHistoryStore } from '../../src/store/index.js';
import { listingAt, openRawDbs, RawFrameWriter, readRawFrames } from '../../src/store/raw-frames.js';

const dirs: string[] = [];
function store() {
  const dir = mkdtempSync(join(tmpdir(), 'tv-raw-'));
  dirs.push(dir);
  return openHistoryStore({ path: dir, noSync: true });
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const HOUR = 3600_000;
const T0 = 1_700_000_000_000;

describe('raw frames', () => {
  test('every frame is kept with its receive time and connection, per venue in time order; ranges narrow the read', async () => {
    const s = store();
    const w = new RawFrameWriter(s.env, { maxAgeMs: 24 * HOUR, maxBytes: 1 << 30, now: () => T0 });
    w.add('okx', 'spot', '{"b":2}', T0 + 2, 'c2');
    w.add('okx', 'spot', '{"a":1}', T0 + 1, 'c1');
    w.add('okx', 'spot', '{"a":1}', T0 + 1, 'c1'); // the same frame twice in one ms: both kept
    w.add('binance', 'spot', Buffer.from('{"bin":1}'), T0 + 5, 'c3');
    await w.close();
    const { frames } = openRawDbs(s.env);
    const all = [...readRawFrames(frames)].map((f) => [f.exchange, f.market, f.receivedAt, f.connection, f.frame]);
    assert.deepEqual(all, [
      ['binance', 'spot', T0 + 5, 'c3', '{"bin":1}'],
      ['okx', 'spot', T0 + 1, 'c1', '{"a":1}'],
      ['okx', 'spot', T0 + 1, 'c1', '{"a":1}'],
      ['okx', 'spot', T0 + 2, 'c2', '{"b":2}'],
    ]);
    assert.deepEqual([...readRawFrames(frames, { exchange: 'okx', from: T0 + 2 })].map((f) => f.frame), ['{"b":2}']);
    assert.deepEqual([...readRawFrames(frames, { to: T0 + 1 })].map((f) => f.receivedAt), [T0 + 1, T0 + 1]);
    assert.equal(w.stats.written, 4);
    await s.close();
  });

  test('frames older than rawMaxAgeMs are pruned; newer ones stay', async () => {
    const s = store();
    let now = T0;
    const w = new RawFrameWriter(s.env, { maxAgeMs: 10 * HOUR, maxBytes: 1 << 30, now: () => now, pruneEveryMs: 3_600_000 });
    for (let h = 0; h < 5; h++) w.add('okx', 'spot', `{"h":${h}}`, T0 + h * HOUR, 'c');
    for (let h = 0; h < 5; h++) w.add('bybit', 'spot', `{"h":${h}}`, T0 + h * HOUR + 1, 'c');
    await w.flush();
    now = T0 + 12.5 * HOUR; // cutoff T0 + 2.5 h
    await w.prune();
    const left = [...readRawFrames(openRawDbs(s.env).frames)].map((f) => `${f.exchange}:${f.frame}`);
    assert.deepEqual(left, ['bybit:{"h":3}', 'bybit:{"h":4}', 'okx:{"h":3}', 'okx:{"h":4}']);
    assert.equal(w.stats.pruned, 6);
    await w.close();
    await s.close();
  });

  test('beyond rawMaxBytes the oldest frames of all venues go first', async () => {
    const s = store();
    const pad = 'x'.repeat(1000);
    const w = new RawFrameWriter(s.env, { maxAgeMs: 1e12, maxBytes: 5_000, now: () => T0, pruneEveryMs: 3_600_000 });
    // interleaved in time: okx at even ms, bybit at odd ms
    for (let i = 0; i < 10; i++) w.add(i % 2 === 0 ? 'okx' : 'bybit', 'spot', `${i}${pad}`, T0 + i, 'c');
    await w.flush();
    await w.prune();
    const left = [...readRawFrames(openRawDbs(s.env).frames)].map((f) => f.receivedAt - T0).sort((a, b) => a - b);
    assert.ok(left.length >= 3 && left.length <= 5, `kept ${left.length}`);
    // what is left is the newest: a contiguous run up to the last frame
    assert.deepEqual(left, Array.from({ length: left.length }, (_, k) => 10 - left.length + k));
    await w.close();
    await s.close();
  });

  test('while a commit cannot keep up, frames past the memory bound are dropped and counted, never held', async () => {
    const s = store();
    const w = new RawFrameWriter(s.env, { maxAgeMs: 1e12, maxBytes: 1 << 30, maxPendingFrames: 3, flushMs: 60_000 });
    for (let i = 0; i < 5; i++) w.add('okx', 'spot', `{"i":${i}}`, T0 + i, 'c');
    assert.equal(w.stats.dropped, 2);
    await w.close();
    assert.equal([...readRawFrames(openRawDbs(s.env).frames)].length, 3);
    await s.close();
  });

  test('a listing is kept when it changes, and the one in force at a time is found', async () => {
    const s = store();
    const w = new RawFrameWriter(s.env, { maxAgeMs: 1e12, maxBytes: 1 << 30 });
    const a = [{ symbol: 'BTC/USDT:USDT', nativeId: 'BTC-USDT-SWAP', base: 'BTC', quote: 'USDT', active: true, contractSize: 0.01 }];
    const b = [{ ...a[0]!, contractSize: 0.001 }];
    w.listing('okx', 'futures', T0, a);
    w.listing('okx', 'futures', T0 + 10, a); // unchanged: not kept again
    w.listing('okx', 'futures', T0 + 20, b);
    await w.close();
    const { listings } = openRawDbs(s.env);
    assert.equal([...listings.getRange({})].length, 2);
    assert.equal(listingAt(listings, 'okx', 'futures', T0 - 5)?.[0]?.contractSize, 0.01, 'before the first: the first');
    assert.equal(listingAt(listings, 'okx', 'futures', T0 + 15)?.[0]?.contractSize, 0.01);
    assert.equal(listingAt(listings, 'okx', 'futures', T0 + 20)?.[0]?.contractSize, 0.001);
    assert.equal(listingAt(listings, 'okx', 'spot', T0), undefined);
    await s.close();
  });
});
