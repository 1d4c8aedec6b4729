import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Key } from 'lmdb';
import { openHistoryStore } from '../../src/store/index.js';
import { collect, tempDir, trade } from './helpers.js';

const eth = { symbol: 'ETH/USDT' } as const;

describe('the writer keeps cursors and tails between batches', () => {
  test('a failed transaction leaves nothing of itself behind: the next batches count and append from the disk', async (t) => {
    const path = tempDir(t);
    const store = openHistoryStore({ path, noSync: true });
    await store.writeBatch([trade('10', 1000), trade('1', 1000, eth)]);
    // a broken BTC block: the batch below writes ETH (cursor, tail) first, then fails on BTC's older trade
    const blocks = store.env.openDB<Uint8Array, Key>({ name: 'tradeBlocks', encoding: 'binary' });
    await blocks.put(['binance', 'spot', 'BTC/USDT', 1000, 10], new Uint8Array([1, 5, 0, 0]));
    await assert.rejects(store.writeBatch([trade('2', 1001, eth), trade('3', 1002, eth), trade('x-5', 990)]), { code: 'TV_ERR_STORE_CORRUPT_VALUE' });

    // the same ETH trades again, then more: counted once each, from what the disk holds
    assert.deepEqual(await store.writeBatch([trade('2', 1001, eth), trade('3', 1002, eth)]), { written: 2, duplicates: 0 });
    for (let i = 4; i < 40; i++) await store.writeBatch([trade(String(i), 1000 + i, eth)]);
    const cursor = store.readCursor('binance', 'spot', 'ETH/USDT');
    assert.equal(cursor?.count, 39);
    assert.equal(cursor?.lastTradeId, '39');
    const ids = (await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol: 'ETH/USDT', type: 'trade' }))).map((r) => (r.type === 'trade' ? r.id : ''));
    assert.deepEqual(ids, Array.from({ length: 39 }, (_, i) => String(i + 1)));
    // and the tail count written matches the blocks there are: reopening (no cache) agrees
    await store.close();
    const again = openHistoryStore({ path, noSync: true });
    assert.deepEqual(await again.writeBatch([trade('40', 1040, eth), trade('39', 1039, eth)]), { written: 1, duplicates: 1 });
    assert.equal(again.readCursor('binance', 'spot', 'ETH/USDT')?.count, 40);
    await again.close();
  });

  test('batches written without waiting for each other, one of them failing, leave exact cursors', async (t) => {
    const path = tempDir(t);
    const store = openHistoryStore({ path, noSync: true });
    await store.writeBatch([trade('10', 1000), trade('1', 1000, eth)]);
    const blocks = store.env.openDB<Uint8Array, Key>({ name: 'tradeBlocks', encoding: 'binary' });
    await blocks.put(['binance', 'spot', 'BTC/USDT', 1000, 10], new Uint8Array([1, 5, 0, 0]));
    const results = await Promise.allSettled([
      store.writeBatch([trade('2', 1001, eth)]),
      store.writeBatch([trade('3', 1002, eth), trade('x-5', 990)]),
      store.writeBatch([trade('4', 1003, eth)]),
    ]);
    await store.writeBatch([trade('5', 1004, eth)]);
    // whichever batches committed, the cursor counts exactly the ETH trades stored
    const stored = (await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol: 'ETH/USDT', type: 'trade' }))).length;
    assert.equal(results[1]?.status, 'rejected');
    assert.equal(store.readCursor('binance', 'spot', 'ETH/USDT')?.count, stored);
    await store.close();
  });
});
