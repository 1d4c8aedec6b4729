import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ExchangeHttpError, bybitAdapter } from '../../src/exchanges/bybit/index.js';
import type { Instrument, RestClient, RestResponse } from '../../src/exchanges/types.js';
import { lyingPages } from './support/lying-pages.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/bybit/${name}`, import.meta.url), 'utf8'));

const ok = (body: unknown): RestResponse => ({ status: 200, headers: {}, body });

describe('bybit listInstruments', () => {
  test('linear: follows nextPageCursor, keeps only USDT linear perpetuals, Trading → active', async () => {
    const calls: string[] = [];
    const http: RestClient = async (url) => {
      calls.push(url);
      const u = new URL(url);
      assert.ok(u.pathname.endsWith('/v5/market/instruments-info'));
      assert.equal(u.searchParams.get('category'), 'linear');
      const cursor = u.searchParams.get('cursor');
      if (cursor === null) return ok(fixture('rest-instruments-linear-page1.json'));
      // the cursor travels back exactly as the exchange gave it
      assert.equal(cursor, 'first%3DBTCUSDT%26last%3DBTCUSDT-27DEC24');
      return ok(fixture('rest-instruments-linear-page2.json'));
    };
    const list = await bybitAdapter('futures').listInstruments(http, 'http://sim/bybit/futures');
    assert.equal(calls.length, 2);
    assert.ok(calls.every((c) => c.startsWith('http://sim/bybit/futures/v5/market/instruments-info?')));
    const expected: Instrument[] = [
      { symbol: 'BTC/USDT:USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true },
      { symbol: 'ETH/USDT:USDT', nativeId: 'ETHUSDT', base: 'ETH', quote: 'USDT', settle: 'USDT', active: true },
      { symbol: 'LUNA/USDT:USDT', nativeId: 'LUNAUSDT', base: 'LUNA', quote: 'USDT', settle: 'USDT', active: false },
    ];
    assert.deepEqual(list, expected);
  });

  test('spot: one page without cursor; every pair mapped, non-Trading inactive', async () => {
    let calls = 0;
    const http: RestClient = async (url) => {
      calls++;
      assert.equal(new URL(url).searchParams.get('category'), 'spot');
      return ok(fixture('rest-instruments-spot.json'));
    };
    const list = await bybitAdapter('spot').listInstruments(http);
    assert.equal(calls, 1);
    assert.deepEqual(
      list.map((i) => [i.symbol, i.nativeId, i.active]),
      [['BTC/USDT', 'BTCUSDT', true], ['ETH/BTC', 'ETHBTC', true], ['OLD/USDC', 'OLDUSDC', false]],
    );
  });

  test('HTTP 403 with retCode 10006 → coded error carrying status and exchange code', async () => {
    const http: RestClient = async () => ({ status: 403, headers: { 'x-bapi-limit-reset-timestamp': '1' }, body: fixture('rest-error-10006.json') });
    await assert.rejects(bybitAdapter('spot').listInstruments(http), (err: unknown) => {
      assert.ok(err instanceof ExchangeHttpError);
      assert.equal(err.code, 'TV_ERR_EXCHANGE_HTTP');
      assert.equal(err.status, 403);
      assert.equal(err.exchangeCode, '10006');
      return true;
    });
  });

  test('HTTP 200 with retCode != 0 → TV_ERR_EXCHANGE_HTTP with status 200 and the exchange code', async () => {
    const http: RestClient = async () => ok({ retCode: 10001, retMsg: 'params error', result: {} });
    await assert.rejects(bybitAdapter('futures').listInstruments(http), (err: unknown) => {
      assert.ok(err instanceof ExchangeHttpError);
      assert.equal(err.code, 'TV_ERR_EXCHANGE_HTTP');
      assert.equal(err.status, 200);
      assert.equal(err.exchangeCode, '10001');
      return true;
    });
  });
});

/** A synthetic trade history served like /v5/market/recent-trade: the newest `limit` trades, newest first. */
interface Row { execId: string; symbol: string; price: string; size: string; side: 'Buy' | 'Sell'; time: string; isBlockTrade: boolean }
const T0 = 1_690_000_000_000;
function ledger(n: number): Row[] {
  // two trades per millisecond, so same-ms siblings exist
  return Array.from({ length: n }, (_, k) => ({
    execId: `e${String(k).padStart(4, '0')}-uuid`,
    symbol: 'BTCUSDT',
    price: (26000 + k / 10).toFixed(1),
    size: '0.01',
    side: k % 3 === 0 ? 'Sell' : 'Buy',
    time: String(T0 + Math.floor(k / 2) * 10),
    isBlockTrade: false,
  }));
}
const timeOf = (k: number): number => T0 + Math.floor(k / 2) * 10;

function recentTradeServer(rows: Row[], maxLimit: number, category: string): { http: RestClient; urls: string[] } {
  const urls: string[] = [];
  const http: RestClient = async (url) => {
    urls.push(url);
    const u = new URL(url);
    assert.equal(u.pathname, '/v5/market/recent-trade');
    assert.equal(u.searchParams.get('category'), category);
    assert.equal(u.searchParams.get('symbol'), 'BTCUSDT');
    const limit = Math.min(Number(u.searchParams.get('limit') ?? 60), maxLimit);
    return ok({ retCode: 0, retMsg: 'OK', result: { category, list: rows.slice(-limit).reverse() }, time: T0 });
  };
  return { http, urls };
}

const spotBtc: Instrument = { symbol: 'BTC/USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', active: true };
const linearBtc: Instrument = { symbol: 'BTC/USDT:USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true };
const ids = (trades: { id: string }[]): string[] => trades.map((t) => t.id);
const range = (a: number, b: number): string[] => ledger(b + 1).slice(a).map((r) => r.execId);

describe('bybit backfillTrades (recent-trade only)', () => {
  const spot = bybitAdapter('spot');

  test('asks for the most the endpoint serves: spot 60, linear 1000', async () => {
    const s = recentTradeServer(ledger(100), 60, 'spot');
    await spot.backfillTrades(s.http, { instrument: spotBtc, from: T0, to: T0 + 10_000 });
    assert.equal(new URL(s.urls[0] ?? '').searchParams.get('limit'), '60');
    const l = recentTradeServer(ledger(100), 1000, 'linear');
    const r = await bybitAdapter('futures').backfillTrades(l.http, { instrument: linearBtc, from: T0, to: T0 + 10_000 });
    assert.equal(new URL(l.urls[0] ?? '').searchParams.get('limit'), '1000');
    assert.equal(l.urls.length, 1);
    // the whole (short) history was served: complete, ascending, unified futures symbol
    assert.equal(r.complete, true);
    assert.deepEqual(ids(r.trades), range(0, 99));
    assert.ok(r.trades.every((t) => t.symbol === 'BTC/USDT:USDT' && t.market === 'futures'));
  });

  test('a window inside the served list: exactly its trades, ascending, complete', async () => {
    const { http } = recentTradeServer(ledger(100), 60, 'spot'); // serves k = 40..99
    const r = await spot.backfillTrades(http, { instrument: spotBtc, from: timeOf(50), to: timeOf(80) });
    assert.equal(r.complete, true);
    // k=50 and 51 share from's ms, 80 and 81 share to's ms: all four are in the window
    assert.deepEqual(ids(r.trades), range(50, 81));
    for (let k = 1; k < r.trades.length; k++) assert.ok((r.trades[k - 1]?.timestamp ?? 0) <= (r.trades[k]?.timestamp ?? 0));
    assert.equal(new Set(ids(r.trades)).size, r.trades.length);
  });

  test('a window older than the served list: what there is, reported incomplete', async () => {
    const { http } = recentTradeServer(ledger(100), 60, 'spot');
    const r = await spot.backfillTrades(http, { instrument: spotBtc, from: timeOf(10), to: timeOf(45) });
    assert.equal(r.complete, false);
    assert.deepEqual(ids(r.trades), range(40, 45));
  });

  test('oldest served trade exactly at `from` is not proof of completeness (same-ms siblings)', async () => {
    const { http } = recentTradeServer(ledger(100), 60, 'spot'); // oldest served k=40, its ms starts at k=40
    const r = await spot.backfillTrades(http, { instrument: spotBtc, from: timeOf(40), to: timeOf(99) });
    assert.equal(r.complete, false);
    assert.deepEqual(ids(r.trades), range(40, 99));
  });

  test('a short list for a symbol the venue once listed in full is a partial answer (unproven), not the whole history', async () => {
    const adapter = bybitAdapter('spot');
    const full = recentTradeServer(ledger(100), 60, 'spot'); // a full list: k = 40..99
    assert.equal((await adapter.backfillTrades(full.http, { instrument: spotBtc, from: timeOf(50), to: timeOf(80) })).complete, true);
    // the same symbol later answered with its 5 newest trades only (a partial answer): the window
    // [60, 99] it claims to cover held trades it did not list
    const partial = recentTradeServer(ledger(100), 5, 'spot');
    const r = await adapter.backfillTrades(partial.http, { instrument: spotBtc, from: timeOf(60), to: Number.MAX_SAFE_INTEGER });
    assert.equal(r.complete, false);
    assert.equal(r.incomplete, 'unproven');
    // a short list that reaches back before `from` still covers the window
    const covering = await adapter.backfillTrades(partial.http, { instrument: spotBtc, from: timeOf(97), to: Number.MAX_SAFE_INTEGER });
    assert.equal(covering.complete, true);
    // a fresh adapter (no full list seen) believes a short list: a newly listed symbol's whole history
    assert.equal((await bybitAdapter('spot').backfillTrades(partial.http, { instrument: spotBtc, from: timeOf(60), to: Number.MAX_SAFE_INTEGER })).complete, true);
  });

  test('afterId found in the list: only later trades, complete even if `from` is older', async () => {
    const { http } = recentTradeServer(ledger(100), 60, 'spot');
    const afterId = ledger(100)[70]?.execId;
    const r = await spot.backfillTrades(http, { instrument: spotBtc, afterId, from: T0, to: timeOf(99) });
    assert.equal(r.complete, true);
    assert.deepEqual(ids(r.trades), range(71, 99));
  });

  test('afterId not in the list: falls back to the time window and stays incomplete', async () => {
    const { http } = recentTradeServer(ledger(100), 60, 'spot');
    const r = await spot.backfillTrades(http, { instrument: spotBtc, afterId: 'gone', from: T0, to: timeOf(99) });
    assert.equal(r.complete, false);
    assert.deepEqual(ids(r.trades), range(40, 99));
  });

  test('a window between two known trades ends at the closing trade as REST stamps it, not at the socket\'s time', async () => {
    // REST stamps every trade 50 ms later than the socket did: the socket's `to` would cut off
    // the trades just before the closing one (execIds are not ordered, so its time as listed is the bound)
    const shifted = ledger(100).map((r) => ({ ...r, time: String(Number(r.time) + 50) }));
    const { http } = recentTradeServer(shifted, 60, 'spot');
    const rows = ledger(100);
    const r = await spot.backfillTrades(http, { instrument: spotBtc, afterId: rows[70]!.execId, untilId: rows[90]!.execId, from: timeOf(70), to: timeOf(90) });
    assert.equal(r.complete, true);
    assert.deepEqual(ids(r.trades), range(71, 91), 'trades 71..89, the closing trade and its same-millisecond sibling');
  });

  test('a clock that moved back mid-list: positions, not timestamps, say what lies between the two trades', async () => {
    // from trade 50 on the exchange stamps 20 s earlier: sorted by time, 50..99 would come before
    // 40, and a cut after trade 40 by time would drop them all
    const jumped = ledger(100).map((r, k) => (k >= 50 ? { ...r, time: String(Number(r.time) - 20_000) } : r));
    const { http } = recentTradeServer(jumped, 60, 'spot');
    const rows = ledger(100);
    const r = await spot.backfillTrades(http, { instrument: spotBtc, afterId: rows[45]!.execId, untilId: rows[70]!.execId, from: timeOf(45), to: timeOf(70) - 20_000 });
    assert.equal(r.complete, true);
    assert.deepEqual([...ids(r.trades)].sort(), range(46, 71), 'trades 46..70 and the closing trade\'s same-millisecond sibling');
  });

  test('maxTrades keeps the newest and marks the result incomplete', async () => {
    const { http } = recentTradeServer(ledger(100), 60, 'spot');
    const r = await spot.backfillTrades(http, { instrument: spotBtc, from: timeOf(50), to: timeOf(80), maxTrades: 5 });
    assert.equal(r.complete, false);
    assert.deepEqual(ids(r.trades), range(77, 81));
  });

  test('REST rows normalize like live trades (side, amount, price, time, id)', async () => {
    const http: RestClient = async () => ok(fixture('rest-recent-trade-spot.json'));
    // a fresh adapter: this one has never seen a full list of BTCUSDT (see the next describe)
    const r = await bybitAdapter('spot').backfillTrades(http, { instrument: spotBtc, from: 1672052955000, to: 1672052956000 });
    assert.deepEqual(
      r.trades.map((t) => [t.id, t.side, t.price, t.amount, t.timestamp, t.symbol, t.exchange]),
      [
        ['2100000000007764263', 'buy', 16618.4, 1.25, 1672052955700, 'BTC/USDT', 'bybit'],
        ['2100000000007764264', 'sell', 16618.49, 0.5, 1672052955758, 'BTC/USDT', 'bybit'],
        ['2100000000007764265', 'buy', 16618.5, 0.00012, 1672052955760, 'BTC/USDT', 'bybit'],
      ],
    );
    // three rows < limit 60: the exchange has nothing older
    assert.equal(r.complete, true);
  });

  test('non-200 answers throw a coded error', async () => {
    const http: RestClient = async () => ({ status: 500, headers: {}, body: 'oops' });
    await assert.rejects(spot.backfillTrades(http, { instrument: spotBtc, from: 0, to: 1 }), (err: unknown) => {
      assert.ok(err instanceof ExchangeHttpError);
      assert.equal(err.code, 'TV_ERR_EXCHANGE_HTTP');
      assert.equal(err.status, 500);
      return true;
    });
  });
});

/**
 * A list that lies (short or empty although more exists). Bybit has no paging, so the only defence
 * is to not believe it: `unproven`, asked again later. A full list that does not reach back is the
 * documented limit instead: `beyond-reach`, not worth asking again.
 */
describe('bybit backfillTrades against lists that lie', () => {
  const spot = bybitAdapter('spot');
  const rows = ledger(100);
  const window = { instrument: spotBtc, afterId: rows[70]!.execId, untilId: rows[90]!.execId, from: timeOf(70), to: timeOf(90) };

  test('an empty list although the closing trade exists: unproven, and the next try heals', async () => {
    const lying = lyingPages(recentTradeServer(rows, 60, 'spot').http, ['empty']);
    assert.deepEqual(await spot.backfillTrades(lying.http, window), { trades: [], complete: false, incomplete: 'unproven' });
    const healed = await spot.backfillTrades(lying.http, window);
    assert.equal(healed.complete, true);
    // after trade 70, up to the closing trade's millisecond (trade 91 shares it)
    assert.deepEqual(ids(healed.trades), range(71, 91));
  });

  test('a list shorter than asked without the trade we hold (afterId): not "nothing older exists", unproven', async () => {
    const lying = lyingPages(recentTradeServer(rows, 60, 'spot').http, [5]);
    const r = await spot.backfillTrades(lying.http, window);
    assert.equal(r.complete, false);
    assert.equal(r.incomplete, 'unproven');
  });

  test('a full list that does not reach back is beyond reach, not unproven', async () => {
    const { http } = recentTradeServer(ledger(200), 60, 'spot');
    const r = await spot.backfillTrades(http, { instrument: spotBtc, afterId: 'e0010-uuid', untilId: 'e0195-uuid', from: timeOf(10), to: timeOf(195) });
    assert.equal(r.complete, false);
    assert.equal(r.incomplete, 'beyond-reach');
  });

  test('an honest short list (a young symbol) without afterId is complete', async () => {
    const young = ledger(20);
    const { http } = recentTradeServer(young, 60, 'spot');
    // a fresh adapter: one that served a full list of this symbol before would not believe it
    const r = await bybitAdapter('spot').backfillTrades(http, { instrument: spotBtc, untilId: young[19]!.execId, from: timeOf(0) - 1_000, to: timeOf(19) });
    assert.equal(r.complete, true);
    assert.deepEqual(ids(r.trades), range(0, 19));
  });
});
