import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eachRecord, openHistoryStore, type HistoryStore } from '../../src/store/index.js';
import type { MarketRecord } from '../../src/records.js';
import { collect, tempDir, ticker, trade } from './helpers.js';

function openTemp(t: { after: (fn: () => void) => void }): { store: HistoryStore; path: string } {
  const path = tempDir(t);
  const store = openHistoryStore({ path, noSync: true });
  return { store, path };
}

const q = { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' } as const;

describe('history store: key order and range scans', () => {
  test('a range scan returns one symbol in (timestamp, id) order and nothing from its neighbours', async (t) => {
    const { store } = openTemp(t);
    const mine = [trade('10', 1000), trade('9', 1000), trade('11', 999), trade('12', 1002)];
    const neighbours: MarketRecord[] = [
      trade('1', 1000, { symbol: 'BTC/USDT:USDT' }),
      trade('2', 1000, { symbol: 'BTC/USDTX' }),
      trade('3', 1000, { symbol: 'BTC/USD' }),
      trade('4', 1000, { market: 'futures' }),
      trade('5', 1000, { exchange: 'bybit' }),
      trade('6', 1000, { symbol: 'ETH/USDT' }),
      ticker(1001),
    ];
    await store.writeBatch([...neighbours.slice(0, 3), ...mine, ...neighbours.slice(3)]);
    const got = await collect(store.readRange({ ...q, type: 'trade' }));
    // numeric ids compare numerically inside one millisecond: 9 before 10
    assert.deepEqual(got.map((r) => (r.type === 'trade' ? `${r.timestamp}/${r.id}` : '?')), [
      '999/11', '1000/9', '1000/10', '1002/12',
    ]);
    assert.deepEqual(got[1], trade('9', 1000));
    await store.close();
  });

  test('from and to are inclusive bounds on the exchange timestamp', async (t) => {
    const { store } = openTemp(t);
    await store.writeBatch([1, 2, 3, 4, 5].map((i) => trade(String(i), i * 100)));
    const ids = async (from?: number, to?: number) =>
      (await collect(store.readRange({ ...q, type: 'trade', ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) })))
        .map((r) => (r.type === 'trade' ? r.id : ''));
    assert.deepEqual(await ids(200, 400), ['2', '3', '4']);
    assert.deepEqual(await ids(201, 399), ['3']);
    assert.deepEqual(await ids(undefined, 200), ['1', '2']);
    assert.deepEqual(await ids(400), ['4', '5']);
    assert.deepEqual(await ids(600), []);
    await store.close();
  });

  test('string ids (UUIDs) round-trip exactly, as do ids with leading zeros', async (t) => {
    const { store } = openTemp(t);
    const ids = ['20f43950-8a1f-5b2a-9b1e-0c7d1f1e9a01', '007', '0', '9007199254740993'];
    await store.writeBatch(ids.map((id, i) => trade(id, 1000 + i)));
    const got = await collect(store.readRange({ ...q, type: 'trade' }));
    assert.deepEqual(got.map((r) => (r.type === 'trade' ? r.id : '')), ids);
    await store.close();
  });

  test('tickers with equal timestamps are all kept, and absent optional fields stay absent', async (t) => {
    const { store } = openTemp(t);
    const a = ticker(1000, { bid: 1, ask: 2, volume24h: 3 });
    const b = ticker(1000, { localTimestamp: 1002, last: 26151 });
    const c = ticker(1000, { localTimestamp: 1002, last: 26152, quoteVolume24h: 9 });
    const res = await store.writeBatch([a, b, c]);
    assert.deepEqual(res, { written: 3, duplicates: 0 });
    const got = await collect(store.readRange({ ...q, type: 'ticker' }));
    assert.deepEqual(got, [a, b, c]);
    assert.equal('bidSize' in (got[0] as object), false);
    await store.close();
  });

  test('without a type, trades and tickers come merged by timestamp', async (t) => {
    const { store } = openTemp(t);
    await store.writeBatch([ticker(150), trade('1', 100), trade('2', 200), ticker(250), trade('3', 150)]);
    const got = await collect(store.readRange(q));
    assert.deepEqual(got.map((r) => `${r.type}@${r.timestamp}`), [
      'trade@100', 'trade@150', 'ticker@150', 'trade@200', 'ticker@250',
    ]);
    await store.close();
  });
});

describe('history store: reading synchronously or not', () => {
  test('readRange iterates with for…of and with for await to the same records, and each iteration is a fresh scan', async (t) => {
    const { store } = openTemp(t);
    await store.writeBatch([trade('1', 100), ticker(150), trade('2', 200), trade('3', 300)]);
    const records = store.readRange(q);
    const sync = [...records];
    const asynchronous: MarketRecord[] = [];
    for await (const r of records) asynchronous.push(r);
    assert.deepEqual(sync.map((r) => r.timestamp), [100, 150, 200, 300]);
    assert.deepEqual(asynchronous, sync);
    // the same object read again after a write sees the write: it scans anew
    await store.writeBatch([trade('4', 400)]);
    assert.equal([...records].length, 5);
    await store.close();
  });

  test('eachRecord stops at false, awaits a visitor that returns a promise, and reads an async-only source', async () => {
    const seen: number[] = [];
    await eachRecord([1, 2, 3, 4], (n) => {
      seen.push(n);
      return n < 2;
    });
    assert.deepEqual(seen, [1, 2]);
    const order: string[] = [];
    await eachRecord([1, 2], async (n) => {
      await Promise.resolve();
      order.push(`visited ${n}`);
    });
    assert.deepEqual(order, ['visited 1', 'visited 2']);
    const fromAsync: number[] = [];
    await eachRecord((async function* () { yield 7; yield 8; yield 9; })(), (n) => {
      fromAsync.push(n);
      return n !== 8;
    });
    assert.deepEqual(fromAsync, [7, 8]);
  });
});

describe('history store: duplicates and cursors', () => {
  test('a trade written twice is counted as a duplicate and stored once, across and within batches', async (t) => {
    const { store } = openTemp(t);
    assert.deepEqual(await store.writeBatch([trade('1', 100), trade('2', 200)]), { written: 2, duplicates: 0 });
    // the same trades again (as REST backfill would bring them, received later), plus one repeat in-batch
    const again = [trade('2', 200, { localTimestamp: 9999 }), trade('3', 300), trade('3', 300), trade('1', 100)];
    assert.deepEqual(await store.writeBatch(again), { written: 1, duplicates: 3 });
    const got = await collect(store.readRange({ ...q, type: 'trade' }));
    assert.deepEqual(got.map((r) => (r.type === 'trade' ? r.id : '')), ['1', '2', '3']);
    // the first copy wins: the stored record is the live one
    assert.equal(got[1]?.localTimestamp, 203);
    assert.equal(store.readCursor('binance', 'spot', 'BTC/USDT')?.count, 3);
    await store.close();
  });

  test('cursors name the newest trade and count what is stored; an older backfilled trade only adds to count', async (t) => {
    const { store } = openTemp(t);
    await store.writeBatch([trade('5', 500), trade('7', 700), trade('6', 600), trade('1', 50, { symbol: 'ETH/USDT' })]);
    assert.deepEqual(store.readCursor('binance', 'spot', 'BTC/USDT'), {
      exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', lastTradeId: '7', lastTimestamp: 700, count: 3, resumeTradeId: '7', resumeTimestamp: 700,
    });
    await store.writeBatch([trade('4', 400), trade('10', 700)]);
    assert.deepEqual(store.readCursor('binance', 'spot', 'BTC/USDT'), {
      exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', lastTradeId: '10', lastTimestamp: 700, count: 5, resumeTradeId: '10', resumeTimestamp: 700,
    });
    assert.equal(store.readCursor('binance', 'spot', 'SOL/USDT'), undefined);
    assert.deepEqual(
      store.listCursors().map((c) => `${c.symbol}:${c.lastTradeId}:${c.count}`).sort(),
      ['BTC/USDT:10:5', 'ETH/USDT:1:1'],
    );
    await store.close();
  });

  test('the resume point stays before a known hole: a symbol with a gap open keeps it, the others move on', async (t) => {
    const path = tempDir(t);
    let store = openHistoryStore({ path, noSync: true });
    await store.writeBatch([trade('5', 500), trade('1', 50, { symbol: 'ETH/USDT' })]);
    // BTC's stream broke after trade 5 and its window is being filled: live trades 9 and 10 are
    // stored, but a restart must resume from 5, or the hole 6..8 is forgotten
    await store.writeBatch([trade('9', 900), trade('10', 1000), trade('2', 60, { symbol: 'ETH/USDT' })], { openGaps: new Set(['BTC/USDT']) });
    const btc = store.readCursor('binance', 'spot', 'BTC/USDT')!;
    assert.deepEqual([btc.lastTradeId, btc.resumeTradeId, btc.resumeTimestamp], ['10', '5', 500]);
    assert.equal(store.readCursor('binance', 'spot', 'ETH/USDT')!.resumeTradeId, '2');
    await store.close();
    // after a crash (reopened), the point is where it was; once the hole is filled it moves on
    store = openHistoryStore({ path, noSync: true });
    assert.equal(store.readCursor('binance', 'spot', 'BTC/USDT')!.resumeTradeId, '5');
    await store.writeBatch([trade('6', 600), trade('7', 700), trade('8', 800), trade('11', 1100)]);
    assert.deepEqual([store.readCursor('binance', 'spot', 'BTC/USDT')!.resumeTradeId, store.readCursor('binance', 'spot', 'BTC/USDT')!.resumeTimestamp], ['11', 1100]);
    await store.close();
  });

  test('trades after the cursor, ties on timestamp and older trades are each told new or duplicate exactly, also after reopening', async (t) => {
    const path = tempDir(t);
    let store = openHistoryStore({ path, noSync: true });
    assert.deepEqual(await store.writeBatch([trade('10', 1000), trade('12', 1000)]), { written: 2, duplicates: 0 });
    // 11: same millisecond, smaller id, never stored; 13: same millisecond, larger id; 5: older,
    // never stored (backfill); 12 and 10: stored already; 14: newer
    const mixed = [trade('11', 1000), trade('12', 1000), trade('13', 1000), trade('5', 900), trade('10', 1000), trade('14', 1001)];
    assert.deepEqual(await store.writeBatch(mixed), { written: 4, duplicates: 2 });
    // a string id sorts after every number of its millisecond; a number tied with it is still checked
    assert.deepEqual(await store.writeBatch([trade('abc', 1001), trade('15', 1001), trade('abc', 1001)]), { written: 2, duplicates: 1 });
    await store.close();
    store = openHistoryStore({ path, noSync: true });
    assert.deepEqual(await store.writeBatch([trade('abc', 1001), trade('14', 1001), trade('16', 1001), trade('1', 1002)]), { written: 2, duplicates: 2 });
    const ids = (await collect(store.readRange({ ...q, type: 'trade' }))).map((r) => (r.type === 'trade' ? r.id : ''));
    assert.deepEqual(ids, ['5', '10', '11', '12', '13', '14', '15', '16', 'abc', '1']);
    assert.deepEqual(store.readCursor('binance', 'spot', 'BTC/USDT'), {
      exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', lastTradeId: '1', lastTimestamp: 1002, count: 10, resumeTradeId: '1', resumeTimestamp: 1002,
    });
    await store.close();
  });

  test('a batch with an unstorable record is refused whole: no records, no cursor change', async (t) => {
    const { store } = openTemp(t);
    await store.writeBatch([trade('1', 100)]);
    const bad = [{ ...trade('3', 300), price: Number.NaN }, { ...trade('3', 300), side: 'Sell' }, { ...ticker(300), bid: '1' }];
    for (const b of bad) {
      await assert.rejects(store.writeBatch([trade('2', 200), b as MarketRecord]), { code: 'TV_ERR_STORE_INVALID_RECORD' });
    }
    assert.equal((await collect(store.readRange(q))).length, 1);
    assert.equal(store.readCursor('binance', 'spot', 'BTC/USDT')?.count, 1);
    await store.close();
  });

  test('concurrent batches each report their own counts and together store everything once', async (t) => {
    const { store } = openTemp(t);
    const batches = [0, 1, 2, 3].map((b) => [0, 1, 2].map((i) => trade(String(b * 2 + i), 1000 + b * 2 + i)));
    const results = await Promise.all(batches.map((batch) => store.writeBatch(batch)));
    // ids overlap by one between neighbouring batches: 4 batches × 3 = 12 offered, 9 distinct
    assert.equal(results.reduce((n, r) => n + r.written, 0), 9);
    assert.equal(results.reduce((n, r) => n + r.duplicates, 0), 3);
    assert.equal(results[0]?.duplicates, 0);
    assert.equal((await collect(store.readRange(q))).length, 9);
    assert.equal(store.readCursor('binance', 'spot', 'BTC/USDT')?.count, 9);
    await store.close();
  });
});

describe('history store: lifecycle', () => {
  test('data and cursors survive close and reopen (with sync on, the default)', async (t) => {
    const path = tempDir(t);
    const first = openHistoryStore({ path });
    await first.writeBatch([trade('1', 100), ticker(150)]);
    await first.close();
    const second = openHistoryStore({ path });
    assert.equal((await collect(second.readRange(q))).length, 2);
    assert.equal(second.readCursor('binance', 'spot', 'BTC/USDT')?.lastTradeId, '1');
    // a second ticker with the same timestamps after reopen is not lost to a key collision
    assert.deepEqual(await second.writeBatch([ticker(150)]), { written: 1, duplicates: 0 });
    assert.equal((await collect(second.readRange({ ...q, type: 'ticker' }))).length, 2);
    await second.close();
  });

  test('a closed store refuses work with TV_ERR_STORE_CLOSED', async (t) => {
    const { store } = openTemp(t);
    await store.close();
    await assert.rejects(store.writeBatch([trade('1', 1)]), { code: 'TV_ERR_STORE_CLOSED' });
    assert.throws(() => store.listCursors(), { code: 'TV_ERR_STORE_CLOSED' });
    await store.close(); // idempotent
  });
});
