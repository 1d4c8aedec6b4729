/**
 * The block layout against a plain model: live appends, late and backfilled rows, duplicates under
 * other timestamps, string and numeric ids, tickers with ties, across reopenings. After every step
 * the store must read back exactly the model, and the layout must hold its invariant: a symbol's
 * blocks hold disjoint ranges in order, each keyed by its first row, and the tail entry describes
 * the last blocks.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Key } from 'lmdb';
import { openHistoryStore, type OpenedHistoryStore } from '../../src/store/index.js';
import { blockRowCount } from '../../src/store/blocks/block-header.js';
import { decodeTickerBlock, decodeTradeBlock } from '../../src/store/blocks/codecs.js';
import { tradeIdAt, tradePartAt } from '../../src/store/blocks/trade-rows.js';
import { MAX_TAIL_BLOCKS, SEAL_TARGET_BYTES, type TailState } from '../../src/store/block-store.js';
import { compareIdParts, idPart } from '../../src/store/keys.js';
import type { StoredCursor } from '../../src/store/write.js';
import type { MarketRecord, Ticker, Trade } from '../../src/records.js';
import { collect, tempDir, ticker, trade } from './helpers.js';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const byTradeOrder = (a: Trade, b: Trade) => a.timestamp - b.timestamp || compareIdParts(idPart(a.id), idPart(b.id));

/** the invariant, read straight from the LMDB databases */
function checkLayout(store: OpenedHistoryStore, prefix: [string, string, string]): { tradeBlocks: number; sealed: number } {
  const env = store.env;
  const tradeDb = env.openDB<Uint8Array, Key>({ name: 'tradeBlocks', encoding: 'binary' });
  const values: Uint8Array[] = [];
  let prevLast: [number, number | string] | undefined;
  let sealed = 0;
  for (const { key, value } of tradeDb.getRange({ start: prefix, end: [...prefix, new Uint8Array([0xff])] })) {
    const k = key as Key[];
    const c = decodeTradeBlock(value);
    assert.equal(blockRowCount(value), c.length);
    assert.ok(c.length > 0, 'no empty block');
    assert.deepEqual([k[3], k[4]], [c.timestamps[0], tradePartAt(c, 0)], 'a block is keyed by its first row');
    for (let i = 1; i < c.length; i++) {
      const order = (c.timestamps[i - 1] as number) - (c.timestamps[i] as number) || compareIdParts(tradePartAt(c, i - 1), tradePartAt(c, i));
      assert.ok(order < 0, `rows in order inside a block (${tradeIdAt(c, i)})`);
    }
    if (prevLast !== undefined) {
      const order = prevLast[0] - (c.timestamps[0] as number) || compareIdParts(prevLast[1], tradePartAt(c, 0));
      assert.ok(order < 0, 'blocks hold disjoint ordered ranges');
    }
    prevLast = [c.timestamps[c.length - 1] as number, tradePartAt(c, c.length - 1)];
    if (value.length > 2048) {
      // a large value sits on whole 4 KB pages: it must not spill a few bytes onto one more
      assert.ok(value.length <= 8 * 4096 - 16, `block of ${value.length} bytes`);
    }
    if (value.length >= SEAL_TARGET_BYTES - 512) sealed++;
    values.push(value);
  }
  const tail = tradeTail(store, prefix);
  if (tail !== undefined) {
    assert.ok(tail.blocks <= values.length && tail.blocks < MAX_TAIL_BLOCKS, `tail of ${tail.blocks} blocks`);
    assert.equal(tail.bytes, values.slice(values.length - tail.blocks).reduce((n, v) => n + v.length, 0), 'tail bytes = its blocks');
  }
  return { tradeBlocks: values.length, sealed };
}

/** the trade tail as stored: in the cursor (in the `tails` DB for cursors written before it moved) */
function tradeTail(store: OpenedHistoryStore, prefix: [string, string, string]): TailState | undefined {
  const cursors = store.env.openDB<StoredCursor, Key>({ name: 'cursors', encoding: 'msgpack' });
  const tails = store.env.openDB<TailState, Key>({ name: 'tails', encoding: 'msgpack' });
  return cursors.get(prefix)?.tail ?? tails.get([...prefix, 'trade']);
}

describe('block layout', () => {
  test('random live, late, backfilled and repeated trades read back exactly as a model says, with the invariant kept', { timeout: 120_000 }, async (t) => {
    const path = tempDir(t);
    const rand = prng(7);
    const model = new Map<string, Trade>();
    let store = openHistoryStore({ path, noSync: true });
    let nextId = 1_000_000;
    let now = 1_700_000_000_000;
    const issued: Trade[] = [];
    for (let b = 0; b < 120; b++) {
      const batch: Trade[] = [];
      const size = 1 + Math.floor(rand() * (b % 10 === 0 ? 1500 : 120));
      for (let i = 0; i < size; i++) {
        const roll = rand();
        let tr: Trade;
        if (roll < 0.8 || issued.length === 0) {
          now += Math.floor(rand() * 3); // ties on the millisecond are common
          tr = trade(String(nextId++), now, { price: 100 + rand(), amount: rand(), side: rand() < 0.5 ? 'buy' : 'sell' });
        } else if (roll < 0.9) {
          // a repeat of a stored or in-batch id under another timestamp (REST vs WebSocket)
          const old = issued[Math.floor(rand() * issued.length)] as Trade;
          tr = { ...old, timestamp: old.timestamp + (rand() < 0.5 ? -5 : 7), localTimestamp: now };
        } else if (roll < 0.95) {
          // a backfilled trade from before everything, with an id never seen
          tr = trade(String(500_000 + Math.floor(rand() * 400_000)), 1_600_000_000_000 + Math.floor(rand() * 1e6));
        } else {
          // a string id somewhere in the past
          tr = trade(`x-${Math.floor(rand() * 1e9)}`, now - Math.floor(rand() * 50_000));
        }
        batch.push(tr);
      }
      let fresh = 0;
      for (const tr of batch) {
        if (!model.has(tr.id)) {
          model.set(tr.id, tr);
          fresh++;
        }
        issued.push(tr);
      }
      const res = await store.writeBatch(batch);
      assert.deepEqual(res, { written: fresh, duplicates: batch.length - fresh }, `batch ${b}`);
      if (b % 5 === 0) checkLayout(store, ['binance', 'spot', 'BTC/USDT']);
      if (b % 40 === 39) {
        await store.close();
        store = openHistoryStore({ path, noSync: true });
      }
    }
    const want = [...model.values()].sort(byTradeOrder);
    const q = { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'trade' } as const;
    assert.deepEqual(await collect(store.readRange(q)), want);
    assert.equal(store.readCursor('binance', 'spot', 'BTC/USDT')?.count, want.length);
    const layout = checkLayout(store, ['binance', 'spot', 'BTC/USDT']);
    assert.ok(layout.sealed >= 1, `some blocks were sealed (${layout.tradeBlocks} blocks)`);
    // ranges: from/to anywhere, including inside blocks and between them
    for (let k = 0; k < 25; k++) {
      const a = want[Math.floor(rand() * want.length)] as Trade;
      const z = want[Math.floor(rand() * want.length)] as Trade;
      const from = Math.min(a.timestamp, z.timestamp) + (k % 3) - 1;
      const to = Math.max(a.timestamp, z.timestamp) - (k % 2);
      const expected = want.filter((x) => x.timestamp >= from && x.timestamp <= to);
      assert.deepEqual(await collect(store.readRange({ ...q, from, to })), expected, `range ${from}..${to}`);
      const columns = [...store.readTradeColumns({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', from, to })];
      assert.deepEqual(columns.flatMap((c) => Array.from({ length: c.length }, (_, i) => tradeIdAt(c, i))), expected.map((x) => x.id));
      assert.ok(columns.every((c) => c.length > 0));
    }
    await store.close();
  });

  test('live batches seal the tail into page-sized blocks and keep at most a tail of small ones', async (t) => {
    const path = tempDir(t);
    const store = openHistoryStore({ path, noSync: true });
    let id = 1;
    // prices and amounts that are not short decimals: ~17 encoded bytes a trade, so 600 batches of
    // 37 fill a dozen sealed blocks (short decimals would pack into a byte or two each)
    for (let b = 0; b < 600; b++) {
      await store.writeBatch(Array.from({ length: 37 }, () => trade(String(id), 1_000 + id, { price: 100 + Math.sqrt(id), amount: Math.sqrt(id++ + 1) })));
    }
    const layout = checkLayout(store, ['binance', 'spot', 'BTC/USDT']);
    const tail = tradeTail(store, ['binance', 'spot', 'BTC/USDT']) as TailState;
    // 600 batches, yet only the sealed blocks and a tail shorter than the compaction limit
    assert.equal(layout.tradeBlocks, layout.sealed + tail.blocks);
    assert.ok(layout.sealed >= 8, `${layout.sealed} sealed blocks`);
    assert.equal((await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' }))).length, id - 1);
    await store.close();
  });

  test('tickers: late ones merge into place, ties keep the order they were stored in, across many batches', async (t) => {
    const path = tempDir(t);
    const rand = prng(11);
    let store = openHistoryStore({ path, noSync: true });
    const model: Ticker[] = [];
    for (let b = 0; b < 200; b++) {
      const batch: MarketRecord[] = [];
      for (let i = 0; i < 1 + Math.floor(rand() * 30); i++) {
        const late = rand() < 0.1;
        const ts = late ? 1_000 + Math.floor(rand() * (b * 100 + 1)) : 1_000 + b * 100 + i;
        const tk = ticker(ts, { localTimestamp: ts + (rand() < 0.3 ? 0 : 5), last: b * 1000 + i, ...(rand() < 0.5 ? { bid: i } : {}) });
        batch.push(tk);
        model.push(tk);
      }
      assert.deepEqual(await store.writeBatch(batch), { written: batch.length, duplicates: 0 });
      if (b === 100) {
        await store.close();
        store = openHistoryStore({ path, noSync: true });
      }
    }
    // stable: by (timestamp, localTimestamp), then in the order stored
    const want = model.map((m, i) => [m, i] as const).sort((a, b) => a[0].timestamp - b[0].timestamp || a[0].localTimestamp - b[0].localTimestamp || a[1] - b[1]).map(([m]) => m);
    const got = await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'ticker' }));
    assert.deepEqual(got, want);
    const tickerDb = store.env.openDB<Uint8Array, Key>({ name: 'tickerBlocks', encoding: 'binary' });
    let blocks = 0;
    for (const { key, value } of tickerDb.getRange({})) {
      const c = decodeTickerBlock(value);
      assert.deepEqual([(key as Key[])[3], (key as Key[])[4]], [c.timestamps[0], c.localTimestamps[0]]);
      blocks++;
    }
    assert.ok(blocks < 200, `${blocks} ticker blocks for 200 batches`);
    const probe = want[17] as Ticker;
    assert.equal(store.tickerStored(probe), true);
    assert.equal(store.tickerStored({ ...probe, localTimestamp: probe.localTimestamp + 0.5 }), false);
    // the same exchange event received at another local time (the archiver's check); any other value differs
    assert.equal(store.tickerEventStored({ ...probe, localTimestamp: probe.localTimestamp + 3 }), true);
    assert.equal(store.tickerEventStored({ ...probe, last: probe.last + 1 }), false);
    assert.equal(store.tickerEventStored({ ...probe, timestamp: probe.timestamp + 0.5 }), false);
    const { bid: _bid, ...withoutBid } = probe;
    assert.equal(store.tickerEventStored(probe.bid === undefined ? { ...probe, bid: 1 } : withoutBid), false);
    await store.close();
  });
});

describe('a block that cannot be read', () => {
  test('fails the batch that needs it with TV_ERR_STORE_CORRUPT_VALUE and stores none of it, other symbols included', async (t) => {
    const path = tempDir(t);
    const store = openHistoryStore({ path, noSync: true });
    await store.writeBatch([trade('10', 1000), trade('11', 1001), trade('1', 1000, { symbol: 'ETH/USDT' })]);
    const blocks = store.env.openDB<Uint8Array, Key>({ name: 'tradeBlocks', encoding: 'binary' });
    await blocks.put(['binance', 'spot', 'BTC/USDT', 1000, 10], new Uint8Array([1, 5, 0, 0]));
    // ETH first, so its rows would be written before BTC's older trade needs the broken block
    // (a string id: its index entry is written before the block is needed, too)
    await assert.rejects(store.writeBatch([trade('2', 1001, { symbol: 'ETH/USDT' }), trade('x-5', 990)]), { code: 'TV_ERR_STORE_CORRUPT_VALUE' });
    const tradeIds = store.env.openDB<Uint8Array, Key>({ name: 'tradeIds', encoding: 'binary' });
    assert.equal(tradeIds.get(['binance', 'spot', 'BTC/USDT', 'trade', 'x-5']), undefined);
    assert.equal(store.readCursor('binance', 'spot', 'ETH/USDT')?.count, 1);
    assert.deepEqual((await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol: 'ETH/USDT' }))).map((r) => r.timestamp), [1000]);
    // the store goes on for everything that does not need the broken block
    assert.deepEqual(await store.writeBatch([trade('2', 1001, { symbol: 'ETH/USDT' })]), { written: 1, duplicates: 0 });
    await store.close();
  });
});
