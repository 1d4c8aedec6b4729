/**
 * Symbols written at even rates reach their tails' compaction in the same batch; the batch's
 * rewrite budget (block-store.ts RewriteBudget) spreads that work over the batches that follow, so
 * no one commit re-encodes every symbol's tail, and no row is lost or reordered by the deferral.
 * Their tail memos fill in step too: they grow a chunk at a time, and after the first compactions
 * from the chunks the others gave back, not from new memory.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Key } from 'lmdb';
import { openHistoryStore } from '../../src/store/index.js';
import { MAX_TAIL_BLOCKS } from '../../src/store/block-store.js';
import { tradeRows } from '../../src/store/blocks/trade-rows.js';
import { REWRITE_ROWS_PER_BATCH } from '../../src/store/writer-cache.js';
import { chunkAllocation, CHUNK_ROWS } from '../../src/store/blocks/trade-buffer.js';
import type { StoredCursor } from '../../src/store/write.js';
import type { Trade } from '../../src/records.js';
import { collect, tempDir, trade } from './helpers.js';

const SYMBOLS = Array.from({ length: 24 }, (_, k) => `S${k}/USDT`);
const PER_SYMBOL = 250;
const BATCHES = 90;

describe('the rewrite budget', () => {
  test('even streams over many symbols: no batch re-encodes every tail, every row back in order', { timeout: 120_000 }, async (t) => {
    const store = openHistoryStore({ path: tempDir(t), noSync: true });
    const cursors = store.env.openDB<StoredCursor, Key>({ name: 'cursors', encoding: 'msgpack' });
    const encode = tradeRows.encode;
    let encoded = 0;
    tradeRows.encode = (c) => {
      encoded += c.length;
      return encode(c);
    };
    const perBatch: number[] = [];
    let maxTail = 0;
    try {
      for (let b = 0; b < BATCHES; b++) {
        const batch: Trade[] = [];
        for (let k = 0; k < PER_SYMBOL; k++) {
          const id = b * PER_SYMBOL + k + 1;
          for (const symbol of SYMBOLS) batch.push(trade(String(id), 1_000 + id * 3, { symbol, price: 100 + Math.sqrt(id), amount: Math.sqrt(id + 1) }));
        }
        encoded = 0;
        await store.writeBatch(batch);
        // what was re-encoded beyond the batch's own rows (one small block a symbol)
        perBatch.push(encoded - batch.length);
        for (const symbol of SYMBOLS) {
          const tail = cursors.get(['binance', 'spot', symbol])?.tail;
          maxTail = Math.max(maxTail, tail?.blocks ?? 0);
        }
      }
    } finally {
      tradeRows.encode = encode;
    }
    // the tails' rows at a compaction, from the largest rewrite of one batch: every symbol compacting
    // at once would re-encode SYMBOLS.length times a tail
    const compactedRows = Math.max(...perBatch);
    const total = perBatch.reduce((a, v) => a + v, 0);
    const busiest = [...perBatch].sort((a, v) => v - a).slice(0, 3);
    assert.ok(total > 200_000, `the run compacted every symbol's tail (rows re-encoded: ${total})`);
    // cutBlocks may encode a compaction's rows twice, and the last operation a batch starts may pass
    // what was left of its budget; without the budget, one batch re-encoded ~156,000 rows here
    assert.ok(compactedRows <= 3 * REWRITE_ROWS_PER_BATCH, `the busiest batches re-encoded ${busiest.join(', ')} rows`);
    assert.ok(maxTail < MAX_TAIL_BLOCKS, `a tail of ${maxTail} blocks`);
    for (const symbol of SYMBOLS) {
      const ids = ((await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol, type: 'trade' }))) as Trade[]).map((tr) => Number(tr.id));
      assert.equal(ids.length, BATCHES * PER_SYMBOL, symbol);
      assert.ok(ids.every((id, i) => id === i + 1), `${symbol}: every row once, in order`);
    }
    await store.close();
  });

  test('even streams: the tail memos grow by a chunk a symbol at most per batch, and once they have compacted, from reused chunks', { timeout: 120_000 }, async (t) => {
    const store = openHistoryStore({ path: tempDir(t), noSync: true });
    const perBatch: number[] = [];
    for (let b = 0; b < 120; b++) {
      const batch: Trade[] = [];
      for (let k = 0; k < PER_SYMBOL; k++) {
        const id = b * PER_SYMBOL + k + 1;
        for (const symbol of SYMBOLS) batch.push(trade(String(id), 1_000 + id * 3, { symbol, price: 100 + (id % 50) / 100, amount: (id % 7) / 10 + 0.1 }));
      }
      const before = chunkAllocation.freshBytes;
      await store.writeBatch(batch);
      perBatch.push(chunkAllocation.freshBytes - before);
    }
    const chunkBytes = CHUNK_ROWS * 41;
    const busiest = Math.max(...perBatch);
    // doubling, the 4,000 -> 8,000-row step of all 24 memos came in one batch: 7.9 MB of new memory
    assert.ok(busiest <= SYMBOLS.length * chunkBytes * 1.5, `the busiest batch allocated ${(busiest / 1e6).toFixed(1)} MB: ${perBatch.join(' ')}`);
    const late = perBatch.slice(80).reduce((a, v) => a + v, 0);
    assert.ok(late <= 2 * chunkBytes, `the last 40 batches allocated ${late} bytes of new chunks: ${perBatch.join(' ')}`);
    await store.close();
  });
});
