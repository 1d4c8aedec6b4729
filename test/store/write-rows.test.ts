/**
 * writeTradeRows (a batch of trades as columns, as the pipeline's buffer holds them) against
 * writeBatch of the same trades as records: the same results per batch, the same stored rows, the
 * same cursors, through live appends, duplicates in and across batches, an id stored again under
 * another timestamp, backfilled older rows and open gaps; and the same refusals.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Trade } from '../../src/records.js';
import { openHistoryStore, type HistoryStore, type TradeRows } from '../../src/store/index.js';
import { collect, rowsOf, tempDir, trade } from './helpers.js';

const BTC = 'BTC/USDT';
const ETH = 'ETH/USDT';
const SYMBOLS = [BTC, ETH];


const t = (id: number, timestamp: number, symbol = 'BTC/USDT', side: Trade['side'] = 'buy') =>
  trade(String(id), timestamp, { symbol, side, price: 100 + (id % 7) / 4, amount: 0.5 + (id % 3) });

/** batches that exercise every branch of the write: live, duplicates, a moved id, backfill, gaps */
function batches(): Array<{ trades: Trade[]; openGaps?: Set<string> }> {
  const live = (from: number, n: number, ts: number) => Array.from({ length: n }, (_, k) => t(from + k, ts + k, k % 2 === 0 ? BTC : ETH, k % 3 === 0 ? 'sell' : 'buy'));
  return [
    { trades: live(1_000, 300, 10_000) },
    // a duplicate inside the batch, and one of the last batch's ids again
    { trades: [...live(1_300, 50, 10_300), t(1_310, 10_310, BTC), t(1_299, 10_299, ETH)] },
    // an id stored again under another timestamp (REST and WebSocket disagreeing), then backfilled older rows
    { trades: [t(1_100, 99_999, BTC), t(500, 9_000), t(501, 9_001, ETH), t(502, 9_000), t(1_349, 10_349, ETH)] },
    // the same millisecond, ids out of order; a gap open on one symbol
    { trades: [t(2_002, 20_000), t(2_000, 20_000), t(2_001, 20_000), t(2_003, 20_000, ETH)], openGaps: new Set([ETH]) },
    // far ids (other id buckets), some already stored
    { trades: [t(9_000_000, 30_000), t(1_000, 10_000), t(9_000_001, 30_001, ETH), t(9_000_000, 30_000)] },
  ];
}

async function stored(store: HistoryStore) {
  const out: Record<string, unknown> = {};
  for (const symbol of SYMBOLS) out[symbol] = await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol, type: 'trade' }));
  out.cursors = store.listCursors();
  return out;
}

describe('store: trades written as columns', () => {
  test('store exactly what writeBatch stores for the same trades, with the same results', async (ctx) => {
    const asRecords = openHistoryStore({ path: tempDir(ctx), noSync: true });
    const asRows = openHistoryStore({ path: tempDir(ctx), noSync: true });
    try {
      const results: Array<[unknown, unknown]> = [];
      for (const b of batches()) {
        const options = b.openGaps ? { openGaps: b.openGaps } : undefined;
        results.push([await asRecords.writeBatch(b.trades, options), await asRows.writeTradeRows!(rowsOf(b.trades), options)]);
      }
      for (const [i, [records, rows]] of results.entries()) assert.deepEqual(rows, records, `batch ${i}`);
      assert.ok(results.some(([r]) => (r as { duplicates: number }).duplicates > 0), 'the batches hold duplicates');
      assert.deepEqual(await stored(asRows), await stored(asRecords));
    } finally {
      await asRecords.close();
      await asRows.close();
    }
  });

  test('a row that would break a key or a block is refused before anything is written', async (ctx) => {
    const store = openHistoryStore({ path: tempDir(ctx), noSync: true });
    try {
      const good = rowsOf([t(1, 1_000), t(2, 1_001)]);
      const bad: TradeRows = { ...good, columns: { ...good.columns, prices: Float64Array.of(1, Number.NaN) } };
      await assert.rejects(store.writeTradeRows!(bad), { code: 'TV_ERR_STORE_INVALID_RECORD', message: /record 1 / });
      const noSymbol: TradeRows = { ...good, symbols: ['BTC/USDT', ''] };
      await assert.rejects(store.writeTradeRows!(noSymbol), { code: 'TV_ERR_STORE_INVALID_RECORD' });
      assert.deepEqual(store.listCursors(), []);
      assert.deepEqual(await store.writeTradeRows!(good), { written: 2, duplicates: 0 });
    } finally {
      await store.close();
    }
  });
});
