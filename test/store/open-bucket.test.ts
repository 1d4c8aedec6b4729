/**
 * A live batch puts one value per symbol besides its block: the cursor, which carries the trade
 * tail, while the id bucket live ids go into stays "open" in `idBlocks` (+Infinity highest) and is
 * not written again until it closes or its lowest timestamp drops. These tests hold that to what
 * it must keep: every id once, whatever timestamp it comes back with, across open and closed
 * buckets, reopenings, and stores whose cursors were written before the tail moved into them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Key } from 'lmdb';
import { openHistoryStore, type OpenedHistoryStore } from '../../src/store/index.js';
import type { TailState } from '../../src/store/block-store.js';
import { ID_BLOCK } from '../../src/store/id-guard.js';
import type { StoredCursor } from '../../src/store/write.js';
import type { Trade } from '../../src/records.js';
import { collect, tempDir, trade } from './helpers.js';

const prefix = ['binance', 'spot', 'BTC/USDT'];
const q = { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'trade' } as const;
const BASE = 50 * ID_BLOCK;

function dbs(store: OpenedHistoryStore) {
  return {
    idBlocks: store.env.openDB<Uint8Array, Key>({ name: 'idBlocks', encoding: 'binary' }),
    cursors: store.env.openDB<StoredCursor, Key>({ name: 'cursors', encoding: 'msgpack' }),
    tails: store.env.openDB<TailState, Key>({ name: 'tails', encoding: 'msgpack' }),
  };
}

/** every bucket entry of the symbol: bucket → [lowest, highest] */
function buckets(store: OpenedHistoryStore): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const { key, value } of dbs(store).idBlocks.getRange({ start: [...prefix, 'trade'], end: [...prefix, 'trade', new Uint8Array([0xff])] })) {
    const b = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    out.set((key as Key[])[4] as number, [b.readDoubleLE(0), b.readDoubleLE(8)]);
  }
  return out;
}

/** live trades: id BASE + i at 1,000,000 + 2i */
const live = (from: number, to: number): Trade[] => Array.from({ length: to - from }, (_, k) => trade(String(BASE + from + k), 1_000_000 + 2 * (from + k)));

async function writeLive(store: OpenedHistoryStore, from: number, to: number, perBatch: number): Promise<void> {
  for (let i = from; i < to; i += perBatch) {
    assert.deepEqual(await store.writeBatch(live(i, Math.min(to, i + perBatch))), { written: Math.min(to, i + perBatch) - i, duplicates: 0 });
  }
}

/** every bucket's range holds the timestamps of its ids as stored */
async function assertBucketsCover(store: OpenedHistoryStore): Promise<void> {
  const entries = buckets(store);
  for (const r of await collect(store.readRange(q))) {
    const t = r as Trade;
    const range = entries.get(Math.floor(Number(t.id) / ID_BLOCK));
    assert.ok(range !== undefined && range[0] <= t.timestamp && t.timestamp <= range[1], `id ${t.id} at ${t.timestamp} outside its bucket's ${String(range)}`);
  }
}

describe('open id buckets and the trade tail in the cursor', () => {
  test('live batches leave the newest bucket open and close the ones the ids leave; replays under any timestamp are refused', async (t) => {
    const path = tempDir(t);
    let store = openHistoryStore({ path, noSync: true });
    await writeLive(store, 0, 2500, 7);
    const entries = buckets(store);
    assert.deepEqual([...entries.keys()], [50, 51, 52]);
    assert.equal(entries.get(52)?.[1], Infinity, 'the bucket live ids go into is open');
    assert.ok(Number.isFinite(entries.get(50)?.[1]) && Number.isFinite(entries.get(51)?.[1]), 'left buckets are closed');
    await assertBucketsCover(store);
    const cursor = dbs(store).cursors.get(prefix);
    assert.deepEqual(cursor?.openBucket, [52, 1_000_000 + 2 * (2 * ID_BLOCK)]);
    assert.ok(cursor?.tail !== undefined && cursor.tail.blocks > 0, 'the trade tail is in the cursor');
    assert.equal(dbs(store).tails.get([...prefix, 'trade']), undefined, 'and nowhere else');

    // replays: each bucket, earlier and later timestamps, in the open bucket too, within the cache and after reopening
    const replay = (ts: number) => [0, 500, 1023, 1024, 1500, 2047, 2048, 2300, 2499].map((i) => trade(String(BASE + i), ts + i));
    assert.deepEqual(await store.writeBatch(replay(10)), { written: 0, duplicates: 9 });
    assert.deepEqual(await store.writeBatch(replay(9_000_000)), { written: 0, duplicates: 9 });
    await store.close();
    store = openHistoryStore({ path, noSync: true });
    assert.deepEqual(await store.writeBatch(replay(10)), { written: 0, duplicates: 9 });
    await writeLive(store, 2500, 3200, 50);
    assert.deepEqual(await store.writeBatch(replay(9_000_000)), { written: 0, duplicates: 9 });
    await assertBucketsCover(store);
    assert.equal((await collect(store.readRange(q))).length, 3200);
    await store.close();
  });

  test("an id new to the open bucket, older than its lowest timestamp, lowers it: that id is found again too", async (t) => {
    const path = tempDir(t);
    const store = openHistoryStore({ path, noSync: true });
    // ids BASE+0 … BASE+99 stored except BASE+40, which arrives late with an earlier timestamp than any
    await writeLive(store, 0, 40, 10);
    await writeLive(store, 41, 100, 10);
    const late = trade(String(BASE + 40), 5);
    assert.deepEqual(await store.writeBatch([late]), { written: 1, duplicates: 0 });
    assert.deepEqual(buckets(store).get(50), [5, Infinity]);
    assert.deepEqual(dbs(store).cursors.get(prefix)?.openBucket, [50, 5]);
    assert.deepEqual(await store.writeBatch([trade(String(BASE + 40), 7_000_000), trade(String(BASE + 40), 1)]), { written: 0, duplicates: 2 });
    await store.close();
  });

  test('a store whose cursors and buckets were written before this layout (tail in `tails`, exact bucket entries) is read both ways and kept exact', async (t) => {
    const path = tempDir(t);
    let store = openHistoryStore({ path, noSync: true });
    await writeLive(store, 0, 1500, 9);
    await store.close();
    // rewrite it as the previous writer left it: no tail nor open bucket in the cursor, the tail in
    // `tails`, every bucket's highest the highest timestamp stored in it
    store = openHistoryStore({ path, noSync: true });
    const d = dbs(store);
    const cursor = d.cursors.get(prefix) as StoredCursor;
    const { tail, openBucket, ...old } = cursor;
    assert.ok(tail !== undefined && openBucket !== undefined);
    const stored = (await collect(store.readRange(q))) as Trade[];
    const highest = Math.max(...stored.filter((tr) => Math.floor(Number(tr.id) / ID_BLOCK) === openBucket[0]).map((tr) => tr.timestamp));
    await store.env.transaction(() => {
      d.cursors.putSync(prefix, old);
      d.tails.putSync([...prefix, 'trade'], tail);
      d.idBlocks.putSync([...prefix, 'trade', openBucket[0]], Buffer.from(new Float64Array([openBucket[1], highest]).buffer));
    });
    await store.close();

    store = openHistoryStore({ path, noSync: true });
    assert.deepEqual(await store.writeBatch([trade(String(BASE + 1400), 1), trade(String(BASE + 3), 9_000_000)]), { written: 0, duplicates: 2 });
    await writeLive(store, 1500, 2600, 13);
    assert.deepEqual(await store.writeBatch([trade(String(BASE + 1400), 1), trade(String(BASE + 2500), 9_000_000)]), { written: 0, duplicates: 2 });
    await assertBucketsCover(store);
    const after = dbs(store).cursors.get(prefix);
    assert.equal(after?.count, 2600);
    assert.ok(after?.tail !== undefined, 'the tail moved into the cursor at its first write');
    const ids = ((await collect(store.readRange(q))) as Trade[]).map((tr) => Number(tr.id) - BASE);
    assert.deepEqual(ids, Array.from({ length: 2600 }, (_, i) => i));
    await store.close();
  });
});
