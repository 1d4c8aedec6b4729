/**
 * Bybit v5 REST through the injected RestClient: instrument listing (cursor paging) and the
 * recent-trade backfill (the only trade history Bybit's public API has).
 */
import { getEnvelope } from '../rest-envelope.js';
import type { Market, Trade } from '../../records.js';
import { isRecord, num, timestampMs, tradeId } from '../common.js';
import { ExchangeResponseError, unreadableRow } from '../errors.js';
import { MalformedFrameError, unproven, type BackfillRequest, type BackfillResult, type Instrument, type RestClient } from '../types.js';
import {
  BYBIT_INSTRUMENTS_PAGE_LIMIT,
  BYBIT_MAX_INSTRUMENT_PAGES,
  bybitCategory,
  bybitRecentTradeLimit,
} from './limits.js';
import { bybitSide } from './parser.js';
import { bybitUnified } from './symbols.js';

/**
 * GET and unwrap `{retCode:0, result:{list:[…]}}`. A non-200 status or `retCode != 0` (e.g. 10006
 * rate limited) is an ExchangeHttpError carrying Bybit's retCode (as a string); a body without
 * `retCode` or without `result.list` is an ExchangeResponseError.
 */
async function getResult(http: RestClient, url: string): Promise<Record<string, unknown>> {
  const body = await getEnvelope(http, url, { code: 'retCode', msg: 'retMsg' });
  const result = body.result;
  if (!isRecord(result) || !Array.isArray(result.list)) throw new ExchangeResponseError(url, 'no result.list');
  return result;
}

/** One instruments-info row → Instrument, or undefined for rows outside our market (non-USDT, non-perpetual). */
export function bybitInstrument(market: Market, row: unknown): Instrument | undefined {
  if (!isRecord(row)) return undefined;
  const nativeId = row.symbol;
  const base = row.baseCoin;
  const quote = row.quoteCoin;
  if (typeof nativeId !== 'string' || typeof base !== 'string' || typeof quote !== 'string') return undefined;
  const active = row.status === 'Trading';
  if (market === 'spot') return { symbol: bybitUnified('spot', base, quote), nativeId, base, quote, active };
  // futures = USDT-settled linear perpetuals only (no dated futures, no USDC perpetuals)
  if (row.contractType !== 'LinearPerpetual' || row.settleCoin !== 'USDT') return undefined;
  return { symbol: bybitUnified('futures', base, quote, 'USDT'), nativeId, base, quote, settle: 'USDT', active };
}

export async function bybitListInstruments(http: RestClient, restUrl: string, market: Market): Promise<Instrument[]> {
  const out: Instrument[] = [];
  const seen = new Set<string>();
  let cursor = '';
  for (let page = 0; page < BYBIT_MAX_INSTRUMENT_PAGES; page++) {
    let url = `${restUrl}/v5/market/instruments-info?category=${bybitCategory(market)}&limit=${BYBIT_INSTRUMENTS_PAGE_LIMIT}`;
    if (cursor !== '') url += `&cursor=${encodeURIComponent(cursor)}`;
    const result = await getResult(http, url);
    for (const row of result.list as unknown[]) {
      const instrument = bybitInstrument(market, row);
      if (instrument !== undefined && !seen.has(instrument.nativeId)) {
        seen.add(instrument.nativeId);
        out.push(instrument);
      }
    }
    const next = result.nextPageCursor;
    if (typeof next !== 'string' || next === '' || next === cursor) return out;
    cursor = next;
  }
  return out;
}

/** A recent-trade row → Trade, normalized exactly like a live `publicTrade` entry. */
export function bybitRestTrade(market: Market, symbol: string, row: unknown, localTimestamp: number): Trade {
  if (!isRecord(row)) throw new MalformedFrameError('recent-trade row is not an object');
  return {
    type: 'trade',
    exchange: 'bybit',
    market,
    symbol,
    id: tradeId(row.execId, 'execId'),
    price: num(row.price, 'price'),
    amount: num(row.size, 'size'),
    side: bybitSide(row.side),
    timestamp: timestampMs(row.time, 'time'),
    localTimestamp,
  };
}

/**
 * Bybit keeps only the last N trades (spot 60, linear 1000) and its ids are UUID-like, so there is
 * one request and no paging. `complete` says whether that list reaches back over the whole window:
 * - the oldest returned trade is strictly before `from` (a trade *at* `from` could have same-ms
 *   siblings that fell off the list), or
 * - `afterId` is in the list (contiguous with what we already have), or
 * - the exchange returned fewer than asked (it has no older trades at all) and no trade we know
 *   of is missing from the list;
 * and the list reaches forward to the trade that closed the window (`untilId`, or a newer trade).
 * `afterId` cannot be compared (not ordered), so it is used by position: rows up to and including it
 * are dropped. With `maxTrades`, the newest trades are kept and the result is incomplete.
 * A list that contradicts what we know exists is `unproven` (asked again later): empty or without
 * the closing trade although it exists, shorter than asked without the trade `afterId`, or shorter
 * than asked for a symbol the venue once listed a full `limit` of trades of (`fullOnce`, kept by
 * the adapter) without reaching back before `from`.
 * A full list that does not reach back is beyond reach: Bybit serves nothing older.
 */
export async function bybitBackfillTrades(
  http: RestClient,
  restUrl: string,
  market: Market,
  request: BackfillRequest,
  now: () => number = Date.now,
  fullOnce?: Set<string>,
): Promise<BackfillResult> {
  const { instrument, from, to, afterId, maxTrades } = request;
  const limit = bybitRecentTradeLimit(market);
  const url =
    `${restUrl}/v5/market/recent-trade?category=${bybitCategory(market)}` +
    `&symbol=${encodeURIComponent(instrument.nativeId)}&limit=${limit}`;
  const result = await getResult(http, url);
  const rows = result.list as unknown[];
  const localTimestamp = now();
  let all: Trade[];
  try {
    all = rows.map((row) => bybitRestTrade(market, instrument.symbol, row, localTimestamp));
  } catch (cause) {
    throw unreadableRow(url, cause);
  }
  // Newest first on the wire: reversed, the list is the order the trades happened in. Positions
  // (after the trade we hold, up to the one that closed the window) are judged in that order, not
  // by timestamps, which an exchange clock that moved back would reorder. The answer is sorted by
  // (timestamp, id) at the end, the contract's order.
  all.reverse();

  let start = 0;
  let reachedAfterId = false;
  if (afterId !== undefined) {
    const at = all.findIndex((t) => t.id === afterId);
    if (at >= 0) {
      start = at + 1;
      reachedAfterId = true;
    }
  }
  const oldest = all[0];
  const untilId = request.untilId;
  const reachedEnd = untilId === undefined || all.some((t) => t.id === untilId || t.timestamp > to);
  const short = rows.length < limit;
  if (!short) fullOnce?.add(instrument.nativeId);
  // A short list says the venue has nothing older, which a symbol it once listed `limit` trades of
  // cannot mean (its history only grows): a partial answer, not the whole history. Believed, it
  // had an audit close a window the live stream had lost without finding the hole.
  const shortAgainstHistory = short && !reachedAfterId && fullOnce?.has(instrument.nativeId) === true && !(oldest !== undefined && oldest.timestamp < from);
  if (!reachedEnd || (short && afterId !== undefined && !reachedAfterId) || shortAgainstHistory) {
    return unproven(all.slice(start).filter((t) => t.timestamp >= from && t.timestamp <= to).sort(byTimeThenId));
  }
  let complete = short || reachedAfterId || (oldest !== undefined && oldest.timestamp < from);

  // the window ends at the trade that closed it, where it is listed (REST may stamp it a little
  // apart from the socket, whose time would cut off neighbours); its same-millisecond siblings
  // after it are kept too, ids not being ordered. Without it listed, the socket's time bounds it.
  const closingAt = untilId === undefined ? -1 : all.findIndex((t) => t.id === untilId);
  const closingTs = closingAt >= 0 ? (all[closingAt] as Trade).timestamp : to;
  const seen = new Set<string>();
  let trades: Trade[] = [];
  for (let k = start; k < all.length; k++) {
    const t = all[k] as Trade;
    if (!reachedAfterId && t.timestamp < from) continue;
    if (closingAt >= 0 ? k > closingAt && t.timestamp !== closingTs : t.timestamp > to) continue;
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    trades.push(t);
  }
  trades.sort(byTimeThenId);
  if (maxTrades !== undefined && trades.length > maxTrades) {
    trades = trades.slice(trades.length - maxTrades);
    complete = false;
  }
  if (!complete) return { trades, complete, incomplete: 'beyond-reach' };
  // complete on the venue's word alone (a short list): say from when, for callers that can check it
  return short && !reachedAfterId && !(oldest !== undefined && oldest.timestamp < from) ? { trades, complete, wholeHistoryFrom: oldest?.timestamp ?? localTimestamp } : { trades, complete };
}

function byTimeThenId(a: Trade, b: Trade): number {
  return a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
