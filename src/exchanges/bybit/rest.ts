/**
 * Bybit v5 REST through the injected RestClient: instrument listing (cursor paging) and the
 * recent-trade backfill (the only trade history Bybit's public API has).
 */
import type { Market, Trade } from '../../records.js';
import { isRecord, num, str } from '../common.js';
import type { BackfillRequest, BackfillResult, Instrument, RestClient } from '../types.js';
import {
  BYBIT_INSTRUMENTS_PAGE_LIMIT,
  BYBIT_MAX_INSTRUMENT_PAGES,
  bybitCategory,
  bybitRecentTradeLimit,
} from './limits.js';
import { bybitSide } from './parser.js';
import { bybitUnified } from './symbols.js';

/** A Bybit REST answer we cannot use: a non-200 status, `retCode != 0`, or an unreadable body. */
export class BybitRestError extends Error {
  readonly code: 'TV_ERR_REST_STATUS' | 'TV_ERR_REST_EXCHANGE' | 'TV_ERR_REST_BODY';
  readonly status: number;
  /** Bybit's `retCode`, when the body carried one (e.g. 10006 rate limited) */
  readonly exchangeCode: string | undefined;
  readonly url: string;
  constructor(
    code: BybitRestError['code'],
    message: string,
    details: { status: number; exchangeCode?: string; url: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BybitRestError';
    this.code = code;
    this.status = details.status;
    this.exchangeCode = details.exchangeCode;
    this.url = details.url;
  }
}

/** GET and unwrap `{retCode:0, result:{…}}`; throws BybitRestError for everything else. */
async function getResult(http: RestClient, url: string): Promise<Record<string, unknown>> {
  const response = await http(url);
  const body = response.body;
  const retCode = isRecord(body) && body.retCode !== undefined ? String(body.retCode) : undefined;
  const retMsg = isRecord(body) && typeof body.retMsg === 'string' ? body.retMsg : '';
  if (response.status !== 200) {
    const details = retCode === undefined ? { status: response.status, url } : { status: response.status, exchangeCode: retCode, url };
    throw new BybitRestError('TV_ERR_REST_STATUS', `bybit GET ${url}: HTTP ${response.status} ${retMsg}`.trim(), details);
  }
  if (retCode !== '0') {
    throw new BybitRestError(
      retCode === undefined ? 'TV_ERR_REST_BODY' : 'TV_ERR_REST_EXCHANGE',
      `bybit GET ${url}: retCode ${retCode ?? 'missing'} ${retMsg}`.trim(),
      retCode === undefined ? { status: 200, url } : { status: 200, exchangeCode: retCode, url },
    );
  }
  const result = (body as Record<string, unknown>).result;
  if (!isRecord(result) || !Array.isArray(result.list)) {
    throw new BybitRestError('TV_ERR_REST_BODY', `bybit GET ${url}: no result.list`, { status: 200, url });
  }
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
  if (!isRecord(row)) throw new BybitRestError('TV_ERR_REST_BODY', 'recent-trade row is not an object', { status: 200, url: '' });
  return {
    type: 'trade',
    exchange: 'bybit',
    market,
    symbol,
    id: str(row.execId, 'execId'),
    price: num(row.price, 'price'),
    amount: num(row.size, 'size'),
    side: bybitSide(row.side),
    timestamp: num(row.time, 'time'),
    localTimestamp,
  };
}

/**
 * Bybit keeps only the last N trades (spot 60, linear 1000) and its ids are UUID-like, so there is
 * one request and no paging. `complete` says whether that list reaches back over the whole window:
 * - the oldest returned trade is strictly before `from` (a trade *at* `from` could have same-ms
 *   siblings that fell off the list), or
 * - `afterId` is in the list (contiguous with what we already have), or
 * - the exchange returned fewer than asked (it has no older trades at all).
 * `afterId` cannot be compared (not ordered), so it is used by position: rows up to and including it
 * are dropped. With `maxTrades`, the newest trades are kept and the result is incomplete.
 */
export async function bybitBackfillTrades(
  http: RestClient,
  restUrl: string,
  market: Market,
  request: BackfillRequest,
  now: () => number = Date.now,
): Promise<BackfillResult> {
  const { instrument, from, to, afterId, maxTrades } = request;
  const limit = bybitRecentTradeLimit(market);
  const url =
    `${restUrl}/v5/market/recent-trade?category=${bybitCategory(market)}` +
    `&symbol=${encodeURIComponent(instrument.nativeId)}&limit=${limit}`;
  const result = await getResult(http, url);
  const rows = result.list as unknown[];
  const localTimestamp = now();
  const all = rows.map((row) => bybitRestTrade(market, instrument.symbol, row, localTimestamp));
  // newest first on the wire; ours is the contract's (timestamp, id) order, the store's key order
  all.sort(byTimeThenId);

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
  let complete = rows.length < limit || reachedAfterId || (oldest !== undefined && oldest.timestamp < from);

  const seen = new Set<string>();
  let trades: Trade[] = [];
  for (let k = start; k < all.length; k++) {
    const t = all[k] as Trade;
    if (t.timestamp < from || t.timestamp > to || seen.has(t.id)) continue;
    seen.add(t.id);
    trades.push(t);
  }
  if (maxTrades !== undefined && trades.length > maxTrades) {
    trades = trades.slice(trades.length - maxTrades);
    complete = false;
  }
  return { trades, complete };
}

function byTimeThenId(a: Trade, b: Trade): number {
  return a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
