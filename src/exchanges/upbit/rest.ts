/**
 * Upbit REST through the injected RestClient: market listing and trade backfill.
 * The RestClient already waits out 429/418; here we only page, normalize and stop.
 */
import type { Trade } from '../../records.js';
import { compareDecimalIds, integerId, isRecord, needsRawDigits, num, rawIntegerFields, timestampMs } from '../common.js';
import { capped, unproven, type BackfillRequest, type BackfillResult, type Instrument, type RestClient } from '../types.js';
import { ExchangeHttpError, ExchangeResponseError, unreadableRow } from '../errors.js';
import { upbitSide } from './parser.js';
import { splitUpbitCode } from './symbols.js';

/** trades/ticks serves at most 500 per call. */
const PAGE_COUNT = 500;
/** `days_ago` reaches back 1–7 days before the most recent trade date; 0 = that date (parameter omitted). */
const MAX_DAYS_AGO = 7;
const DAY_MS = 86_400_000;
/** Korea Standard Time, UTC+9 (no daylight saving) */
const KST_OFFSET_MS = 9 * 3_600_000;

/**
 * The start of the trade date holding `ts`, taken as the later of its UTC and its KST midnight:
 * rows carry `trade_date_utc`, but whether `days_ago` counts UTC or KST dates is not documented,
 * and the later start is the safe one to claim a window was read whole from.
 */
function tradeDateStart(ts: number): number {
  const utc = Math.floor(ts / DAY_MS) * DAY_MS;
  const kst = Math.floor((ts + KST_OFFSET_MS) / DAY_MS) * DAY_MS - KST_OFFSET_MS;
  return Math.max(utc, kst);
}

/** An array body, and the raw text it was read from (when the client kept it). */
async function getArray(http: RestClient, url: string): Promise<unknown[]>;
async function getArray(http: RestClient, url: string, withText: true): Promise<{ rows: unknown[]; text: string | undefined }>;
async function getArray(http: RestClient, url: string, withText?: true): Promise<unknown[] | { rows: unknown[]; text: string | undefined }> {
  const response = await http(url);
  const body = response.body;
  if (response.status !== 200) {
    const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
    const name = error && (typeof error.name === 'string' || typeof error.name === 'number') ? error.name : undefined;
    const message = error && typeof error.message === 'string' ? error.message : undefined;
    throw new ExchangeHttpError(url, response.status, name, message);
  }
  if (!Array.isArray(body)) throw new ExchangeResponseError(url, 'body is not an array');
  return withText ? { rows: body, text: response.text } : body;
}

/**
 * Each row's `sequential_id` digits as the body's text writes them, by row position — or
 * undefined when no row needs them (all ids safe integers or strings: the common case before
 * 2024, and no scan then). Upbit's ids have 17 digits since 2024, above 2^53, so JSON.parse
 * rounded them in `rows`; a body whose text is missing or does not hold exactly one integer
 * `sequential_id` per row leaves the ids unreadable (integerId refuses a rounded id).
 */
function rawSequentialIds(rows: readonly unknown[], text: string | undefined): readonly (string | undefined)[] | undefined {
  if (!rows.some((row) => isRecord(row) && needsRawDigits(row.sequential_id))) return undefined;
  if (text === undefined) return undefined;
  const digits = rawIntegerFields(text, 'sequential_id');
  return digits.length === rows.length ? digits : undefined;
}

/**
 * Every market `market/all` lists, all `active`. Why: Upbit drops a market from this list when
 * trading support ends, and nothing in it marks a scheduled delisting. `market_event.warning`
 * (유의 종목, "designated for investment warning") and `market_event.caution` flags (주의 종목:
 * price swings, volume surges…) are market alerts while the market keeps trading; the legacy
 * `market_warning: "CAUTION"` (removed 2024-11) meant the same. We keep collecting all of them.
 */
export async function listUpbitInstruments(http: RestClient, restUrl: string): Promise<Instrument[]> {
  const url = `${restUrl}/market/all?isDetails=true`;
  const rows = await getArray(http, url);
  const out: Instrument[] = [];
  for (const row of rows) {
    if (!isRecord(row) || typeof row.market !== 'string') continue;
    const parts = splitUpbitCode(row.market);
    if (parts === undefined) continue;
    out.push({ symbol: `${parts.base}/${parts.quote}`, nativeId: row.market, base: parts.base, quote: parts.quote, active: true });
  }
  return out;
}

/** A trades/ticks row → a Trade normalized exactly like the live parser (same id and side rules). */
function tickToTrade(row: unknown, instrument: Instrument, localTimestamp: number, rawId: string | undefined): Trade {
  if (!isRecord(row)) throw new Error('row is not an object');
  return {
    type: 'trade', exchange: 'upbit', market: 'spot', symbol: instrument.symbol,
    id: integerId(row.sequential_id, 'sequential_id', rawId),
    price: num(row.trade_price, 'trade_price'),
    amount: num(row.trade_volume, 'trade_volume'),
    side: upbitSide(row.ask_bid),
    // REST names the trade time `timestamp`; the WebSocket trade calls the same value `trade_timestamp`.
    timestamp: timestampMs(row.timestamp, 'timestamp'),
    localTimestamp,
  };
}

function ticksUrl(restUrl: string, nativeId: string, cursor: string | undefined, daysAgo: number): string {
  const q = new URLSearchParams({ market: nativeId, count: String(PAGE_COUNT) });
  if (cursor !== undefined) q.set('cursor', cursor);
  if (daysAgo > 0) q.set('days_ago', String(daysAgo));
  return `${restUrl}/trades/ticks?${q.toString()}`;
}

/**
 * Missed trades, paging trades/ticks backwards from the newest: `cursor` = the oldest
 * sequential_id seen; a trade date ends with an empty page, and `days_ago` steps to the one before.
 * Stops once a page reaches `from` or `afterId`. Upbit documents sequential_id as unique but not
 * as ordered, so the stop test looks at a whole page and the result is sorted by (timestamp, id).
 * `complete` is false when the history runs out (7 days) or `maxTrades` cuts the paging short.
 * A window that starts inside the dates already read whole is complete without reaching a trade
 * before `from`: a first subscription's window starts before the symbol's first trade when it is
 * new, and walking all seven older dates would cost seven requests to find nothing.
 *
 * A page shorter than asked is not taken for the end of its date: paging goes on from its oldest
 * trade, and only an empty page, asked twice, ends the date (two more requests where the window
 * reaches back across a date's start; one where a short page may be a lie). An answer that contradicts what we know exists is `unproven` (the gap filler asks again
 * later): a newest page that is empty, or older than the trade that closed the window (`untilId`),
 * or dates read "whole" without the trade `afterId` although the window starts inside them.
 */
export async function backfillUpbitTrades(http: RestClient, request: BackfillRequest, restUrl: string): Promise<BackfillResult> {
  const { instrument, from, to, maxTrades = Number.POSITIVE_INFINITY } = request;
  const afterKnown = request.afterId !== undefined;
  const { untilId } = request;
  for (const id of [request.afterId, untilId]) {
    if (id !== undefined && !/^\d+$/.test(id)) throw new RangeError(`upbit sequential_id must be numeric, got ${id}`);
  }

  const trades: Trade[] = [];
  const seen = new Set<string>();
  const sorted = () => trades.sort((x, y) => x.timestamp - y.timestamp || compareDecimalIds(x.id, y.id));
  const done = (complete: boolean): BackfillResult =>
    complete ? { trades: sorted(), complete } : { trades: sorted(), complete, incomplete: 'beyond-reach' };

  /** start of the most recent trade date (from the newest page) */
  let newestDateStart: number | undefined;
  for (let daysAgo = 0; daysAgo <= MAX_DAYS_AGO; daysAgo++) {
    // the rest of a capped window goes on below the trade it stopped at (on the newest date)
    let cursor: string | undefined = daysAgo === 0 ? request.beforeId : undefined;
    let reasked = false;
    for (;;) {
      const url = ticksUrl(restUrl, instrument.nativeId, cursor, daysAgo);
      const { rows, text } = await getArray(http, url, true);
      if (daysAgo === 0 && cursor === undefined && rows.length === 0) {
        // the closing trade exists, so an empty newest page is not the truth
        if (untilId !== undefined) return unproven(sorted());
        return done(true); // the market has no trade at all, so none is missing
      }
      if (rows.length === 0) {
        // an empty page below a cursor ends the date, but it may be a lie: ask it once more before
        // believing it (the cost falls only on windows that reach back across a date's start)
        if (cursor !== undefined && !reasked) {
          reasked = true;
          continue;
        }
        break; // this trade date is exhausted
      }
      let page: Trade[];
      try {
        const now = Date.now();
        const rawIds = rawSequentialIds(rows, text);
        page = rows.map((row, k) => tickToTrade(row, instrument, now, rawIds?.[k]));
      } catch (cause) {
        throw unreadableRow(url, cause);
      }
      let reachedStart = false;
      let oldest: Trade | undefined;
      if (newestDateStart === undefined) {
        newestDateStart = tradeDateStart(Math.max(...page.map((t) => t.timestamp)));
        // the newest page must reach the trade that closed the window (or a later one)
        const reachedEnd = untilId === undefined || page.some((t) => compareDecimalIds(t.id, untilId) >= 0 || t.timestamp > to);
        if (!reachedEnd) return unproven(sorted());
      }
      for (const t of page) {
        if (oldest === undefined || compareDecimalIds(t.id, oldest.id) < 0) oldest = t;
        // a window between two known trades is bounded by their ids, not by time: REST may stamp a
        // trade a little apart from the socket, and a time bound would then cut off its neighbours
        if (request.afterId !== undefined ? compareDecimalIds(t.id, request.afterId) <= 0 : t.timestamp < from) {
          reachedStart = true;
          continue;
        }
        if ((request.untilId !== undefined ? compareDecimalIds(t.id, request.untilId) > 0 : t.timestamp > to) || seen.has(t.id)) continue;
        if (trades.length >= maxTrades) return capped(sorted());
        seen.add(t.id);
        trades.push(t);
      }
      if (reachedStart) return done(true);
      if (oldest === undefined) break;
      // no progress: the answer repeats itself, which no honest page does
      if (cursor !== undefined && compareDecimalIds(oldest.id, cursor) >= 0) return unproven(sorted());
      cursor = oldest.id;
    }
    // dates daysAgo..0 are read whole: a window starting inside them is complete, unless the
    // trade we hold at its start should have been among them and was not
    if (newestDateStart !== undefined && from >= newestDateStart - daysAgo * DAY_MS) {
      return afterKnown ? unproven(sorted()) : done(true);
    }
  }
  return done(false);
}
