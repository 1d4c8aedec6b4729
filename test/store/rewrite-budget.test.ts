/**
 * Symbols written at even rates reach their tails' compaction in the same batch; the batch's
 * rewrite budget (block-store.ts RewriteBudget) spreads that work over the batches that follow, so
 * no one commit re-encodes every symbol's tail, and no row is lost or reordered by the deferral.
 * Their tail memos fill in step too; the budget's growBytes spreads their growth the same way.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Key } from 'lmdb';
import { openHistoryStore } from '../../src/store/index.js';
import { MAX_TAIL_BLOCKS } from '../../src/store/block-store.js';
import { tradeRows } from '../../src/store/blocks/trade-rows.js';
import { GROW_BYTES_PER_BATCH, REWRITE_ROWS_PER_BATCH } from '../../src/store/writer-cache.js';
import { TradeRowBuffer } from '../../src/store/blocks/trade-buffer.js';
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

  test('even streams: the tail memos grow over several batches, never all in one', { timeout: 120_000 }, async (t) => {
    const store = openHistoryStore({ path: tempDir(t), noSync: true });
    const proto = TradeRowBuffer.prototype as unknown as { resize(capacity: number): void };
    const resize = proto.resize;
    let grown = 0;
    proto.resize = function (this: TradeRowBuffer, capacity: number) {
      if (capacity * 41 > this.bytes) grown += capacity * 41 - this.bytes;
      resize.call(this, capacity);
    };
    const perBatch: number[] = [];
    try {
      for (let b = 0; b < 48; b++) {
        const batch: Trade[] = [];
        for (let k = 0; k < PER_SYMBOL; k++) {
          const id = b * PER_SYMBOL + k + 1;
          for (const symbol of SYMBOLS) batch.push(trade(String(id), 1_000 + id * 3, { symbol, price: 100 + (id % 50) / 100, amount: (id % 7) / 10 + 0.1 }));
        }
        grown = 0;
        await store.writeBatch(batch);
        perBatch.push(grown);
      }
    } finally {
      proto.resize = resize;
    }
    const total = perBatch.reduce((a, v) => a + v, 0);
    // 24 memos of 12,000 rows: each doubled to 16,384 rows on the way
    assert.ok(total >= SYMBOLS.length * 8_192 * 41, `the memos grew (${total} bytes: ${perBatch.join(' ')})`);
    // a batch may pass its budget by the last growth it let through (16,384 rows of 41 bytes at most
    // here); without the budget the 4,096 → 8,192 step of all 24 came in one batch (8 MB)
    const busiest = Math.max(...perBatch);
    assert.ok(busiest <= GROW_BYTES_PER_BATCH + 16_384 * 41, `the busiest batch grew memos by ${(busiest / 1e6).toFixed(1)} MB: ${perBatch.join(" ")}`);
    await store.close();
  });
});
