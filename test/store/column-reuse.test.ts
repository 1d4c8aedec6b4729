import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openHistoryStore } from '../../src/store/index.js';
import type { TradeColumns } from '../../src/store/index.js';
import { tradeIdAt } from '../../src/store/blocks/trade-rows.js';
import { tempDir, trade } from './helpers.js';

const SYMBOL = { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' } as const;

/** a block's rows as plain values, copied out while the block is valid */
const rowsOf = (c: TradeColumns) =>
  Array.from({ length: c.length }, (_, i) => [tradeIdAt(c, i), c.timestamps[i], c.localTimestamps[i], c.prices[i], c.amounts[i], c.sides[i]]);

async function storeWithBlocks(t: { after: (fn: () => void) => void }) {
  const store = openHistoryStore({ path: tempDir(t), noSync: true });
  let id = 1;
  // prices and amounts that are not short decimals (~17 bytes a trade): several sealed blocks, then a
  // tail of small ones, so blocks of different sizes follow each other
  for (let b = 0; b < 300; b++) {
    await store.writeBatch(Array.from({ length: 37 }, () => trade(String(id), 1_000 + id, { price: 100 + Math.sqrt(id), amount: Math.sqrt(id++ + 1), side: id % 3 ? 'buy' : 'sell' })));
  }
  return store;
}

test('readTradeColumns with reuse gives the same blocks as without, whole range and trimmed', async (t) => {
  const store = await storeWithBlocks(t);
  t.after(() => store.close());
  for (const range of [{}, { from: 2_000, to: 9_000 }, { from: 1_500 }, { to: 1_040 }, { from: 50_000 }]) {
    const q = { ...SYMBOL, ...range };
    const fresh = [...store.readTradeColumns(q)].map(rowsOf);
    const reused: unknown[][] = [];
    for (const c of store.readTradeColumns(q, { reuse: true })) reused.push(rowsOf(c));
    assert.deepEqual(reused, fresh, JSON.stringify(range));
    if (range.from === undefined && range.to === undefined) assert.ok(fresh.length >= 3, `several blocks (${fresh.length})`);
  }
});

test("with reuse a block is valid until the next one is taken; without, every block is the caller's to keep", async (t) => {
  const store = await storeWithBlocks(t);
  t.after(() => store.close());
  const kept = [...store.readTradeColumns(SYMBOL)];
  assert.ok(kept.length >= 2);
  assert.notEqual(kept[0]!.timestamps.buffer, kept[1]!.timestamps.buffer, 'fresh blocks share no memory');
  const buffers = new Set<ArrayBufferLike>();
  for (const c of store.readTradeColumns(SYMBOL, { reuse: true })) buffers.add(c.timestamps.buffer);
  // memory grows (a new array) only when a block is larger than every one before it
  assert.ok(buffers.size < kept.length, `${buffers.size} arrays for ${kept.length} blocks`);
});
