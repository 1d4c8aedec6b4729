import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ExchangeHttpError, okxAdapter } from '../../src/exchanges/okx/index.js';
import type { Instrument, RestClient, RestResponse } from '../../src/exchanges/types.js';
import { lyingPages } from './support/lying-pages.js';
import { okxBackfillTrades } from '../../src/exchanges/okx/rest.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/okx/${name}`, import.meta.url), 'utf8'));
const ok = (body: unknown): RestResponse => ({ status: 200, headers: {}, body });

describe('okx listInstruments', () => {
  test('spot: baseCcy/quoteCcy, state live → active', async () => {
    const urls: string[] = [];
    const http: RestClient = async (url) => {
      urls.push(url);
      return ok(fixture('rest-instruments-spot.json'));
    };
    const list = await okxAdapter('spot').listInstruments(http, 'http://sim/okx/spot');
    assert.deepEqual(urls, ['http://sim/okx/spot/api/v5/public/instruments?instType=SPOT']);
    assert.deepEqual(
      list.map((i) => [i.symbol, i.nativeId, i.base, i.quote, i.active, i.contractSize]),
      [
        ['BTC/USDT', 'BTC-USDT', 'BTC', 'USDT', true, undefined],
        ['ETH/BTC', 'ETH-BTC', 'ETH', 'BTC', true, undefined],
        ['OLD/USDT', 'OLD-USDT', 'OLD', 'USDT', false, undefined],
      ],
    );
  });

  test('swap: only USDT-margined linear swaps, contractSize = ctVal', async () => {
    const http: RestClient = async (url) => {
      assert.ok(url.endsWith('/api/v5/public/instruments?instType=SWAP'));
      return ok(fixture('rest-instruments-swap.json'));
    };
    const list = await okxAdapter('futures').listInstruments(http);
    const expected: Instrument[] = [
      { symbol: 'BTC/USDT:USDT', nativeId: 'BTC-USDT-SWAP', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true, contractSize: 0.01 },
      { symbol: 'ETH/USDT:USDT', nativeId: 'ETH-USDT-SWAP', base: 'ETH', quote: 'USDT', settle: 'USDT', active: false, contractSize: 0.1 },
    ];
    assert.deepEqual(list, expected);
  });

  test('rows without family/base fields fall back to splitting the instId', async () => {
    const http: RestClient = async () =>
      ok({ code: '0', msg: '', data: [
        { instId: 'SOL-USDT-SWAP', instType: 'SWAP', ctVal: '1', ctValCcy: 'SOL', settleCcy: 'USDT', state: 'live' },
        { instId: 'XRP-USDT-SWAP', instType: 'SWAP', ctVal: '', settleCcy: 'USDT', state: 'live' }, // no ctVal: unusable
      ] });
    const list = await okxAdapter('futures').listInstruments(http);
    assert.deepEqual(list, [
      { symbol: 'SOL/USDT:USDT', nativeId: 'SOL-USDT-SWAP', base: 'SOL', quote: 'USDT', settle: 'USDT', active: true, contractSize: 1 },
    ]);
    const spotHttp: RestClient = async () => ok({ code: '0', msg: '', data: [{ instId: 'SOL-USDT', instType: 'SPOT', state: 'live' }] });
    assert.deepEqual((await okxAdapter('spot').listInstruments(spotHttp)).map((i) => i.symbol), ['SOL/USDT']);
  });

  test('HTTP 429 with code 50011 → coded error with status and exchange code', async () => {
    const http: RestClient = async () => ({ status: 429, headers: {}, body: fixture('rest-error-50011.json') });
    await assert.rejects(okxAdapter('spot').listInstruments(http), (err: unknown) => {
      assert.ok(err instanceof ExchangeHttpError);
      assert.equal(err.code, 'TV_ERR_EXCHANGE_HTTP');
      assert.equal(err.status, 429);
      assert.equal(err.exchangeCode, '50011');
      return true;
    });
  });

  test('HTTP 200 with code != "0" → TV_ERR_EXCHANGE_HTTP with status 200 and the exchange code', async () => {
    const http: RestClient = async () => ok({ code: '51001', msg: "Instrument ID doesn't exist.", data: [] });
    await assert.rejects(okxAdapter('futures').listInstruments(http), (err: unknown) => {
      assert.ok(err instanceof ExchangeHttpError);
      assert.equal(err.code, 'TV_ERR_EXCHANGE_HTTP');
      assert.equal(err.status, 200);
      assert.equal(err.exchangeCode, '51001');
      return true;
    });
  });
});

/**
 * A synthetic history served like /api/v5/market/history-trades with type=1: newest first,
 * `after=<tradeId>` → strictly older ids, at most `limit` (≤ 100) rows, empty past the start.
 */
interface Row { instId: string; tradeId: string; px: string; sz: string; side: 'buy' | 'sell'; ts: string }
const T0 = 1_690_000_000_000;
const FIRST_ID = 5_000_000;
const timeOf = (k: number): number => T0 + Math.floor(k / 3) * 5; // three trades per millisecond
function ledger(n: number, instId: string): Row[] {
  return Array.from({ length: n }, (_, k) => ({
    instId,
    tradeId: String(FIRST_ID + k),
    px: (30000 + k).toFixed(1),
    sz: k % 2 === 0 ? '2' : '0.3',
    side: k % 5 === 0 ? 'sell' : 'buy',
    ts: String(timeOf(k)),
  }));
}

function historyServer(rows: Row[]): { http: RestClient; urls: string[] } {
  const urls: string[] = [];
  const http: RestClient = async (url) => {
    urls.push(url);
    const u = new URL(url);
    assert.ok(u.pathname.endsWith('/api/v5/market/history-trades'));
    assert.equal(u.searchParams.get('type'), '1');
    assert.equal(u.searchParams.get('instId'), rows[0]?.instId);
    const limit = Math.min(Number(u.searchParams.get('limit') ?? 100), 100);
    const after = u.searchParams.get('after');
    const older = after === null ? rows : rows.filter((r) => Number(r.tradeId) < Number(after));
    return ok({ code: '0', msg: '', data: older.slice(-limit).reverse() });
  };
  return { http, urls };
}

const spotBtc: Instrument = { symbol: 'BTC/USDT', nativeId: 'BTC-USDT', base: 'BTC', quote: 'USDT', active: true };
const swapBtc: Instrument = { symbol: 'BTC/USDT:USDT', nativeId: 'BTC-USDT-SWAP', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true, contractSize: 0.01 };

/** ids the ledger holds in [from, to] and after afterId, ascending: the expected answer. */
function expectedIds(rows: Row[], from: number, to: number, afterId?: string): string[] {
  return rows
    .filter((r) => Number(r.ts) >= from && Number(r.ts) <= to && (afterId === undefined || Number(r.tradeId) > Number(afterId)))
    .map((r) => r.tradeId);
}

function assertAscendingUnique(trades: { id: string; timestamp: number }[]): void {
  assert.equal(new Set(trades.map((t) => t.id)).size, trades.length, 'no duplicates');
  for (let k = 1; k < trades.length; k++) {
    const a = trades[k - 1];
    const b = trades[k];
    assert.ok(a !== undefined && b !== undefined);
    assert.ok(a.timestamp < b.timestamp || (a.timestamp === b.timestamp && Number(a.id) < Number(b.id)), 'ascending');
  }
}

describe('okx backfillTrades (history-trades, backwards by tradeId)', () => {
  const spot = okxAdapter('spot');
  const rows = ledger(1000, 'BTC-USDT');

  test('first page without after, then after = oldest id seen; exactly the window, complete', async () => {
    const { http, urls } = historyServer(rows);
    const from = timeOf(850);
    const to = timeOf(950);
    const r = await spot.backfillTrades(http, { instrument: spotBtc, from, to }, 'http://sim/okx/spot');
    assert.deepEqual(r.trades.map((t) => t.id), expectedIds(rows, from, to));
    assert.equal(r.complete, true);
    assertAscendingUnique(r.trades);
    assert.equal(new URL(urls[0] ?? '').searchParams.get('after'), null);
    assert.equal(new URL(urls[0] ?? '').searchParams.get('limit'), '100');
    // each later page continues strictly below the previous page's oldest id: no gaps, no overlap
    for (let k = 1; k < urls.length; k++) {
      assert.equal(new URL(urls[k] ?? '').searchParams.get('after'), String(FIRST_ID + 1000 - 100 * k));
    }
    // stops at the first page reaching before `from`: k=850 and older are on page 2 (899..800)
    assert.equal(urls.length, 2);
  });

  test('trades sharing from’s millisecond across a page boundary are all kept', async () => {
    // page 3 holds k=799..700, page 4 starts at k=699; k=699, 700 and 701 share one millisecond,
    // so a window starting at that millisecond must read page 4 too
    const from = timeOf(699);
    assert.equal(timeOf(699), timeOf(700));
    const { http } = historyServer(rows);
    const r = await spot.backfillTrades(http, { instrument: spotBtc, from, to: timeOf(999) });
    assert.deepEqual(r.trades.map((t) => t.id), expectedIds(rows, from, timeOf(999)));
    assert.equal(r.complete, true);
  });

  test('afterId is the boundary: trades strictly after it, complete', async () => {
    const { http, urls } = historyServer(rows);
    const afterId = String(FIRST_ID + 850);
    const r = await spot.backfillTrades(http, { instrument: spotBtc, afterId, from: 0, to: timeOf(999) });
    assert.deepEqual(r.trades.map((t) => t.id), expectedIds(rows, 0, timeOf(999), afterId));
    assert.equal(r.trades[0]?.id, String(FIRST_ID + 851));
    assert.equal(r.complete, true);
    assert.equal(urls.length, 2); // 999..900, then 899..800 holds the boundary
  });

  test('history runs out before the window starts: everything there is, incomplete', async () => {
    const short = ledger(250, 'BTC-USDT');
    const { http, urls } = historyServer(short);
    const r = await spot.backfillTrades(http, { instrument: spotBtc, from: T0 - 60_000, to: timeOf(249) });
    assert.deepEqual(r.trades.map((t) => t.id), expectedIds(short, 0, timeOf(249)));
    assert.equal(r.complete, false);
    assert.equal(urls.length, 5); // 100 + 100 + 50 + an empty page, asked twice before it is believed
  });

  test('maxTrades stops paging, keeps the newest, reports incomplete', async () => {
    const { http, urls } = historyServer(rows);
    const r = await spot.backfillTrades(http, { instrument: spotBtc, from: timeOf(0), to: timeOf(999), maxTrades: 150 });
    assert.equal(r.trades.length, 150);
    assert.deepEqual(r.trades.map((t) => t.id), expectedIds(rows, 0, timeOf(999)).slice(-150));
    assert.equal(r.complete, false);
    assert.equal(urls.length, 2);
  });

  test('capped by maxTrades: says where it stopped, and beforeId goes on from there until the window start', async () => {
    const { http, urls } = historyServer(rows);
    const from = timeOf(100);
    const got: string[] = [];
    let beforeId: string | undefined;
    for (let turn = 0; turn < 10; turn++) {
      const r = await spot.backfillTrades(http, { instrument: spotBtc, from, to: Number.MAX_SAFE_INTEGER, maxTrades: 250, ...(beforeId ? { beforeId } : {}) });
      got.unshift(...r.trades.map((t) => t.id));
      if (r.complete) break;
      assert.equal(r.incomplete, 'capped', 'the exchange serves the rest: not beyond reach');
      assert.equal(r.resumeBefore?.id, r.trades[0]?.id);
      beforeId = r.resumeBefore!.id;
    }
    assert.deepEqual(got, expectedIds(rows, from, timeOf(999)), 'every trade of the window once, nothing skipped between the turns');
    // the second turn's first page starts below the first turn's oldest trade
    assert.ok(urls.some((u) => new URL(u).searchParams.get('after') === String(FIRST_ID + 750)));
  });

  test('a window between two known trades is bounded by their ids, whatever times REST stamps on them', async () => {
    // REST stamps every trade 50 ms later than the socket did: the socket's window [from, to] by
    // time would drop the trades just before the closing one, and keep one just after the start
    const shifted = rows.map((r) => ({ ...r, ts: String(Number(r.ts) + 50) }));
    const { http } = historyServer(shifted);
    const afterId = String(FIRST_ID + 500);
    const untilId = String(FIRST_ID + 600);
    const r = await spot.backfillTrades(http, { instrument: spotBtc, afterId, untilId, from: timeOf(500), to: timeOf(600) });
    assert.deepEqual(r.trades.map((t) => t.id), Array.from({ length: 100 }, (_, k) => String(FIRST_ID + 501 + k)));
    assert.equal(r.complete, true);
  });

  test('trades newer than `to` are skipped but paging continues to the window', async () => {
    const { http } = historyServer(rows);
    const r = await spot.backfillTrades(http, { instrument: spotBtc, from: timeOf(100), to: timeOf(200) });
    assert.deepEqual(r.trades.map((t) => t.id), expectedIds(rows, timeOf(100), timeOf(200)));
    assert.equal(r.complete, true);
  });

  test('SWAP rows normalize like live trades: contracts × ctVal', async () => {
    const swapRows = ledger(10, 'BTC-USDT-SWAP');
    const { http } = historyServer(swapRows);
    const r = await okxAdapter('futures').backfillTrades(http, { instrument: swapBtc, from: 0, to: timeOf(9) });
    assert.deepEqual(r.trades.map((t) => t.amount), swapRows.map((row) => (row.sz === '2' ? 0.02 : 0.003)));
    assert.ok(r.trades.every((t) => t.symbol === 'BTC/USDT:USDT' && t.market === 'futures' && t.exchange === 'okx'));
    const noCtVal: Instrument = { ...swapBtc, contractSize: undefined };
    await assert.rejects(okxAdapter('futures').backfillTrades(historyServer(swapRows).http, { instrument: noCtVal, from: 0, to: timeOf(9) }), /contract size/);
  });

  test('documented response body maps field by field', async () => {
    let calls = 0;
    const http: RestClient = async () => (calls++ === 0 ? ok(fixture('rest-history-trades.json')) : ok({ code: '0', msg: '', data: [] }));
    const r = await spot.backfillTrades(http, { instrument: spotBtc, from: 1654161600000, to: 1654161700000 });
    assert.deepEqual(
      r.trades.map((t) => [t.id, t.side, t.price, t.amount, t.timestamp]),
      [
        ['242720719', 'buy', 29964.1, 0.5, 1654161641568],
        ['242720720', 'sell', 29963.2, 0.00001, 1654161646974],
      ],
    );
  });

  test('a 429 mid-paging surfaces as a coded error', async () => {
    let calls = 0;
    const inner = historyServer(rows).http;
    const http: RestClient = async (url) => (calls++ === 1 ? { status: 429, headers: {}, body: fixture('rest-error-50011.json') } : inner(url));
    await assert.rejects(spot.backfillTrades(http, { instrument: spotBtc, from: 0, to: timeOf(999) }), (err: unknown) => {
      assert.ok(err instanceof ExchangeHttpError);
      assert.equal(err.status, 429);
      assert.equal(err.exchangeCode, '50011');
      return true;
    });
  });
});

/**
 * Pages that lie (short or empty although more exists): a window is complete only when the answer
 * reached past its start and up to the trade that closed it; anything less is `unproven`.
 */
describe('okx backfillTrades against pages that lie', () => {
  const spot = okxAdapter('spot');
  const rows = ledger(1000, 'BTC-USDT');
  const afterId = String(FIRST_ID + 700);
  const untilId = String(FIRST_ID + 950);
  const window = { instrument: spotBtc, afterId, untilId, from: timeOf(700), to: timeOf(950) };
  const expected = expectedIds(rows, timeOf(700), timeOf(950), afterId);

  test('short pages: paging goes on below the oldest trade got, complete', async () => {
    const lying = lyingPages(historyServer(rows).http, [7, 7, 7]);
    const r = await spot.backfillTrades(lying.http, window);
    assert.equal(lying.lies(), 3);
    assert.equal(r.complete, true);
    assert.deepEqual(r.trades.map((t) => t.id), expected);
  });

  test('an empty newest page although the closing trade exists: unproven, and the next try heals', async () => {
    const lying = lyingPages(historyServer(rows).http, ['empty']);
    const lied = await spot.backfillTrades(lying.http, window);
    assert.deepEqual(lied, { trades: [], complete: false, incomplete: 'unproven' });
    const healed = await spot.backfillTrades(lying.http, window);
    assert.equal(healed.complete, true);
    assert.deepEqual(healed.trades.map((t) => t.id), expected);
  });

  test('an empty page above the trade we hold (afterId): unproven with what came, never "history ran out"', async () => {
    const lying = lyingPages(historyServer(rows).http, ['honest', 'empty']);
    const r = await spot.backfillTrades(lying.http, window);
    assert.equal(r.complete, false);
    assert.equal(r.incomplete, 'unproven');
    assert.deepEqual(r.trades.map((t) => t.id), expectedIds(rows, timeOf(900), timeOf(950)), 'the newest page is kept');
  });

  test('a newest page that stops before the closing trade is not the newest there is: unproven', async () => {
    // the history as served lags: it ends at trade 900 while the socket already delivered 950
    const lagging = historyServer(rows.slice(0, 901)).http;
    const r = await spot.backfillTrades(lagging, window);
    assert.equal(r.incomplete, 'unproven');
  });

  test('a first subscription (no afterId): an empty page below the newest is asked once more before it is believed', async () => {
    const recent = ledger(150, 'BTC-USDT');
    const now = () => timeOf(149) + 1_000; // inside the retention: "nothing older" can be true
    const lying = lyingPages(historyServer(recent).http, ['honest', 'empty']);
    const urls: string[] = [];
    const http: RestClient = (url) => {
      urls.push(url);
      return lying.http(url);
    };
    const r = await okxBackfillTrades(http, 'http://sim/okx/spot', 'spot', { instrument: spotBtc, untilId: String(FIRST_ID + 149), from: T0 - 60_000, to: timeOf(149) }, now);
    assert.equal(r.complete, true, 'asked again, the page holds trades 0..49; the empty page below them is believed');
    assert.deepEqual(r.trades.map((t) => t.id), expectedIds(recent, 0, timeOf(149)));
    assert.equal(urls.length, 4, 'newest, empty (a lie), the same page again, then the empty page of real exhaustion');
  });
});
