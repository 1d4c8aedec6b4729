import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { binanceAdapter } from '../../src/exchanges/binance/index.js';
import type { Instrument, RestClient, RestResponse } from '../../src/exchanges/types.js';
import { lyingPages } from './support/lying-pages.js';
import type { Trade } from '../../src/records.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/binance/${name}`, import.meta.url), 'utf8');
const HOUR = 3_600_000;

const ok = (body: unknown): RestResponse => ({ status: 200, headers: {}, body });
const fail = (status: number, code: number, msg: string): RestResponse => ({ status, headers: {}, body: { code, msg } });

/** Deterministic pseudo-random steps, so the history has equal timestamps and uneven spacing. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

interface PlainTrade { id: number; price: string; qty: string; time: number; isBuyerMaker: boolean }
interface AggTrade { a: number; p: string; q: string; f: number; l: number; T: number; m: boolean }

/**
 * A synthetic spot history: 5000 trades from id 5_000_000, a 3-hour hole after trade 2500.
 * Aggregates group runs of up to 3 trades at the first trade's time, as Binance's do.
 */
function spotHistory(): { trades: PlainTrade[]; aggs: AggTrade[] } {
  const rand = lcg(7);
  const trades: PlainTrade[] = [];
  let time = 1_700_000_000_000;
  for (let i = 0; i < 5000; i++) {
    time += i === 2500 ? 3 * HOUR : Math.floor(rand() * 40); // steps of 0..39 ms, sometimes equal times
    trades.push({ id: 5_000_000 + i, price: (100 + rand()).toFixed(2), qty: (rand() * 2).toFixed(4), time, isBuyerMaker: rand() < 0.5 });
  }
  const aggs: AggTrade[] = [];
  for (let i = 0; i < trades.length; ) {
    const run = 1 + (i % 3);
    const first = trades[i]!;
    const last = trades[Math.min(trades.length, i + run) - 1]!;
    aggs.push({ a: 900_000 + aggs.length, p: first.price, q: first.qty, f: first.id, l: last.id, T: first.time, m: first.isBuyerMaker });
    i += run;
  }
  return { trades, aggs };
}

/** aggTrades as Binance serves them: by fromId, or by a start/end window under one hour. */
function serveAggTrades(aggs: AggTrade[], q: URLSearchParams, calls: string[]): RestResponse {
  const limit = Math.min(Number(q.get('limit') ?? 500), 1000);
  const fromId = q.get('fromId');
  const start = q.get('startTime');
  const end = q.get('endTime');
  if (fromId !== null && start !== null) return fail(400, -1128, 'fromId and startTime together');
  if (fromId !== null) return ok(aggs.filter((a) => a.a >= Number(fromId)).slice(0, limit));
  if (start !== null && end !== null) {
    if (Number(end) - Number(start) >= HOUR) return fail(400, -1127, 'More than 1 hours between startTime and endTime.');
    calls.push(`window ${start}..${end}`);
    return ok(aggs.filter((a) => a.T >= Number(start) && a.T <= Number(end)).slice(0, limit));
  }
  return ok(aggs.slice(-limit));
}

function fakeSpot(history = spotHistory()) {
  const calls: string[] = [];
  const windows: string[] = [];
  const http: RestClient = async (url) => {
    calls.push(url);
    const u = new URL(url);
    if (u.searchParams.get('symbol') !== 'BTCUSDT') return fail(400, -1121, 'Invalid symbol.');
    if (u.pathname === '/api/v3/aggTrades') return serveAggTrades(history.aggs, u.searchParams, windows);
    if (u.pathname === '/api/v3/historicalTrades') {
      const limit = Math.min(Number(u.searchParams.get('limit') ?? 500), 1000);
      const fromId = u.searchParams.get('fromId');
      if (fromId === null) return ok(history.trades.slice(-limit));
      return ok(history.trades.filter((t) => t.id >= Number(fromId)).slice(0, limit));
    }
    return fail(404, -1, 'not found');
  };
  return { http, calls, windows, history };
}

const spotBtc: Instrument = { symbol: 'BTC/USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', active: true };
const futBtc: Instrument = { symbol: 'BTC/USDT:USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true };
const REST = 'http://127.0.0.1:9';

function assertDenseAscending(trades: Trade[]): void {
  const ids = trades.map((t) => Number(t.id));
  assert.equal(new Set(ids).size, ids.length, 'no duplicates');
  for (let i = 1; i < trades.length; i++) {
    assert.equal(ids[i], ids[i - 1]! + 1, `no gap after id ${ids[i - 1]}`);
    assert.ok(trades[i]!.timestamp >= trades[i - 1]!.timestamp, 'ascending time');
  }
}

describe('binance listInstruments', () => {
  test('spot: every symbol, active only when status is TRADING', async () => {
    const urls: string[] = [];
    const http: RestClient = async (url) => (urls.push(url), ok(JSON.parse(fixture('exchangeInfo-spot.json'))));
    const list = await binanceAdapter('spot').listInstruments(http, REST);
    assert.deepEqual(urls, [`${REST}/api/v3/exchangeInfo`]);
    assert.deepEqual(list, [
      { symbol: 'BTC/USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', active: true },
      { symbol: 'ETH/BTC', nativeId: 'ETHBTC', base: 'ETH', quote: 'BTC', active: true },
      { symbol: 'LUNA/USDT', nativeId: 'LUNAUSDT', base: 'LUNA', quote: 'USDT', active: false },
      { symbol: '1000SATS/FDUSD', nativeId: '1000SATSFDUSD', base: '1000SATS', quote: 'FDUSD', active: true },
    ]);
  });

  test('futures: perpetuals only, settled in the margin asset', async () => {
    const urls: string[] = [];
    const http: RestClient = async (url) => (urls.push(url), ok(JSON.parse(fixture('exchangeInfo-futures.json'))));
    const list = await binanceAdapter('futures', { restUrl: REST }).listInstruments(http);
    assert.deepEqual(urls, [`${REST}/fapi/v1/exchangeInfo`]);
    assert.deepEqual(list, [
      { symbol: 'BTC/USDT:USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true },
      { symbol: 'ETH/USDC:USDC', nativeId: 'ETHUSDC', base: 'ETH', quote: 'USDC', settle: 'USDC', active: true },
      { symbol: 'SRM/USDT:USDT', nativeId: 'SRMUSDT', base: 'SRM', quote: 'USDT', settle: 'USDT', active: false },
    ]);
  });

  test('a non-200 answer is a coded error carrying status and Binance code', async () => {
    const http: RestClient = async () => fail(418, -1003, 'Way too many requests; IP banned.');
    await assert.rejects(binanceAdapter('spot').listInstruments(http, REST), { code: 'TV_ERR_EXCHANGE_HTTP', status: 418, exchangeCode: -1003 });
  });

  test('a body without symbols is a coded error', async () => {
    const http: RestClient = async () => ok({ symbols: 'nope' });
    await assert.rejects(binanceAdapter('spot').listInstruments(http, REST), { code: 'TV_ERR_EXCHANGE_RESPONSE' });
  });
});

describe('binance spot backfillTrades', () => {
  test('REST rows normalize exactly like the live trade frame', async () => {
    const http: RestClient = async () => ok(JSON.parse(fixture('historicalTrades.json')));
    const { trades } = await binanceAdapter('spot').backfillTrades(http, { instrument: spotBtc, afterId: '28457000', from: 0, to: 1690000000125 }, REST);
    const live = binanceAdapter('spot').createParser([spotBtc]).parse(fixture('spot-trade-taker-sell.json'), 0).records[0] as Trade;
    assert.equal(trades.length, 1);
    assert.deepEqual({ ...trades[0]!, localTimestamp: 0 }, { ...live, localTimestamp: 0 });
  });

  test('after an id: pages historicalTrades forward from afterId+1 and stops past `to`', async () => {
    const fake = fakeSpot();
    const { trades: h } = fake.history;
    const after = h[100]!;
    const last = h[3400]!; // three pages of 1000 later, across the 3-hour hole
    const result = await binanceAdapter('spot').backfillTrades(fake.http, { instrument: spotBtc, afterId: String(after.id), from: after.time, to: last.time }, REST);
    const expected = h.filter((t) => t.id > after.id && t.time <= last.time);
    assert.equal(result.complete, true);
    assert.deepEqual(result.trades.map((t) => Number(t.id)), expected.map((t) => t.id));
    assertDenseAscending(result.trades);
    assert.equal(result.trades[0]!.id, String(after.id + 1));
    assert.ok(fake.calls[0]!.includes(`fromId=${after.id + 1}`));
    assert.ok(fake.calls.every((u) => u.includes('/api/v3/historicalTrades') && u.includes('limit=1000')));
    assert.equal(fake.calls.length, 4, 'stops at the page holding the first trade past `to`');
  });

  test('without an id: finds the first trade at `from` through aggTrades (f), then pages forward', async () => {
    const fake = fakeSpot();
    const { trades: h } = fake.history;
    const from = h[1234]!.time;
    const to = h[2100]!.time;
    const result = await binanceAdapter('spot').backfillTrades(fake.http, { instrument: spotBtc, from, to }, REST);
    const expected = h.filter((t) => t.time >= from && t.time <= to);
    assert.equal(result.complete, true);
    assert.deepEqual(result.trades.map((t) => Number(t.id)), expected.map((t) => t.id));
    assertDenseAscending(result.trades);
    assert.ok(fake.calls[0]!.includes('/api/v3/aggTrades') && fake.calls[0]!.includes(`startTime=${from}`) && fake.calls[0]!.includes('limit=1'));
  });

  test('a window starting in a silent stretch walks hour-long aggTrades windows to the first trade', async () => {
    const fake = fakeSpot();
    const { trades: h } = fake.history;
    const from = h[2499]!.time + 1; // inside the 3-hour hole
    const to = h[2600]!.time;
    const result = await binanceAdapter('spot').backfillTrades(fake.http, { instrument: spotBtc, from, to }, REST);
    assert.equal(result.complete, true);
    assert.deepEqual(result.trades.map((t) => Number(t.id)), h.slice(2500, 2601).map((t) => t.id));
    assert.equal(fake.windows.length, 3, 'two empty hours, then the hour holding trade 2500 (3 h after trade 2499)');
  });

  test('a window with no trade at all is complete and empty', async () => {
    const fake = fakeSpot();
    const { trades: h } = fake.history;
    const result = await binanceAdapter('spot').backfillTrades(fake.http, { instrument: spotBtc, from: h[2499]!.time + 1, to: h[2499]!.time + 2 * HOUR }, REST);
    assert.deepEqual(result, { trades: [], complete: true });
  });

  test('a window reaching past the newest trade ends at the short page, complete', async () => {
    const fake = fakeSpot();
    const { trades: h } = fake.history;
    const result = await binanceAdapter('spot').backfillTrades(fake.http, { instrument: spotBtc, afterId: String(h[4000]!.id), from: 0, to: Number.MAX_SAFE_INTEGER }, REST);
    assert.equal(result.complete, true);
    assert.equal(result.trades.length, 999);
    assert.equal(result.trades.at(-1)!.id, String(h.at(-1)!.id));
  });

  test('maxTrades cuts the backfill short and reports it incomplete', async () => {
    const fake = fakeSpot();
    const { trades: h } = fake.history;
    const result = await binanceAdapter('spot').backfillTrades(fake.http, { instrument: spotBtc, afterId: String(h[10]!.id), from: 0, to: h[2000]!.time, maxTrades: 1500 }, REST);
    assert.equal(result.complete, false);
    assert.deepEqual(result.trades.map((t) => Number(t.id)), h.slice(11, 1511).map((t) => t.id));
  });

  test('a non-200 page is a coded error with the status', async () => {
    const fake = fakeSpot();
    const other = { ...spotBtc, nativeId: 'NOPEUSDT' };
    await assert.rejects(
      binanceAdapter('spot').backfillTrades(fake.http, { instrument: other, afterId: '1', from: 0, to: 1 }, REST),
      { code: 'TV_ERR_EXCHANGE_HTTP', status: 400, exchangeCode: -1121 },
    );
  });

  test('an unreadable row is a coded response error', async () => {
    const http: RestClient = async () => ok([{ id: 1, price: 'x', qty: '1', time: 1, isBuyerMaker: true }]);
    await assert.rejects(binanceAdapter('spot').backfillTrades(http, { instrument: spotBtc, afterId: '0', from: 0, to: 10 }, REST), { code: 'TV_ERR_EXCHANGE_RESPONSE' });
  });
});

describe('binance futures backfillTrades', () => {
  /** futures history = aggregate trades; their `a` ids are the live aggTrade ids */
  function fakeFutures() {
    const { aggs } = spotHistory();
    const calls: string[] = [];
    const windows: string[] = [];
    const http: RestClient = async (url) => {
      calls.push(url);
      const u = new URL(url);
      if (u.pathname !== '/fapi/v1/aggTrades') return fail(404, -1, 'not found');
      return serveAggTrades(aggs, u.searchParams, windows);
    };
    return { http, calls, windows, aggs };
  }

  test('REST rows normalize exactly like the live aggTrade frame', async () => {
    const http: RestClient = async () => ok(JSON.parse(fixture('aggTrades-futures.json')));
    const { trades } = await binanceAdapter('futures').backfillTrades(http, { instrument: futBtc, afterId: '77310044', from: 0, to: 1690000010099 }, REST);
    const live = binanceAdapter('futures').createParser([futBtc]).parse(fixture('futures-aggtrade.json'), 0).records[0] as Trade;
    assert.deepEqual(trades.map((t) => ({ ...t, localTimestamp: 0 })), [{ ...live, localTimestamp: 0 }]);
  });

  test('after an id: pages aggTrades by fromId only (never mixed with a time window)', async () => {
    const fake = fakeFutures();
    const after = fake.aggs[50]!;
    const last = fake.aggs[2200]!;
    const result = await binanceAdapter('futures').backfillTrades(fake.http, { instrument: futBtc, afterId: String(after.a), from: after.T, to: last.T }, REST);
    assert.equal(result.complete, true);
    assert.deepEqual(result.trades.map((t) => Number(t.id)), fake.aggs.filter((a) => a.a > after.a && a.T <= last.T).map((a) => a.a));
    assertDenseAscending(result.trades);
    assert.ok(fake.calls.every((u) => u.includes('fromId=') && !u.includes('startTime')));
  });

  test('without an id: one hour-window lookup, then fromId paging; no duplicates, no gaps', async () => {
    const fake = fakeFutures();
    const from = fake.aggs[300]!.T;
    const to = fake.aggs[1900]!.T;
    const result = await binanceAdapter('futures').backfillTrades(fake.http, { instrument: futBtc, from, to }, REST);
    assert.equal(result.complete, true);
    assert.deepEqual(result.trades.map((t) => Number(t.id)), fake.aggs.filter((a) => a.T >= from && a.T <= to).map((a) => a.a));
    assertDenseAscending(result.trades);
    assert.equal(fake.windows.length, 1);
  });
});

/**
 * Pages that lie (short or empty although more exists, as the simulator's rest-partial and
 * rest-empty faults serve them): ids are dense, so a window is whole only when every id up to the
 * trade that closed it came back. Anything less is `unproven`, never complete.
 */
describe('binance backfillTrades against pages that lie', () => {
  test('spot, short pages: paging goes on from the last id got until the closing trade', async () => {
    const fake = fakeSpot();
    const { trades: h } = fake.history;
    const after = h[100]!;
    const until = h[400]!;
    const lying = lyingPages(fake.http, [5, 5, 5, 5]);
    const result = await binanceAdapter('spot').backfillTrades(
      lying.http, { instrument: spotBtc, afterId: String(after.id), untilId: String(until.id), from: after.time, to: until.time }, REST,
    );
    assert.equal(lying.lies(), 4);
    assert.equal(result.complete, true);
    assert.deepEqual(result.trades.map((t) => Number(t.id)), h.slice(101, 401).map((t) => t.id));
    assertDenseAscending(result.trades);
    assert.deepEqual(fake.calls.slice(0, 5).map((u) => new URL(u).searchParams.get('fromId')), ['5000101', '5000106', '5000111', '5000116', '5000121']);
  });

  test('spot, an empty page while the closing trade lies ahead: unproven with what came, and the next try heals', async () => {
    const fake = fakeSpot();
    const { trades: h } = fake.history;
    const after = h[100]!;
    const until = h[400]!;
    const request = { instrument: spotBtc, afterId: String(after.id), untilId: String(until.id), from: after.time, to: until.time };
    const lying = lyingPages(fake.http, [50, 'empty']);
    const first = await binanceAdapter('spot').backfillTrades(lying.http, request, REST);
    assert.equal(first.complete, false);
    assert.equal(first.incomplete, 'unproven', 'an empty page is no proof that ids 151..400 do not exist');
    assert.deepEqual(first.trades.map((t) => Number(t.id)), h.slice(101, 151).map((t) => t.id), 'what did come is kept');
    const second = await binanceAdapter('spot').backfillTrades(lying.http, request, REST);
    assert.equal(second.complete, true);
    assert.deepEqual(second.trades.map((t) => Number(t.id)), h.slice(101, 401).map((t) => t.id));
  });

  test('spot, first subscription: a time lookup that finds nothing although the closing trade exists is unproven', async () => {
    const fake = fakeSpot();
    const { trades: h } = fake.history;
    const first = h[1000]!;
    const lying = lyingPages(fake.http, ['empty']);
    const request = { instrument: spotBtc, untilId: String(first.id), from: h[990]!.time, to: first.time };
    const lied = await binanceAdapter('spot').backfillTrades(lying.http, request, REST);
    assert.deepEqual(lied, { trades: [], complete: false, incomplete: 'unproven' });
    const healed = await binanceAdapter('spot').backfillTrades(lying.http, request, REST);
    assert.equal(healed.complete, true);
    assert.ok(h.slice(991, 1000).every((t) => healed.trades.some((x) => Number(x.id) === t.id)), 'the trades before the first live one came back');
  });

  test('spot, a page with a hole in its ids: read on from the hole, never skip it', async () => {
    const fake = fakeSpot();
    const { trades: h } = fake.history;
    const after = h[100]!;
    const until = h[130]!;
    let holed = false;
    const http: RestClient = async (url) => {
      const response = await fake.http(url);
      if (!holed && url.includes('historicalTrades')) {
        holed = true;
        const rows = response.body as PlainTrade[];
        return ok(rows.filter((r) => r.id !== h[110]!.id));
      }
      return response;
    };
    const result = await binanceAdapter('spot').backfillTrades(http, { instrument: spotBtc, afterId: String(after.id), untilId: String(until.id), from: after.time, to: until.time }, REST);
    assert.equal(result.complete, true);
    assert.deepEqual(result.trades.map((t) => Number(t.id)), h.slice(101, 131).map((t) => t.id));
    assert.ok(fake.calls[1]!.includes(`fromId=${h[110]!.id}`));
  });

  test('futures, short then empty aggTrades pages: unproven, then whole on the next try', async () => {
    const { aggs } = spotHistory();
    const inner: RestClient = async (url) => serveAggTrades(aggs, new URL(url).searchParams, []);
    const after = aggs[50]!;
    const until = aggs[700]!;
    const request = { instrument: futBtc, afterId: String(after.a), untilId: String(until.a), from: after.T, to: until.T };
    const lying = lyingPages(inner, [3, 3, 'empty']);
    const lied = await binanceAdapter('futures').backfillTrades(lying.http, request, REST);
    assert.equal(lied.incomplete, 'unproven');
    assert.deepEqual(lied.trades.map((t) => Number(t.id)), aggs.slice(51, 57).map((a) => a.a));
    const healed = await binanceAdapter('futures').backfillTrades(lying.http, request, REST);
    assert.equal(healed.complete, true);
    assert.deepEqual(healed.trades.map((t) => Number(t.id)), aggs.slice(51, 701).map((a) => a.a));
  });

  test('an honest short page ends a window whose closing trade is not known', async () => {
    const fake = fakeSpot();
    const { trades: h } = fake.history;
    const result = await binanceAdapter('spot').backfillTrades(fake.http, { instrument: spotBtc, afterId: String(h[4990]!.id), from: 0, to: Number.MAX_SAFE_INTEGER }, REST);
    assert.equal(result.complete, true);
    assert.equal(result.trades.length, 9);
  });
});
