/**
 * The writer keeps each trade tail's rows in memory (block-store.ts TailMemo) so joins and
 * compactions need not read the tail back. The memo may change where rows come from, never what is
 * written: a store written by one long-lived writer must hold byte for byte the blocks of a store
 * whose writer was reopened before every batch (so it never had a memo), and a live stream must
 * reach its joins and compactions without decoding a block.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Key } from 'lmdb';
import { openHistoryStore, type OpenedHistoryStore } from '../../src/store/index.js';
import { tradeRows } from '../../src/store/blocks/trade-rows.js';
import type { Trade } from '../../src/records.js';
import { Prng } from '../../src/prng.js';
import type { TailMemo } from '../../src/store/block-store.js';
import type { TradeColumns } from '../../src/store/blocks/columns.js';
import { STEADY_WITHIN_BATCHES, TAIL_MEMO_BYTES, TAIL_MEMO_IDLE_BATCHES, TAIL_MEMO_SYMBOLS, WriterCache } from '../../src/store/writer-cache.js';
import { collect, tempDir, trade } from './helpers.js';

/** a commit that writes blocks, as the store's direct writers begin one */
function batch(cache: WriterCache): void {
  cache.nextBatch();
  cache.blocksBegin();
}

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];

/** batches of 1–300 trades over three symbols; every fifth batch also carries late trades (merged into older blocks) */
function batches(seed: number, count: number): Trade[][] {
  const rng = new Prng(seed);
  const random = (): number => rng.next();
  const next = new Map(SYMBOLS.map((s) => [s, 1]));
  const out: Trade[][] = [];
  for (let b = 0; b < count; b++) {
    const size = 1 + Math.floor(random() * (b % 3 === 0 ? 300 : 20));
    const batch: Trade[] = [];
    for (let k = 0; k < size; k++) {
      const symbol = SYMBOLS[Math.floor(random() * SYMBOLS.length)] as string;
      const id = next.get(symbol) as number;
      next.set(symbol, id + 2);
      batch.push(trade(String(id), 1_000_000 + id * 10, { symbol, price: 100 + Math.round(random() * 500) / 100, amount: Math.round(random() * 1e5) / 1e5 + 0.00001 }));
    }
    if (b % 100 === 99) { // live(b) false
      // the odd ids left free, well in the past: rows that sort before the newest stored one
      for (const symbol of SYMBOLS) {
        const top = next.get(symbol) as number;
        if (top > 40) {
          const id = 2 * Math.floor(random() * (top / 2 - 10)) + 2;
          batch.push(trade(String(id), 1_000_000 + id * 10 + 1, { symbol }));
        }
      }
    }
    out.push(batch);
  }
  return out;
}

/** blocks decoded through tradeRows while `fn` runs (the store's own object, patched and put back) */
async function countDecodes(fn: () => Promise<void>): Promise<number> {
  const decode = tradeRows.decode;
  let decoded = 0;
  tradeRows.decode = (bytes, memory) => {
    decoded++;
    return decode(bytes, memory);
  };
  try {
    await fn();
  } finally {
    tradeRows.decode = decode;
  }
  return decoded;
}

function blocksOf(store: OpenedHistoryStore): [string, string][] {
  const db = store.env.openDB<Uint8Array, Key>({ name: 'tradeBlocks', encoding: 'binary' });
  return [...db.getRange({})].map(({ key, value }) => [JSON.stringify(key), Buffer.from(value).toString('base64')]);
}

describe('the trade tail kept in memory', () => {
  test('changes nothing on disk: a long-lived writer and one reopened before every batch write the same blocks', async (t) => {
    const work = batches(7, 700);
    const kept = openHistoryStore({ path: tempDir(t), noSync: true });
    // decodes while writing the live batches only: a late trade is looked up and merged by decoding, memo or not
    const live = (b: number): boolean => b % 100 !== 99;
    let keptDecodes = 0;
    for (const [b, batch] of work.entries()) {
      const n = await countDecodes(() => kept.writeBatch(batch).then(() => undefined));
      if (live(b)) keptDecodes += n;
    }

    const freshPath = tempDir(t);
    let freshDecodes = 0;
    for (const [b, batch] of work.entries()) {
      const fresh = openHistoryStore({ path: freshPath, noSync: true });
      const n = await countDecodes(() => fresh.writeBatch(batch).then(() => undefined));
      if (live(b)) freshDecodes += n;
      await fresh.close();
    }
    // the two took different roads: the long-lived writer mostly from memory
    assert.ok(keptDecodes * 2 < freshDecodes, `decoded ${keptDecodes} blocks, against ${freshDecodes} without a memo`);
    const fresh = openHistoryStore({ path: freshPath, noSync: true });
    const mine = blocksOf(kept);
    assert.ok(mine.length > 20, `${mine.length} blocks`);
    assert.deepEqual(mine, blocksOf(fresh));
    for (const symbol of SYMBOLS) {
      const q = { exchange: 'binance', market: 'spot', symbol, type: 'trade' } as const;
      assert.deepEqual(await collect(kept.readRange(q)), await collect(fresh.readRange(q)));
    }
    await kept.close();
    await fresh.close();
  });

  test('a live stream joins and compacts its tail without decoding a block', async (t) => {
    const store = openHistoryStore({ path: tempDir(t), noSync: true });
    // the first batch opens the symbol: its tail is empty, so known whole from the start (and the
    // batch large enough for a memo: write.ts MEMO_FROM_ROWS)
    await store.writeBatch(Array.from({ length: 16 }, (_, i) => trade(String(i + 1), 1000 + (i + 1) * 7)));
    let id = 17;
    const decoded = await countDecodes(async () => {
      const rng = new Prng(3);
      for (let b = 0; b < 1500; b++) {
        const batch: Trade[] = [];
        for (let k = 0; k < 16; k++, id++) batch.push(trade(String(id), 1000 + id * 7, { price: 100 + rng.int(500) / 100, amount: rng.int(100_000) / 1e5 + 0.00001 }));
        await store.writeBatch(batch);
      }
    });
    assert.equal(decoded, 0);
    // it sealed blocks (and estimated the later ones' cuts from the first)
    const db = store.env.openDB<Uint8Array, Key>({ name: 'tradeBlocks', encoding: 'binary' });
    const sealed = [...db.getRange({})].filter(({ value }) => value.length > 30_000).length;
    assert.ok(sealed >= 3, `${sealed} sealed blocks`);
    const ids = (await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'trade' }))).map((r) => (r.type === 'trade' ? Number(r.id) : 0));
    assert.deepEqual(ids, Array.from({ length: 16 + 1500 * 16 }, (_, i) => i + 1));
    await store.close();
  });
});

describe('a steady writer', () => {
  test('a symbol written in nearly every batch, a row at a time, keeps a memo: its joins decode no block after the first read', async (t) => {
    const store = openHistoryStore({ path: tempDir(t), noSync: true });
    let id = 1;
    const one = (symbol: string): Trade => trade(String(id), 1000 + id++ * 7, { symbol });
    await store.writeBatch([one('BTC/USDT')]);
    const decoded = await countDecodes(async () => {
      for (let b = 0; b < 600; b++) {
        // BTC in every batch; ETH in every tenth: written steadily and not
        await store.writeBatch(b % 10 === 0 ? [one('BTC/USDT'), one('ETH/USDT')] : [one('BTC/USDT')]);
      }
    });
    // BTC's tail read back once when its memo starts; ETH (60 one-row batches, ten batches apart)
    // keeps none, and its seven joins read their blocks (measured: 64 decodes; 736 when only
    // batches of 16 rows started a memo, BTC's 75 joins each reading eight blocks)
    assert.ok(decoded <= 100, `${decoded} blocks decoded`);
    const btc = (await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'trade' }))).length;
    const eth = (await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol: 'ETH/USDT', type: 'trade' }))).length;
    assert.deepEqual([btc, eth], [601, 60]);
    await store.close();
  });

  test('steadiness is the last few batches, and a failed commit forgets it', () => {
    const cache = new WriterCache();
    batch(cache);
    cache.wroteCursor('a', { lastTradeId: '1', lastTimestamp: 1 } as never);
    assert.equal(cache.steadyWriter('a'), false, 'not steady within its own batch');
    for (let b = 1; b <= STEADY_WITHIN_BATCHES + 1; b++) {
      batch(cache);
      assert.equal(cache.steadyWriter('a'), b <= STEADY_WITHIN_BATCHES, `batch +${b}`);
    }
    cache.wroteCursor('a', { lastTradeId: '1', lastTimestamp: 1 } as never);
    batch(cache);
    assert.equal(cache.steadyWriter('a'), true);
    cache.clear();
    assert.equal(cache.steadyWriter('a'), false);
  });
});

describe('the memos kept within their budget', () => {
  const memo = (bytes: number): TailMemo<TradeColumns> => ({
    keys: [], ends: [], sizes: [],
    rows: { length: 0, bytes, append: () => true, view: () => { throw new Error('not read'); }, keepFrom: () => undefined },
  });

  test(`at most ${TAIL_MEMO_SYMBOLS} symbols keep one; a symbol that has one keeps it`, () => {
    const cache = new WriterCache();
    for (let i = 0; i < TAIL_MEMO_SYMBOLS + 10; i++) cache.wroteTradeTail(`s${i}`, memo(1000));
    assert.deepEqual(cache.memoUse(), { bytes: TAIL_MEMO_SYMBOLS * 1000, symbols: TAIL_MEMO_SYMBOLS });
    assert.equal(cache.memoRoom(), false);
    assert.equal(cache.tradeTail(`s${TAIL_MEMO_SYMBOLS + 1}`), undefined);
    const grown = memo(5000);
    cache.wroteTradeTail('s0', grown);
    assert.equal(cache.tradeTail('s0'), grown);
    assert.equal(cache.memoUse().bytes, (TAIL_MEMO_SYMBOLS - 1) * 1000 + 5000);
    cache.wroteTradeTail('s1', undefined);
    assert.equal(cache.memoRoom(), true);
  });

  test('a memo that would pass the byte budget is dropped, and a failed commit drops them all', () => {
    const cache = new WriterCache();
    cache.wroteTradeTail('a', memo(TAIL_MEMO_BYTES - 100));
    cache.wroteTradeTail('b', memo(200));
    assert.equal(cache.tradeTail('b'), undefined);
    assert.deepEqual(cache.memoUse(), { bytes: TAIL_MEMO_BYTES - 100, symbols: 1 });
    cache.clear();
    assert.deepEqual(cache.memoUse(), { bytes: 0, symbols: 0 });
    assert.equal(cache.tradeTail('a'), undefined);
  });
});

describe('idle memos', () => {
  test(`a memo not written for ${TAIL_MEMO_IDLE_BATCHES} batches is dropped; one written every batch stays`, () => {
    const memo = (bytes: number): TailMemo<TradeColumns> => ({
      keys: [], ends: [], sizes: [],
      rows: { length: 0, bytes, append: () => true, view: () => { throw new Error('not read'); }, keepFrom: () => undefined },
    });
    const cache = new WriterCache();
    const busy = memo(100);
    batch(cache);
    cache.wroteTradeTail('quiet', memo(1000));
    for (let b = 0; b < 2 * TAIL_MEMO_IDLE_BATCHES; b++) {
      batch(cache);
      cache.wroteTradeTail('busy', busy);
    }
    assert.equal(cache.tradeTail('quiet'), undefined);
    assert.equal(cache.tradeTail('busy'), busy);
    assert.deepEqual(cache.memoUse(), { bytes: 100, symbols: 1 });
  });

  test('commits that only journal their rows (no blocks written) do not age the memos', () => {
    const memo: TailMemo<TradeColumns> = {
      keys: [], ends: [], sizes: [],
      rows: { length: 0, bytes: 100, append: () => true, view: () => { throw new Error('not read'); }, keepFrom: () => undefined },
    };
    const cache = new WriterCache();
    batch(cache);
    cache.wroteTradeTail('folded', memo);
    cache.wroteCursor('folded', { lastTradeId: '1', lastTimestamp: 1 } as never);
    for (let b = 0; b < 3 * TAIL_MEMO_IDLE_BATCHES; b++) cache.nextBatch();
    batch(cache);
    assert.equal(cache.tradeTail('folded'), memo);
    assert.equal(cache.steadyWriter('folded'), true, 'written in the last batch that wrote blocks');
  });
});
