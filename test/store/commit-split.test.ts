/**
 * Trade rows over many symbols are written in several commits of a bounded number of symbols
 * (commit-split.ts): each symbol whole in one of them, in key order; the store ends the same as
 * after one commit; and when a later commit fails, the retry of the whole batch stores each trade
 * exactly once.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Trade } from '../../src/records.js';
import { splitBySymbols } from '../../src/store/commit-split.js';
import { openHistoryStore, type HistoryStore, type TradeRows } from '../../src/store/index.js';
import { collect, rowsOf, tempDir, trade } from './helpers.js';


const symbolAt = (k: number) => `S${String(k).padStart(3, '0')}/USDT`;

/** `symbols` symbols trading in lockstep, `each` trades apiece, interleaved as a feed gives them */
function lockstep(symbols: number, each: number, firstId = 1_000): Trade[] {
  const out: Trade[] = [];
  for (let r = 0; r < each; r++) {
    // not in key order: the split must sort
    for (let k = symbols - 1; k >= 0; k--) out.push(trade(String(firstId + r), 50_000 + r, { symbol: symbolAt(k), price: 10 + k, amount: 1 + r }));
  }
  return out;
}

async function everything(store: HistoryStore, symbols: number) {
  const out: Record<string, unknown> = {};
  for (let k = 0; k < symbols; k++) out[symbolAt(k)] = await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol: symbolAt(k), type: 'trade' }));
  return out;
}

describe('store: a batch over many symbols, several commits', () => {
  test('splitBySymbols: each symbol whole in one part, parts in key order, at most max symbols each', () => {
    const rows = rowsOf(lockstep(23, 3));
    const parts = splitBySymbols(rows, 5);
    assert.equal(parts.length, 5);
    const seen: string[] = [];
    let total = 0;
    for (const part of parts) {
      const symbols = [...new Set(part.symbols)];
      assert.ok(symbols.length <= 5);
      for (const s of symbols) assert.ok(!seen.includes(s), `${s} in two parts`);
      seen.push(...symbols.sort());
      total += part.columns.length;
      // a symbol's rows keep their order (ids 1000, 1001, 1002 per symbol)
      for (const s of symbols) {
        const ids = [...part.columns.ids.values].filter((_, i) => part.symbols[i] === s);
        assert.deepEqual(ids, [1000, 1001, 1002]);
      }
    }
    assert.deepEqual(seen, [...seen].sort());
    assert.equal(total, rows.columns.length);
    // few enough symbols: the batch itself, not a copy
    assert.equal(splitBySymbols(rows, 23)[0], rows);
  });

  test('the store ends as after one commit', async (ctx) => {
    const one = openHistoryStore({ path: tempDir(ctx), noSync: true, maxSymbolsPerCommit: 1_000 });
    const many = openHistoryStore({ path: tempDir(ctx), noSync: true, maxSymbolsPerCommit: 4 });
    try {
      for (const [from, each] of [[1_000, 3], [1_003, 1], [990, 5]] as const) {
        const trades = lockstep(17, each, from);
        assert.deepEqual(await many.writeTradeRows!(rowsOf(trades)), await one.writeTradeRows!(rowsOf(trades)));
      }
      assert.deepEqual(await everything(many, 17), await everything(one, 17));
      assert.deepEqual(many.listCursors(), one.listCursors());
    } finally {
      await one.close();
      await many.close();
    }
  });

  test('a later commit fails: the earlier ones stand, and the retry stores every trade once', async (ctx) => {
    let calls = 0;
    let failOn = 2;
    const store = openHistoryStore({
      path: tempDir(ctx),
      noSync: true,
      maxSymbolsPerCommit: 4,
      faultGate: { failure: () => (++calls === failOn ? 'no space left on device (test)' : undefined) },
    });
    try {
      const trades = lockstep(10, 2);
      await assert.rejects(store.writeTradeRows!(rowsOf(trades)), /no space left/);
      // the first four symbols (key order) were committed, the rest not
      const cursors = store.listCursors().map((c) => c.symbol).sort();
      assert.deepEqual(cursors, [0, 1, 2, 3].map(symbolAt));
      failOn = -1;
      const retry = await store.writeTradeRows!(rowsOf(trades));
      assert.deepEqual(retry, { written: 12, duplicates: 8 });
      const all = await everything(store, 10);
      for (let k = 0; k < 10; k++) assert.deepEqual((all[symbolAt(k)] as Trade[]).map((t) => t.id), ['1000', '1001'], symbolAt(k));
    } finally {
      await store.close();
    }
  });
});
