import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { upbitAdapter } from '../../src/exchanges/upbit/index.js';
import type { Instrument, RestClient, RestResponse } from '../../src/exchanges/types.js';
import { lyingPages } from './support/lying-pages.js';
import type { Trade } from '../../src/records.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/upbit/${name}`, import.meta.url), 'utf8');
const ok = (body: unknown): RestResponse => ({ status: 200, headers: {}, body });
const REST = 'http://127.0.0.1:9/v1';
const DAY = 86_400_000;
const BTC: Instrument = { symbol: 'BTC/KRW', nativeId: 'KRW-BTC', base: 'BTC', quote: 'KRW', active: true };

interface Tick {
  market: string; trade_date_utc: string; trade_time_utc: string; timestamp: number; trade_price: number;
  trade_volume: number; prev_closing_price: number; change_price: number; ask_bid: 'ASK' | 'BID'; sequential_id: number;
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** ~2.5 days of KRW-BTC ticks: increasing, unique, non-dense sequential ids; several per ms at times. */
function history(): Tick[] {
  const rand = lcg(11);
  const ticks: Tick[] = [];
  let ts = Date.UTC(2023, 6, 20, 12, 0, 0);
  let prev = 0;
  for (let i = 0; i < 6000; i++) {
    ts += rand() < 0.1 ? 0 : Math.floor(rand() * 70_000);
    let seq = ts * 1000 + Math.floor(rand() * 3);
    if (seq <= prev) seq = prev + 1 + Math.floor(rand() * 2);
    prev = seq;
    const iso = new Date(ts).toISOString();
    ticks.push({
      market: 'KRW-BTC', trade_date_utc: iso.slice(0, 10), trade_time_utc: iso.slice(11, 19), timestamp: ts,
      trade_price: 35_000_000 + Math.floor(rand() * 100_000), trade_volume: Number((rand() * 0.1).toFixed(8)),
      prev_closing_price: 35_000_000, change_price: 0, ask_bid: rand() < 0.5 ? 'ASK' : 'BID', sequential_id: seq,
    });
  }
  return ticks;
}

/**
 * trades/ticks as documented: newest first, `count` ≤ 500, `cursor` = return ticks older than that
 * sequential_id, one trade date per call — the most recent one, or `days_ago` (1–7) dates before it.
 */
function fakeUpbit(ticks = history()) {
  const calls: URL[] = [];
  const latestDay = Math.floor(ticks.at(-1)!.timestamp / DAY);
  const http: RestClient = async (url) => {
    const u = new URL(url);
    calls.push(u);
    if (u.pathname !== '/v1/trades/ticks') return { status: 404, headers: {}, body: { error: { name: 'not_found', message: '' } } };
    if (u.searchParams.get('market') !== 'KRW-BTC') return { status: 404, headers: {}, body: { error: { name: 'Code not found', message: 'market' } } };
    const count = Math.min(Number(u.searchParams.get('count') ?? 1), 500);
    const daysAgo = Number(u.searchParams.get('days_ago') ?? 0);
    if (daysAgo < 0 || daysAgo > 7) return { status: 400, headers: {}, body: { error: { name: 'invalid_parameter', message: 'days_ago' } } };
    const cursor = u.searchParams.get('cursor');
    const day = latestDay - daysAgo;
    const page = ticks
      .filter((t) => Math.floor(t.timestamp / DAY) === day && (cursor === null || t.sequential_id < Number(cursor)))
      .sort((a, b) => b.sequential_id - a.sequential_id)
      .slice(0, count);
    return ok(page);
  };
  return { http, calls, ticks };
}

function assertAscendingUnique(trades: Trade[]): void {
  assert.equal(new Set(trades.map((t) => t.id)).size, trades.length, 'no duplicates');
  for (let i = 1; i < trades.length; i++) {
    const a = trades[i - 1]!;
    const b = trades[i]!;
    assert.ok(a.timestamp < b.timestamp || (a.timestamp === b.timestamp && Number(a.id) < Number(b.id)), 'ascending by (timestamp, id)');
  }
}

const ids = (ts: { sequential_id: number }[]): string[] => ts.map((t) => String(t.sequential_id));

describe('upbit listInstruments', () => {
  test('every listed market, unified quote-last, all active (alerts are not delistings)', async () => {
    const urls: string[] = [];
    const http: RestClient = async (url) => (urls.push(url), ok(JSON.parse(fixture('market-all.json'))));
    const list = await upbitAdapter('spot').listInstruments(http, REST);
    assert.deepEqual(urls, [`${REST}/market/all?isDetails=true`]);
    assert.deepEqual(list, [
      { symbol: 'BTC/KRW', nativeId: 'KRW-BTC', base: 'BTC', quote: 'KRW', active: true },
      { symbol: 'XYZ/KRW', nativeId: 'KRW-XYZ', base: 'XYZ', quote: 'KRW', active: true },
      { symbol: 'ETH/BTC', nativeId: 'BTC-ETH', base: 'ETH', quote: 'BTC', active: true },
      { symbol: 'XRP/USDT', nativeId: 'USDT-XRP', base: 'XRP', quote: 'USDT', active: true },
    ]);
  });

  test('a non-200 answer is a coded error carrying status and the error name', async () => {
    const http: RestClient = async () => ({ status: 429, headers: {}, body: JSON.parse(fixture('rest-error.json')) });
    await assert.rejects(upbitAdapter('spot').listInstruments(http, REST), { code: 'TV_ERR_EXCHANGE_HTTP', status: 429, exchangeCode: 'too_many_requests' });
  });

  test('a body that is not an array is a coded error', async () => {
    const http: RestClient = async () => ok({});
    await assert.rejects(upbitAdapter('spot').listInstruments(http, REST), { code: 'TV_ERR_EXCHANGE_RESPONSE' });
  });
});

describe('upbit backfillTrades', () => {
  test('REST ticks normalize exactly like the live trade frame', async () => {
    const http: RestClient = async () => ok(JSON.parse(fixture('trades-ticks.json')));
    const { trades } = await upbitAdapter('spot').backfillTrades(http, { instrument: BTC, from: 1690000020000, to: 1690000020500 }, REST);
    const live = upbitAdapter('spot').createParser([BTC]).parse(Buffer.from(fixture('trade-snapshot.json')), 0).records[0] as Trade;
    assert.deepEqual(trades.map((t) => ({ ...t, localTimestamp: 0 })), [{ ...live, localTimestamp: 0 }]);
  });

  test('after an id on the latest date: cursor paging backwards, results ascending and exact', async () => {
    const fake = fakeUpbit();
    const after = fake.ticks[5000]!;
    const to = fake.ticks[5900]!.timestamp;
    const result = await upbitAdapter('spot').backfillTrades(fake.http, { instrument: BTC, afterId: String(after.sequential_id), from: after.timestamp, to }, REST);
    assert.equal(result.complete, true);
    assert.deepEqual(result.trades.map((t) => t.id), ids(fake.ticks.filter((t) => t.sequential_id > after.sequential_id && t.timestamp <= to)));
    assertAscendingUnique(result.trades);
    assert.equal(fake.calls[0]!.searchParams.get('cursor'), null, 'the first page is the newest');
    for (let i = 1; i < fake.calls.length; i++) {
      assert.ok(Number(fake.calls[i]!.searchParams.get('cursor')) < Number(fake.calls[i - 1]!.searchParams.get('cursor') ?? Infinity), 'the cursor only moves back');
    }
    assert.ok(fake.calls.every((u) => u.searchParams.get('count') === '500'));
  });

  test('a window on an earlier date steps back with days_ago and finds every trade in it', async () => {
    const fake = fakeUpbit();
    const firstDay = Math.floor(fake.ticks[0]!.timestamp / DAY);
    const from = (firstDay + 1) * DAY - 3_600_000; // the last hour of the first date …
    const to = (firstDay + 1) * DAY + 3_600_000; // … and the first hour of the next one
    const result = await upbitAdapter('spot').backfillTrades(fake.http, { instrument: BTC, from, to }, REST);
    assert.equal(result.complete, true);
    assert.deepEqual(result.trades.map((t) => t.id), ids(fake.ticks.filter((t) => t.timestamp >= from && t.timestamp <= to)));
    assertAscendingUnique(result.trades);
    const daysAgo = new Set(fake.calls.map((u) => u.searchParams.get('days_ago')));
    assert.ok(daysAgo.has(null) && daysAgo.has('1') && daysAgo.has('2'));
    assert.ok(!daysAgo.has('3'), 'stops once a page reaches `from`');
  });

  test('a window older than the history it can reach is served as far as it goes and marked incomplete', async () => {
    const fake = fakeUpbit();
    const from = fake.ticks[0]!.timestamp - 10 * DAY;
    const to = fake.ticks[100]!.timestamp;
    const result = await upbitAdapter('spot').backfillTrades(fake.http, { instrument: BTC, from, to }, REST);
    assert.equal(result.complete, false);
    assert.deepEqual(result.trades.map((t) => t.id), ids(fake.ticks.slice(0, 101)));
    assert.equal(Math.max(...fake.calls.map((u) => Number(u.searchParams.get('days_ago') ?? 0))), 7, 'never asks past days_ago=7');
  });

  test('maxTrades stops the paging and reports the window incomplete', async () => {
    const fake = fakeUpbit();
    const from = fake.ticks[3000]!.timestamp;
    const to = fake.ticks.at(-1)!.timestamp;
    const result = await upbitAdapter('spot').backfillTrades(fake.http, { instrument: BTC, from, to, maxTrades: 700 }, REST);
    assert.equal(result.complete, false);
    assert.equal(result.trades.length, 700);
    assertAscendingUnique(result.trades);
  });

  test('capped by maxTrades: says where it stopped, and beforeId goes on from there until the window start', async () => {
    const fake = fakeUpbit();
    const latestDay = Math.floor(fake.ticks.at(-1)!.timestamp / DAY);
    const today = fake.ticks.filter((t) => Math.floor(t.timestamp / DAY) === latestDay);
    const from = today[Math.floor(today.length / 3)]!.timestamp;
    const got: Trade[] = [];
    let beforeId: string | undefined;
    for (let turn = 0; turn < 20; turn++) {
      const r = await upbitAdapter('spot').backfillTrades(fake.http, { instrument: BTC, from, to: Number.MAX_SAFE_INTEGER, maxTrades: 150, ...(beforeId ? { beforeId } : {}) }, REST);
      got.unshift(...r.trades);
      if (r.complete) break;
      assert.equal(r.incomplete, 'capped');
      beforeId = r.resumeBefore!.id;
    }
    assert.deepEqual(got.map((t) => t.id), ids(today.filter((t) => t.timestamp >= from)));
  });

  test('a window between two known trades is bounded by their ids, whatever times REST stamps on them', async () => {
    // REST stamps every trade 100 s later than the socket did (far more than seen, so that the
    // sparse test history's neighbours fall out of a time bound): the window is bounded by its ids
    const base = history();
    const shifted = base.map((t) => ({ ...t, timestamp: t.timestamp + 100_000 }));
    const fake = fakeUpbit(shifted);
    const after = base[5990]!;
    const until = base[5998]!;
    const r = await upbitAdapter('spot').backfillTrades(
      fake.http,
      { instrument: BTC, afterId: String(after.sequential_id), untilId: String(until.sequential_id), from: after.timestamp, to: until.timestamp },
      REST,
    );
    assert.deepEqual(r.trades.map((t) => t.id), ids(base.slice(5991, 5999)));
    assert.equal(r.complete, true);
  });

  test('a non-200 page is a coded error with the status', async () => {
    const fake = fakeUpbit();
    await assert.rejects(
      upbitAdapter('spot').backfillTrades(fake.http, { instrument: { ...BTC, nativeId: 'KRW-NOPE' }, from: 0, to: 1 }, REST),
      { code: 'TV_ERR_EXCHANGE_HTTP', status: 404 },
    );
  });

  test('an unreadable tick is a coded response error', async () => {
    const http: RestClient = async () => ok([{ sequential_id: 1, timestamp: 1, trade_price: 1, trade_volume: 1, ask_bid: 'SELL' }]);
    await assert.rejects(upbitAdapter('spot').backfillTrades(http, { instrument: BTC, from: 0, to: 10 }, REST), { code: 'TV_ERR_EXCHANGE_RESPONSE' });
  });
});

/**
 * Pages that lie (short or empty although more exists): a short page is not the end of its trade
 * date, and an answer that contradicts the trades we know exist is `unproven`, never complete.
 */
describe('upbit backfillTrades against pages that lie', () => {
  const windowOf = (ticks: Tick[], a: number, b: number) => ({
    instrument: BTC, afterId: String(ticks[a]!.sequential_id), untilId: String(ticks[b]!.sequential_id),
    from: ticks[a]!.timestamp, to: ticks[b]!.timestamp,
  });
  const expectedOf = (ticks: Tick[], a: number, b: number) =>
    ids(ticks.filter((t) => t.sequential_id > ticks[a]!.sequential_id && t.timestamp <= ticks[b]!.timestamp));

  test('short pages: paging goes on from the oldest tick got, on the same date, complete', async () => {
    const fake = fakeUpbit();
    const lying = lyingPages(fake.http, [5, 5, 5]);
    const result = await upbitAdapter('spot').backfillTrades(lying.http, windowOf(fake.ticks, 5800, 5900), REST);
    assert.equal(lying.lies(), 3);
    assert.equal(result.complete, true);
    assert.deepEqual(result.trades.map((t) => t.id), expectedOf(fake.ticks, 5800, 5900));
    assert.ok(fake.calls.every((u) => u.searchParams.get('days_ago') === null), 'a short page does not send it to the date before');
  });

  test('an empty newest page although the closing trade exists: unproven, and the next try heals', async () => {
    const fake = fakeUpbit();
    const lying = lyingPages(fake.http, ['empty']);
    const window = windowOf(fake.ticks, 5800, 5900);
    assert.deepEqual(await upbitAdapter('spot').backfillTrades(lying.http, window, REST), { trades: [], complete: false, incomplete: 'unproven' });
    const healed = await upbitAdapter('spot').backfillTrades(lying.http, window, REST);
    assert.equal(healed.complete, true);
    assert.deepEqual(healed.trades.map((t) => t.id), expectedOf(fake.ticks, 5800, 5900));
  });

  test('a short page, then empty ones, on the date that holds the trade we hold: unproven with what came', async () => {
    const fake = fakeUpbit();
    // a trade past both the UTC and the KST midnight of the latest date: on it whichever Upbit counts
    const latest = fake.ticks.at(-1)!.timestamp;
    const dateStart = Math.max(Math.floor(latest / DAY) * DAY, Math.floor((latest + 9 * 3_600_000) / DAY) * DAY - 9 * 3_600_000);
    const a = fake.ticks.findIndex((t) => t.timestamp >= dateStart) + 10;
    const b = fake.ticks.length - 1;
    assert.ok(a > 10 && a < b - 20, 'the latest date holds the window');
    const lying = lyingPages(fake.http, [5, 'empty', 'empty']);
    const result = await upbitAdapter('spot').backfillTrades(lying.http, windowOf(fake.ticks, a, b), REST);
    assert.equal(result.incomplete, 'unproven', 'the trade afterId lies on this date and never came back');
    assert.equal(result.trades.length, 5);
  });

  test('a short page, then an empty one, across a date\'s start: the empty page is asked again, nothing skipped', async () => {
    const fake = fakeUpbit();
    const latestDay = Math.floor(fake.ticks.at(-1)!.timestamp / DAY);
    const a = fake.ticks.findIndex((t) => Math.floor(t.timestamp / DAY) === latestDay) - 50; // on the date before
    const lying = lyingPages(fake.http, [5, 'empty']);
    const result = await upbitAdapter('spot').backfillTrades(lying.http, windowOf(fake.ticks, a, 5900), REST);
    assert.equal(result.complete, true);
    assert.deepEqual(result.trades.map((t) => t.id), expectedOf(fake.ticks, a, 5900));
  });

  test('a newest page older than the closing trade is not the newest there is: unproven', async () => {
    const fake = fakeUpbit(history().slice(0, 5850)); // the history as served lags behind the socket
    const ticks = history();
    const result = await upbitAdapter('spot').backfillTrades(fake.http, windowOf(ticks, 5800, 5900), REST);
    assert.equal(result.incomplete, 'unproven');
  });

  test('a first subscription (no afterId): a short page does not end the date, the next page is asked', async () => {
    const fake = fakeUpbit();
    const { ticks } = fake;
    const lying = lyingPages(fake.http, [3]);
    const window = { instrument: BTC, untilId: String(ticks[5900]!.sequential_id), from: ticks[5890]!.timestamp, to: ticks[5900]!.timestamp };
    const result = await upbitAdapter('spot').backfillTrades(lying.http, window, REST);
    assert.equal(result.complete, true);
    assert.deepEqual(result.trades.map((t) => t.id), ids(ticks.filter((t) => t.timestamp >= window.from && t.timestamp <= window.to)));
  });
});
