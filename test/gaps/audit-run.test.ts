import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runAudit, type AuditIo } from '../../src/audit/run-audit.js';
import { createAdapter } from '../../src/exchanges/index.js';
import type { RestClient } from '../../src/exchanges/types.js';
import { fakeExchange, fakeStore, trade } from './audit-fakes.js';

const T0 = 1_700_000_000_000;

/** the exchange published trades 1..n, one every 100 ms from T0; the live stream lost `lost` */
function setup(n: number, lost: number[]) {
  const ex = fakeExchange();
  const store = fakeStore();
  for (let i = 1; i <= n; i++) {
    const t = trade('A', i, T0 + i * 100);
    ex.publish(t);
    if (!lost.includes(i)) store.put(t);
  }
  const pushed: string[][] = [];
  const io: AuditIo = {
    recentTrades: (s, f) => ex.recentTrades(s, f),
    storedIds: (s, f, t) => store.storedIds(s, f, t),
    backfill: (trades) => {
      pushed.push(trades.map((t) => t.id));
      return store.backfill(trades);
    },
  };
  return { ex, store, io, pushed };
}

describe('runAudit: one window of one symbol', () => {
  test('finds the trades the store lacks and backfills exactly those', async () => {
    const { io, store, pushed } = setup(30, [4, 5, 17]);
    const r = await runAudit(io, { symbol: 'A', from: T0 }, { now: T0 + 10_000, settleMs: 500 });
    assert.deepEqual(pushed, [['4', '5', '17']], 'only the missing trades go back into the pipeline');
    assert.equal(r.missing, 3);
    assert.equal(r.filled, 3);
    assert.equal(r.checked, 29, 'trade 30 is the newest: its window is not closed yet (same-ms siblings may follow)');
    assert.equal(r.until, T0 + 3_000 - 1);
    assert.equal(r.complete, true);
    assert.equal(store.ids('A').length, 30);
  });

  test('the window ends settleMs before now: trades still on their way are not judged', async () => {
    const { io, pushed } = setup(30, [25, 28]);
    const r = await runAudit(io, { symbol: 'A', from: T0 }, { now: T0 + 2_600, settleMs: 500 });
    assert.equal(r.until, T0 + 2_100);
    assert.deepEqual(pushed, [], 'trades 25 and 28 are newer than now - settle');
    assert.equal(r.checked, 21);
  });

  test('an exchange clock behind ours: the window ends before the newest trade REST knows', async () => {
    const { io } = setup(10, []);
    // our clock is far ahead of the exchange's newest trade (T0 + 1000)
    const r = await runAudit(io, { symbol: 'A', from: T0 }, { now: T0 + 60_000, settleMs: 500 });
    assert.equal(r.until, T0 + 999, 'a trade the exchange stamps later can never land in a window already judged');
  });

  test('no trade since the window start: nothing judged, the window stays open, the store is not read', async () => {
    const { io, store } = setup(10, []);
    const r = await runAudit(io, { symbol: 'A', from: T0 + 5_000 }, { now: T0 + 60_000, settleMs: 500 });
    assert.equal(r.until, undefined);
    assert.equal(store.reads.length, 0);
  });

  test('the store is read a little wider than the trades REST listed: REST and the socket may stamp one trade apart', async () => {
    const { io, store } = setup(10, []);
    await runAudit(io, { symbol: 'A', from: T0 + 150 }, { now: T0 + 60_000, settleMs: 500, storeSlackMs: 300 });
    assert.deepEqual(store.reads, [{ symbol: 'A', from: T0 + 200 - 300, to: T0 + 999 + 300 }]);
  });

  test('a window that outgrew what REST serves: the store is read only as far back as the answer reaches', async () => {
    const ex = fakeExchange(50);
    const store = fakeStore();
    for (let i = 1; i <= 1_000; i++) {
      const t = trade('A', i, T0 + i * 100);
      ex.publish(t);
      store.put(t);
    }
    const io: AuditIo = { recentTrades: (s, f) => ex.recentTrades(s, f), storedIds: (s, f, t) => store.storedIds(s, f, t), backfill: (t) => store.backfill(t) };
    const r = await runAudit(io, { symbol: 'A', from: T0 }, { now: T0 + 200_000, settleMs: 500, storeSlackMs: 0 });
    assert.equal(r.complete, false);
    assert.equal(r.checked, 49);
    assert.deepEqual(store.reads, [{ symbol: 'A', from: T0 + 951 * 100, to: T0 + 100_000 - 1 }], 'not the whole window back to T0');
  });

  test('a missing trade that arrived live meanwhile is counted missing but not filled (dedup drops it)', async () => {
    const { io, store, ex } = setup(10, [3]);
    const late = ex.history.get('A')![2]!;
    const r = await runAudit(
      { ...io, backfill: (trades) => { store.put(late); return store.backfill(trades); } },
      { symbol: 'A', from: T0 },
      { now: T0 + 60_000, settleMs: 500 },
    );
    assert.deepEqual({ missing: r.missing, filled: r.filled }, { missing: 1, filled: 0 });
  });

  test('Bybit serves only its last 1000 trades: a window reaching further back is judged for what is served and reported unfilled', async () => {
    // the documented exception: recent-trade is the only trade history Bybit's public API has
    const adapter = createAdapter('bybit', 'futures', { restUrl: 'http://bybit.test', wsUrl: 'ws://bybit.test' });
    const published = Array.from({ length: 1_500 }, (_, i) => ({ id: `e-${String(i).padStart(5, '0')}`, time: T0 + i * 10 }));
    const rest: RestClient = async () => ({
      status: 200,
      headers: {},
      body: {
        retCode: 0,
        retMsg: 'OK',
        result: {
          category: 'linear',
          list: published.slice(-1_000).reverse().map((p) => ({ execId: p.id, symbol: 'BTCUSDT', price: '1', size: '1', side: 'Buy', time: String(p.time), isBlockTrade: false })),
        },
      },
    });
    const instrument = { symbol: 'BTC/USDT:USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true };
    const store = fakeStore();
    const io: AuditIo = {
      recentTrades: (_s, from) => adapter.backfillTrades(rest, { instrument, from, to: Number.MAX_SAFE_INTEGER, maxTrades: 1_000 }, 'http://bybit.test'),
      storedIds: (s, f, t) => store.storedIds(s, f, t),
      backfill: (trades) => store.backfill(trades),
    };
    const r = await runAudit(io, { symbol: 'BTC/USDT:USDT', from: T0 }, { now: T0 + 60_000, settleMs: 500 });
    assert.equal(r.complete, false, 'the 500 oldest trades of the window are beyond what Bybit serves');
    assert.equal(r.checked, 999);
    assert.equal(r.filled, 999);
    assert.equal(r.until, T0 + 1_499 * 10 - 1);
  });

  test('an answer the adapter calls unproven (short or empty pages) is not judged: the window stays open', async () => {
    const { io, store, pushed } = setup(30, [4, 5]);
    const lying: AuditIo = { ...io, recentTrades: async () => ({ trades: [], complete: false, incomplete: 'unproven' }) };
    const r = await runAudit(lying, { symbol: 'A', from: T0 }, { now: T0 + 10_000, settleMs: 500 });
    assert.equal(r.until, undefined, 'not "nothing missing": asked again on a later turn');
    assert.equal(r.unproven, true);
    assert.equal(r.complete, false);
    assert.deepEqual(pushed, []);
    assert.equal(store.reads.length, 0);
  });

  test('an answer that claims the whole window but misses trades the store holds in it is not believed', async () => {
    // REST lists only the newest 5 trades and says nothing older exists (a short page taken for the
    // end of history), while the store holds trades 1..25 of the same window: trades 4 and 5 were lost
    const { io, pushed } = setup(30, [4, 5]);
    const lying: AuditIo = {
      ...io,
      recentTrades: async (s, f) => {
        const honest = await io.recentTrades(s, f);
        return { trades: honest!.trades.slice(-5), complete: true };
      },
    };
    const r = await runAudit(lying, { symbol: 'A', from: T0 }, { now: T0 + 10_000, settleMs: 500, storeSlackMs: 200 });
    assert.equal(r.until, undefined);
    assert.equal(r.unproven, true);
    assert.deepEqual(pushed, []);
    // asked again, honestly: the lost trades are found
    const again = await runAudit(io, { symbol: 'A', from: T0 }, { now: T0 + 10_000, settleMs: 500, storeSlackMs: 200 });
    assert.equal(again.missing, 2);
    assert.equal(again.complete, true);
  });

  test('a window the live stream lost whole, and a short answer claiming nothing older exists, is not believed', async () => {
    // the live stream lost trades 21..28 (a stall), so the store holds nothing in the window
    // [21, 28]; REST answers with its newest trade only, "complete" on its word that nothing older
    // exists (wholeHistoryFrom); the store holds older trades of the symbol: a partial answer
    const { io, pushed } = setup(30, [21, 22, 23, 24, 25, 26, 27, 28]);
    const from = T0 + 21 * 100;
    const partial: AuditIo = {
      ...io,
      recentTrades: async (s, f) => {
        const honest = await io.recentTrades(s, f);
        const newest = honest!.trades.slice(-1);
        return { trades: newest, complete: true, wholeHistoryFrom: newest[0]!.timestamp };
      },
    };
    const r = await runAudit(partial, { symbol: 'A', from }, { now: T0 + 10_000, settleMs: 500, storeSlackMs: 50 });
    assert.equal(r.until, undefined, 'the window stays open');
    assert.equal(r.unproven, true);
    assert.deepEqual(pushed, []);
    const again = await runAudit(io, { symbol: 'A', from }, { now: T0 + 10_000, settleMs: 500, storeSlackMs: 50 });
    assert.equal(again.missing, 8);
  });

  test('a short answer for a symbol with nothing older stored (a young symbol) is believed', async () => {
    const { io } = setup(30, []);
    const young: AuditIo = {
      ...io,
      recentTrades: async (s, f) => {
        const honest = await io.recentTrades(s, f);
        return { ...honest!, wholeHistoryFrom: T0 + 100 };
      },
    };
    const r = await runAudit(young, { symbol: 'A', from: T0 - 10_000 }, { now: T0 + 10_000, settleMs: 500, storeSlackMs: 50 });
    assert.equal(r.complete, true);
    assert.equal(r.checked, 29);
  });

  test('a quiet stretch at the window start, with nothing stored in it, is judged as usual', async () => {
    const { io } = setup(30, []);
    // the window starts 10 s before the first trade: REST's oldest listed trade is far from `from`
    const r = await runAudit(io, { symbol: 'A', from: T0 - 10_000 }, { now: T0 + 10_000, settleMs: 500, storeSlackMs: 200 });
    assert.equal(r.until, T0 + 3_000 - 1);
    assert.equal(r.complete, true);
    assert.equal(r.checked, 29);
  });
});
