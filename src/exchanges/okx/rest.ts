/**
 * OKX v5 REST through the injected RestClient: instrument listing and the history-trades backfill
 * (pages backwards by tradeId: `after=<id>` returns trades strictly older than that id).
 */
import { getEnvelope } from '../rest-envelope.js';
import type { Market, Trade } from '../../records.js';
import { compareDecimalIds, isRecord } from '../common.js';
import { ExchangeResponseError, unreadableRow } from '../errors.js';
import { capped, unproven, type BackfillRequest, type BackfillResult, type Instrument, type RestClient } from '../types.js';
import { OKX_HISTORY_PAGE_LIMIT, OKX_MAX_HISTORY_PAGES, okxInstType } from './limits.js';
import { okxUnified } from './symbols.js';
import { contractTable, okxTrade } from './trades.js';

/**
 * GET and unwrap `{code:"0", data:[…]}`. A non-200 status or `code != "0"` (e.g. 50011 rate
 * limited, which OKX may send with 200 or 429) is an ExchangeHttpError carrying OKX's code; a
 * body without `code` or without a `data` array is an ExchangeResponseError.
 */
async function getData(http: RestClient, url: string): Promise<unknown[]> {
  const data = (await getEnvelope(http, url, { code: 'code', msg: 'msg' })).data;
  if (!Array.isArray(data)) throw new ExchangeResponseError(url, 'data is not an array');
  return data;
}

function positiveNumber(text: unknown): number | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * One instruments row → Instrument, or undefined for rows outside our market.
 * SWAP: USDT-margined linear swaps only — `ctType:"linear"`, `settleCcy:"USDT"`, `ctValCcy` the base
 * asset, `instFamily`/`uly` `BASE-USDT`; base amount per contract is `ctVal`.
 */
export function okxInstrument(market: Market, row: unknown): Instrument | undefined {
  if (!isRecord(row) || typeof row.instId !== 'string' || row.instId === '') return undefined;
  const nativeId = row.instId;
  const active = row.state === 'live';
  if (market === 'spot') {
    const pair = nonEmpty(row.baseCcy) && nonEmpty(row.quoteCcy) ? { base: row.baseCcy, quote: row.quoteCcy } : splitPair(nativeId);
    if (pair === undefined) return undefined;
    return { symbol: okxUnified('spot', pair.base, pair.quote), nativeId, base: pair.base, quote: pair.quote, active };
  }
  if (row.settleCcy !== 'USDT' || (nonEmpty(row.ctType) && row.ctType !== 'linear')) return undefined;
  // the family (`BTC-USDT`) names base and quote; the instId (`BTC-USDT-SWAP`) is the fallback
  const family = nonEmpty(row.instFamily) ? row.instFamily : nonEmpty(row.uly) ? row.uly : nativeId.replace(/-SWAP$/, '');
  const pair = splitPair(family);
  if (pair === undefined || pair.quote !== 'USDT') return undefined;
  // a linear swap's contract value is denominated in its base asset; anything else is not ours
  if (nonEmpty(row.ctValCcy) && row.ctValCcy !== pair.base) return undefined;
  const contractSize = positiveNumber(row.ctVal);
  if (contractSize === undefined) return undefined;
  return { symbol: okxUnified('futures', pair.base, 'USDT', 'USDT'), nativeId, base: pair.base, quote: 'USDT', settle: 'USDT', active, contractSize };
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** `BTC-USDT` → { base: 'BTC', quote: 'USDT' }; undefined unless exactly two non-empty parts. */
function splitPair(id: string): { base: string; quote: string } | undefined {
  const parts = id.split('-');
  const [base, quote] = parts;
  return parts.length === 2 && nonEmpty(base) && nonEmpty(quote) ? { base, quote } : undefined;
}

export async function okxListInstruments(http: RestClient, restUrl: string, market: Market): Promise<Instrument[]> {
  const rows = await getData(http, `${restUrl}/api/v5/public/instruments?instType=${okxInstType(market)}`);
  const out: Instrument[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const instrument = okxInstrument(market, row);
    if (instrument !== undefined && !seen.has(instrument.nativeId)) {
      seen.add(instrument.nativeId);
      out.push(instrument);
    }
  }
  return out;
}

/** OKX trade ids are decimal strings without leading zeros, increasing per instrument. */
export const compareTradeIds = compareDecimalIds;

/**
 * Pages backwards from the newest trade (no `after` on the first page, then `after=<oldest id
 * seen>`), keeping trades in [from, to] and newer than `afterId`. Stops when a page reaches past the
 * window (a trade older than `from`, or at/below `afterId`), when history runs out, `maxTrades` is
 * reached or the page guard trips.
 * A trade exactly at `from` does not stop paging: same-millisecond siblings may be on the next page.
 * A page shorter than asked is not the end: paging goes on from its oldest trade.
 *
 * The window is `complete` only when the answer proves it at both ends: it reached back past the
 * start (or history ran out where nothing older can exist) and forward to the trade that closed the
 * window (`untilId`, or anything newer). History that runs out (an empty page) inside OKX's
 * three-month retention means there is nothing older (a new symbol's first-subscription window
 * starts before its first trade), except when the trade `afterId` is known to exist below it, or the
 * very first page is empty although the closing trade exists: such answers are `unproven`, as is a
 * newest page older than the closing trade, and the gap filler asks again later. A window without
 * `afterId` re-asks an empty page once before believing it: that is the only proof there is.
 */
/** history-trades serves the last three months */
const OKX_HISTORY_RETENTION_MS = 90 * 86_400_000;

export async function okxBackfillTrades(
  http: RestClient,
  restUrl: string,
  market: Market,
  request: BackfillRequest,
  now: () => number = Date.now,
): Promise<BackfillResult> {
  const { instrument, afterId, untilId, from, to, maxTrades, beforeId } = request;
  const contract = contractTable([instrument]).get(instrument.nativeId);
  const base = `${restUrl}/api/v5/market/history-trades?instId=${encodeURIComponent(instrument.nativeId)}&type=1&limit=${OKX_HISTORY_PAGE_LIMIT}`;
  const cap = maxTrades ?? Number.POSITIVE_INFINITY;
  const byId = new Map<string, Trade>();
  // the rest of a capped window: paging goes on below the trade it stopped at
  let cursor: string | undefined = beforeId;
  let reachedStart = false;
  // without a closing trade (an audit asking up to now, or below `beforeId`) there is no end to prove
  let reachedEnd = untilId === undefined;
  let exhausted = false;
  /** the answer contradicted what we know exists: not to be believed */
  let lied = false;
  let reasked = false;

  for (let page = 0; page < OKX_MAX_HISTORY_PAGES && !reachedStart && byId.size < cap; page++) {
    const url = cursor === undefined ? base : `${base}&after=${encodeURIComponent(cursor)}`;
    const rows = await getData(http, url);
    if (rows.length === 0) {
      // nothing at all although the closing trade exists, or nothing below a trade we hold: a lie
      if ((cursor === undefined && untilId !== undefined) || afterId !== undefined) {
        lied = true;
        break;
      }
      if (cursor !== undefined && !reasked) {
        reasked = true; // the one check there is on "nothing older": ask the same page again
        page--;
        continue;
      }
      exhausted = true; // history exhausted before the window's start
      break;
    }
    const localTimestamp = now();
    let oldest: string | undefined;
    for (const row of rows) {
      let trade: Trade;
      try {
        trade = okxTrade(row, market, instrument.symbol, contract, localTimestamp, instrument.nativeId);
      } catch (cause) {
        throw unreadableRow(url, cause);
      }
      if (oldest === undefined || compareTradeIds(trade.id, oldest) < 0) oldest = trade.id;
      if (untilId !== undefined && compareTradeIds(trade.id, untilId) >= 0) reachedEnd = true;
      // a window between two known trades is bounded by their ids, not by time: REST may stamp a
      // trade a little apart from the socket, and a time bound would then cut off its neighbours
      if (afterId !== undefined ? compareTradeIds(trade.id, afterId) <= 0 : trade.timestamp < from) {
        reachedStart = true;
        continue;
      }
      if ((untilId !== undefined ? compareTradeIds(trade.id, untilId) > 0 : trade.timestamp > to) || byId.has(trade.id)) continue;
      byId.set(trade.id, trade);
    }
    // the newest page ends before the trade that closed the window: it is not the newest there is
    if (!reachedEnd) {
      lied = true;
      break;
    }
    // no progress (the cursor would repeat): stop rather than loop
    if (oldest === undefined || (cursor !== undefined && compareTradeIds(oldest, cursor) >= 0)) {
      lied = true;
      break;
    }
    cursor = oldest;
  }

  const trades = [...byId.values()].sort((a, b) => a.timestamp - b.timestamp || compareTradeIds(a.id, b.id));
  if (lied) return unproven(trades);
  const complete = reachedEnd && (reachedStart || (exhausted && from >= now() - OKX_HISTORY_RETENTION_MS));
  if (trades.length > cap || (trades.length >= cap && !reachedStart && !exhausted)) {
    // the guard keeps the newest trades; the older part can be asked for below the oldest kept
    return capped(trades.slice(trades.length - cap));
  }
  return complete ? { trades, complete } : { trades, complete, incomplete: 'beyond-reach' };
}
