/**
 * The tail is joined in tiers (block-store.ts): one-row batches must not re-encode each row once
 * per compaction (it was ~33 times a row), and the tail must stay a few dozen blocks at most,
 * whatever the batch size, with every row read back in order.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Key } from 'lmdb';
import { openHistoryStore } from '../../src/store/index.js';
import { FANOUT, MAX_TAIL_BLOCKS } from '../../src/store/block-store.js';
import { tradeRows } from '../../src/store/blocks/trade-rows.js';
import type { StoredCursor } from '../../src/store/write.js';
import type { Trade } from '../../src/records.js';
import { collect, tempDir, trade } from './helpers.js';

const q = { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'trade' } as const;

/** counts rows through tradeRows.encode while `fn` runs (the store's own object, patched and put back) */
async function countEncodedRows(fn: () => Promise<void>): Promise<number> {
  const encode = tradeRows.encode;
  let rows = 0;
  tradeRows.encode = (c) => {
    rows += c.length;
    return encode(c);
  };
  try {
    await fn();
  } finally {
    tradeRows.encode = encode;
  }
  return rows;
}

describe('the tail joined in tiers', () => {
  for (const perBatch of [1, 20, 300]) {
    test(`${perBatch}-row batches: each row encoded a few times, a short tail, every row back in order`, { timeout: 120_000 }, async (t) => {
      const path = tempDir(t);
      const store = openHistoryStore({ path, noSync: true });
      const total = perBatch === 1 ? 6000 : 24_000;
      let id = 1;
      let maxTail = 0;
      const cursors = store.env.openDB<StoredCursor, Key>({ name: 'cursors', encoding: 'msgpack' });
      const encoded = await countEncodedRows(async () => {
        while (id <= total) {
          const batch: Trade[] = [];
          for (let k = 0; k < perBatch; k++, id++) batch.push(trade(String(id), 1_000 + id * 3, { price: 100 + Math.sqrt(id), amount: Math.sqrt(id + 1) }));
          await store.writeBatch(batch);
          maxTail = Math.max(maxTail, cursors.get(['binance', 'spot', 'BTC/USDT'])?.tail?.blocks ?? 0);
        }
      });
      const perRow = encoded / total;
      assert.ok(perRow < 6, `rows encoded ${perRow.toFixed(2)} times each`);
      assert.ok(maxTail <= 5 * FANOUT && maxTail < MAX_TAIL_BLOCKS, `a tail of ${maxTail} blocks`);
      const ids = ((await collect(store.readRange(q))) as Trade[]).map((tr) => Number(tr.id));
      assert.deepEqual(ids, Array.from({ length: total }, (_, i) => i + 1));
      await store.close();
    });
  }
});
