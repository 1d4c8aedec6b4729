/**
 * Issue 10, row 9: keys are [exchange, market, symbol, type, timestamp, id], so one trade id with
 * two timestamps (REST vs WebSocket, or a restarted simulator reusing ids) used to be stored twice.
 * The store now refuses a second copy of an id whatever its timestamp.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { open, type Key } from 'lmdb';
import { migrateStore, openHistoryStore } from '../../src/store/index.js';
import { encodeTrade, ValueScratch } from '../../src/store/v1/codec.js';
import { cursorKey } from '../../src/store/keys.js';
import { v1TradeKey as tradeKey } from '../../src/store/v1/keys.js';
import type { Trade } from '../../src/records.js';
import { collect, tempDir, trade } from './helpers.js';

const q = { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'trade' } as const;
const ids = (rs: readonly { type: string }[]) => rs.map((r) => (r as Trade).id);

describe('one trade id is stored once', () => {
  test('a numeric id seen again with another timestamp is a duplicate, across batches, within a batch and after reopening', async (t) => {
    const path = tempDir(t);
    let store = openHistoryStore({ path, noSync: true });
    assert.deepEqual(await store.writeBatch([trade('100', 1000), trade('101', 1001)]), { written: 2, duplicates: 0 });
    // REST says 100 happened a millisecond later, WebSocket said 1000: still the same trade
    assert.deepEqual(await store.writeBatch([trade('100', 1001), trade('101', 999, { price: 1 })]), { written: 0, duplicates: 2 });
    // within one batch
    assert.deepEqual(await store.writeBatch([trade('102', 1002), trade('102', 1005)]), { written: 1, duplicates: 1 });
    await store.close();
    store = openHistoryStore({ path, noSync: true });
    assert.deepEqual(await store.writeBatch([trade('101', 5000), trade('103', 1003)]), { written: 1, duplicates: 1 });
    assert.deepEqual(ids(await collect(store.readRange(q))), ['100', '101', '102', '103']);
    assert.equal(store.readCursor('binance', 'spot', 'BTC/USDT')?.count, 4);
    await store.close();
  });

  test('a restarted exchange replaying old ids at new times stores nothing twice, while a backfilled hole is filled', async (t) => {
    const path = tempDir(t);
    const store = openHistoryStore({ path, noSync: true });
    // 5,000 trades with a hole at 2,000–2,009 (dropped frames), spanning several id blocks
    const live = Array.from({ length: 5000 }, (_, i) => trade(String(10_000 + i), 1_000_000 + i * 3)).filter(
      (tr) => Number(tr.id) < 12_000 || Number(tr.id) >= 12_010,
    );
    for (let i = 0; i < live.length; i += 1000) await store.writeBatch(live.slice(i, i + 1000));
    // the replay: ids 10,000–14,999 again, an hour later; plus the ten missing ones
    const replay = Array.from({ length: 5000 }, (_, i) => trade(String(10_000 + i), 4_600_000 + i));
    const res = await store.writeBatch(replay);
    assert.deepEqual(res, { written: 10, duplicates: 4990 });
    const stored = await collect(store.readRange(q));
    assert.equal(stored.length, 5000);
    assert.equal(new Set(ids(stored)).size, 5000);
    await store.close();
  });

  test('string ids (Bybit UUIDs, Upbit ids past 2^53) are compared exactly, never as numbers', async (t) => {
    const path = tempDir(t);
    const store = openHistoryStore({ path, noSync: true });
    const bybit = { exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT' } as const;
    const uuid = '2100000000007764263';
    const a = '9007199254740993'; // 2^53 + 1: as a Number it would equal 2^53
    const b = '9007199254740992';
    assert.deepEqual(
      await store.writeBatch([trade(uuid, 1000, bybit), trade('c0ffee00-1111-4222-8333-444455556666', 1000, bybit), trade(a, 1001, bybit), trade(b, 1001, bybit)]),
      { written: 4, duplicates: 0 },
    );
    assert.deepEqual(
      await store.writeBatch([trade('c0ffee00-1111-4222-8333-444455556666', 2000, bybit), trade(a, 3000, bybit), trade(uuid, 999, bybit)]),
      { written: 0, duplicates: 3 },
    );
    assert.equal((await collect(store.readRange({ ...bybit, type: 'trade' }))).length, 4);
    await store.close();
  });

  test('a 0.1 store written before the id check is refused until migrated, and from then on refuses a second copy of its ids', async (t) => {
    const path = tempDir(t);
    // the layout stores had before the id check: records and cursors only, no id bookkeeping
    const old = open({ path, maxDbs: 4 });
    const records = old.openDB<Uint8Array, Key>({ name: 'records', encoding: 'binary' });
    const cursors = old.openDB<object, Key>({ name: 'cursors', encoding: 'msgpack' });
    const scratch = new ValueScratch();
    const trades = [trade('1', 100), trade('2', 101), trade('a-uuid', 102, { symbol: 'ETH/USDT' })];
    await old.transaction(() => {
      for (const tr of trades) records.putSync(tradeKey(tr), Buffer.from(encodeTrade(tr, scratch)));
      cursors.putSync(cursorKey('binance', 'spot', 'BTC/USDT'), { lastTradeId: '2', lastTimestamp: 101, count: 2 });
      cursors.putSync(cursorKey('binance', 'spot', 'ETH/USDT'), { lastTradeId: 'a-uuid', lastTimestamp: 102, count: 1 });
    });
    await old.close();

    assert.throws(() => openHistoryStore({ path, noSync: true }), { code: 'TV_ERR_STORE_FORMAT' });
    assert.deepEqual(await migrateStore(path), { status: 'migrated', trades: 3, tickers: 0, symbols: 2 });
    const store = openHistoryStore({ path, noSync: true });
    assert.deepEqual(await collect(store.readRange(q)), [trade('1', 100), trade('2', 101)]);
    assert.deepEqual(store.readCursor('binance', 'spot', 'BTC/USDT'), { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', lastTradeId: '2', lastTimestamp: 101, count: 2 });
    assert.deepEqual(
      await store.writeBatch([trade('1', 500), trade('a-uuid', 700, { symbol: 'ETH/USDT' }), trade('3', 102)]),
      { written: 1, duplicates: 2 },
    );
    await store.close();
  });
});
