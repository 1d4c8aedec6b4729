/**
 * Binance REST through the injected RestClient: market listing and trade backfill.
 * The RestClient already waits out 429/418; here we only page, normalize and stop.
 */
import type { Market, Trade } from '../../records.js';
import { integerId, isRecord, num, timestampMs } from '../common.js';
import { unproven, type BackfillRequest, type BackfillResult, type Instrument, type RestClient } from '../types.js';
import { ExchangeHttpError, ExchangeResponseError, unreadableRow } from '../errors.js';
import { unifiedSymbol } from './symbols.js';

const PAGE_LIMIT = 1000;
/** aggTrades refuses startTime/endTime windows of an hour or more. */
const MAX_TIME_WINDOW_MS = 60 * 60 * 1000 - 1;

const PATHS: Record<Market, { exchangeInfo: string; aggTrades: string }> = {
  spot: { exchangeInfo: '/api/v3/exchangeInfo', aggTrades: '/api/v3/aggTrades' },
  futures: { exchangeInfo: '/fapi/v1/exchangeInfo', aggTrades: '/fapi/v1/aggTrades' },
};

async function getJson(http: RestClient, url: string): Promise<unknown> {
  const response = await http(url);
  if (response.status !== 200) {
    const body = response.body;
    const code = isRecord(body) && (typeof body.code === 'number' || typeof body.code === 'string') ? body.code : undefined;
    const detail = isRecord(body) && typeof body.msg === 'string' ? body.msg : undefined;
    throw new ExchangeHttpError(url, response.status, code, detail);
  }
  return response.body;
}

async function getArray(http: RestClient, url: string): Promise<unknown[]> {
  const body = await getJson(http, url);
  if (!Array.isArray(body)) throw new ExchangeResponseError(url, 'body is not an array');
  return body;
}

function query(params: Record<string, string | number>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) q.set(key, String(value));
  return q.toString();
}

export async function listBinanceInstruments(market: Market, http: RestClient, restUrl: string): Promise<Instrument[]> {
  const url = restUrl + PATHS[market].exchangeInfo;
  const body = await getJson(http, url);
  if (!isRecord(body) || !Array.isArray(body.symbols)) throw new ExchangeResponseError(url, 'no symbols array');
  const out: Instrument[] = [];
  for (const s of body.symbols) {
    if (!isRecord(s)) continue;
    // USDⓈ-M lists quarterly contracts too; we collect perpetuals only.
    if (market === 'futures' && s.contractType !== 'PERPETUAL') continue;
    if (typeof s.symbol !== 'string' || typeof s.baseAsset !== 'string' || typeof s.quoteAsset !== 'string') continue;
    const settle = market === 'futures' && typeof s.marginAsset === 'string' ? s.marginAsset : undefined;
    const instrument: Instrument = {
      symbol: unifiedSymbol(market, s.baseAsset, s.quoteAsset, settle),
      nativeId: s.symbol,
      base: s.baseAsset,
      quote: s.quoteAsset,
      active: s.status === 'TRADING',
    };
    if (settle !== undefined) instrument.settle = settle;
    out.push(instrument);
  }
  return out;
}

/** One REST row → a Trade normalized exactly like the live parser does (same id, side, symbol rules). */
type RowMapper = (row: unknown, instrument: Instrument, localTimestamp: number) => Trade;

/** spot `historicalTrades` row: {id, price, qty, time, isBuyerMaker} — `id` is the live `t`. */
const historicalTradeRow = (market: Market): RowMapper => (row, instrument, localTimestamp) => {
  if (!isRecord(row) || typeof row.isBuyerMaker !== 'boolean') throw new Error('row without isBuyerMaker');
  return {
    type: 'trade', exchange: 'binance', market, symbol: instrument.symbol,
    id: integerId(row.id, 'id'), price: num(row.price, 'price'), amount: num(row.qty, 'qty'),
    side: row.isBuyerMaker ? 'sell' : 'buy', timestamp: timestampMs(row.time, 'time'), localTimestamp,
  };
};

/** `aggTrades` row: {a, p, q, f, l, T, m} — `a` is the live futures `aggTrade` id. */
const aggTradeRow = (market: Market): RowMapper => (row, instrument, localTimestamp) => {
  if (!isRecord(row) || typeof row.m !== 'boolean') throw new Error('row without m');
  return {
    type: 'trade', exchange: 'binance', market, symbol: instrument.symbol,
    id: integerId(row.a, 'a'), price: num(row.p, 'p'), amount: num(row.q, 'q'),
    side: row.m ? 'sell' : 'buy', timestamp: timestampMs(row.T, 'T'), localTimestamp,
  };
};

function mapRows(url: string, rows: unknown[], map: RowMapper, instrument: Instrument, localTimestamp: number): Trade[] {
  try {
    return rows.map((row) => map(row, instrument, localTimestamp));
  } catch (cause) {
    throw unreadableRow(url, cause);
  }
}

/**
 * The first id at or after `from`: aggTrades in windows under an hour, limit 1.
 * `field` is `f` on spot (first plain trade id inside the aggregate) and `a` on futures.
 */
async function firstIdAt(
  http: RestClient, base: string, nativeId: string, from: number, to: number, field: 'f' | 'a',
): Promise<number | undefined> {
  for (let start = from; start <= to; start += MAX_TIME_WINDOW_MS + 1) {
    const end = Math.min(to, start + MAX_TIME_WINDOW_MS);
    const url = `${base}?${query({ symbol: nativeId, startTime: start, endTime: end, limit: 1 })}`;
    const rows = await getArray(http, url);
    const first = rows[0];
    if (first !== undefined) {
      if (!isRecord(first)) throw new ExchangeResponseError(url, 'aggTrades row is not an object');
      const id = Number(first[field]);
      if (!Number.isSafeInteger(id)) throw new ExchangeResponseError(url, `aggTrades row without ${field}`);
      return id;
    }
  }
  return undefined;
}

/**
 * How far past the window's end the first-id lookup searches: REST may stamp the closing trade a
 * few ms after the socket did, and a lookup that misses it would read a window full of trades as empty.
 */
const CLOSING_TRADE_SLACK_MS = 60_000;

/**
 * Missed trades of one instrument, ascending, deduplicated.
 * Spot pages `historicalTrades` forward by id (the live `t`); futures pages `aggTrades` forward by
 * id (the live `a`). Without `afterId` the first id at `from` comes from a time-windowed aggTrades call.
 * With `untilId` (the first trade received live after the window) ids being dense tells without a
 * history page when nothing is missing: right after `afterId`, or at/after the first id at `from`.
 * That keeps a reconnect or a first subscription that lost nothing at zero or one cheap call per
 * symbol instead of a 25-weight history page.
 *
 * Ids are dense, so the window is proven whole only when every id from its start up to `untilId`
 * came back. A page shorter than asked is not taken for "the newest there is" while the closing
 * trade is known to lie ahead: paging goes on from the last id got. An empty page there, or a
 * lookup by time that finds nothing although the closing trade lies inside it, proves nothing:
 * the answer is `unproven` (asked again later by the gap filler) with what it did get.
 */
export async function backfillBinanceTrades(
  market: Market, http: RestClient, request: BackfillRequest, restUrl: string,
): Promise<BackfillResult> {
  const { instrument, from, to, maxTrades = Number.POSITIVE_INFINITY } = request;
  const aggUrl = restUrl + PATHS[market].aggTrades;
  const pageUrl = market === 'spot' ? `${restUrl}/api/v3/historicalTrades` : aggUrl;
  const map = market === 'spot' ? historicalTradeRow(market) : aggTradeRow(market);

  const untilKnown = request.untilId !== undefined;
  const untilId = untilKnown ? Number(request.untilId) : Number.POSITIVE_INFINITY;
  if (Number.isNaN(untilId)) throw new RangeError(`binance trade id must be an integer, got ${request.untilId}`);
  let afterId = Number.NEGATIVE_INFINITY;
  let cursor: number;
  if (request.afterId !== undefined) {
    afterId = Number(request.afterId);
    if (!Number.isSafeInteger(afterId)) throw new RangeError(`binance trade id must be an integer, got ${request.afterId}`);
    cursor = afterId + 1;
  } else {
    const searchTo = untilKnown ? Math.min(Number.MAX_SAFE_INTEGER, to + CLOSING_TRADE_SLACK_MS) : to;
    const first = await firstIdAt(http, aggUrl, instrument.nativeId, from, searchTo, market === 'spot' ? 'f' : 'a');
    if (first === undefined) {
      // the closing trade exists and lies inside the searched time: "no trade" is not an answer
      if (untilKnown) return unproven([]);
      return { trades: [], complete: true }; // no trade at all in the window
    }
    cursor = first;
  }

  const trades: Trade[] = [];
  const done = (result: Omit<BackfillResult, 'trades'>): BackfillResult => ({ trades: sortTrades(trades), ...result });
  for (;;) {
    // dense ids: every id from the window's start up to the trade that ended it is held
    if (cursor >= untilId) return done({ complete: true });
    const url = `${pageUrl}?${query({ symbol: instrument.nativeId, fromId: cursor, limit: PAGE_LIMIT })}`;
    const rows = await getArray(http, url);
    const page = mapRows(url, rows, map, instrument, Date.now()).sort((x, y) => Number(x.id) - Number(y.id));
    let next = cursor;
    let hole = false;
    for (const t of page) {
      const id = Number(t.id);
      if (id < next) continue; // a repeat, or older than asked
      // a hole inside the page: read on from it with the next request, never skip it
      if (id > next) {
        hole = true;
        break;
      }
      next = id + 1;
      // past the window's end: the closing trade when known, else the first trade after `to`
      if (untilKnown ? id > untilId : t.timestamp > to) return done({ complete: true });
      if (id <= afterId || (request.afterId === undefined && t.timestamp < from)) continue;
      if (trades.length >= maxTrades) return done({ complete: false, incomplete: 'beyond-reach' });
      trades.push(t);
    }
    if (untilKnown) {
      // the closing trade lies ahead, so an answer that brought nothing new is not believed
      if (next === cursor) return unproven(sortTrades(trades));
      cursor = next;
      continue;
    }
    // No closing trade known: a short page is the newest history there is.
    if (rows.length < PAGE_LIMIT && !hole) return done({ complete: true });
    // A full page that does not move the cursor would loop forever; report the gap instead.
    if (next === cursor) return done({ complete: false, incomplete: 'beyond-reach' });
    cursor = next;
  }
}

function sortTrades(trades: Trade[]): Trade[] {
  return trades.sort((x, y) => x.timestamp - y.timestamp || Number(x.id) - Number(y.id));
}
