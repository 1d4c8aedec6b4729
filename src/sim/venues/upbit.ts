/**
 * Upbit quotation API (spot only; codes are QUOTE-BASE: `KRW-BTC`).
 * Wire facts: JSON inside binary frames; one subscribe array `[{ticket},{type,codes},…,{format}]` that
 * replaces the previous one; no ack — a SNAPSHOT frame first, then REALTIME; text `PING` → `{"status":"UP"}`;
 * idle close at 120 s; errors `{"error":{"name","message"}}`. REST `/v1/market/all`, `/v1/trades/ticks`
 * (newest first, cursor = sequential_id, which increases but is not dense); 429 with `Remaining-Req`.
 */
import type { Market } from '../../records.js';
import { askPrice, bidPrice, type SymbolState } from '../generator.js';
import type { LedgerEntry } from '../ledger.js';
import { FixedWindow, intParam, retryAfterSeconds } from '../ratelimit.js';
import { SimError } from '../types.js';
import type { ConnectionPolicy, RestReply, SessionIO, SimVenue, VenueContext, VenueSession } from '../venue.js';
import type { BookDiff } from '../book/true-book.js';
import { upbitOrderbook } from '../book/wire.js';

const DAY = 24 * 60 * 60 * 1000;
const NAMES: Record<string, [string, string]> = {
  BTC: ['비트코인', 'Bitcoin'],
  ETH: ['이더리움', 'Ethereum'],
  XRP: ['리플', 'XRP'],
  SOL: ['솔라나', 'Solana'],
  DOGE: ['도지코인', 'Dogecoin'],
};

const isoDate = (ts: number) => new Date(ts).toISOString().slice(0, 10);
const isoTime = (ts: number) => new Date(ts).toISOString().slice(11, 19);

/**
 * Upbit's `sequential_id` since 2024: the trade's ms timestamp followed by a 4-digit counter,
 * 17 digits (`17883351803770004` is a trade at 1788335180377), above 2^53 — a JSON number no
 * JS number holds exactly. The ledger keeps a safe ordering key `ord` = ms × 1000 + counter
 * (counter < 1000); the id is that key's ms and counter written as Upbit writes them. Both orders agree.
 */
export function upbitSequentialId(ord: number): string {
  return `${Math.floor(ord / 1000)}${String(ord % 1000).padStart(4, '0')}`;
}

/**
 * A REST `cursor` (a sequential_id, as digits) → the ledger key below which rows are older than it.
 * A counter of 1000 or more names no id we gave: every id of that ms is under it.
 */
function cursorOrd(cursor: string | null): number | undefined {
  if (cursor === null || cursor === '') return -1;
  if (!/^[0-9]{5,20}$/.test(cursor)) return undefined;
  const ms = Number(cursor.slice(0, -4));
  const counter = Number(cursor.slice(-4));
  return ms * 1000 + Math.min(counter, 1000);
}

function change(price: number, prev: number): string {
  return price > prev ? 'RISE' : price < prev ? 'FALL' : 'EVEN';
}

export function upbitVenue(market: Market): SimVenue {
  if (market !== 'spot') throw new SimError('TV_ERR_SIM_UNKNOWN_VENUE', 'Upbit has no futures market');
  const lastOrd = new Map<SymbolState, number>();
  const limiters = new Map<string, FixedWindow>();
  const limiter = (ctx: VenueContext, group: string) => {
    let l = limiters.get(group);
    if (!l) limiters.set(group, (l = new FixedWindow(ctx.timing.upbitRestWindowMs, ctx.timing.upbitRestLimit)));
    return l;
  };

  const tradeFrame = (sym: SymbolState, e: LedgerEntry, streamType: string): string => {
    const t = e.trade;
    const prev = sym.openPrice;
    return `{"type":"trade","code":"${sym.nativeId}","timestamp":${t.timestamp},"trade_date":"${isoDate(t.timestamp)}","trade_time":"${isoTime(t.timestamp)}","trade_timestamp":${t.timestamp},"trade_price":${t.price},"trade_volume":${t.amount},"ask_bid":"${t.side === 'buy' ? 'BID' : 'ASK'}","prev_closing_price":${prev},"change":"${change(t.price, prev)}","change_price":${Math.abs(t.price - prev) === 0 ? 0 : Number(Math.abs(t.price - prev).toFixed(sym.priceDecimals))},"sequential_id":${upbitSequentialId(e.ord)},"best_ask_price":${askPrice(sym)},"best_ask_size":${sym.askSize},"best_bid_price":${bidPrice(sym)},"best_bid_size":${sym.bidSize},"stream_type":"${streamType}"}`;
  };

  const tickerFrame = (sym: SymbolState, ts: number, streamType: string): string => {
    const prev = sym.openPrice;
    const diff = Number((sym.price - prev).toFixed(sym.priceDecimals));
    const last = sym.ledger.lastEntry();
    const tradeTs = last?.trade.timestamp ?? ts;
    const iso = new Date(tradeTs).toISOString();
    return JSON.stringify({
      type: 'ticker',
      code: sym.nativeId,
      opening_price: sym.openPrice,
      high_price: sym.high,
      low_price: sym.low,
      trade_price: sym.price,
      prev_closing_price: prev,
      change: change(sym.price, prev),
      change_price: Math.abs(diff),
      signed_change_price: diff,
      change_rate: Number(Math.abs(diff / prev).toFixed(8)),
      signed_change_rate: Number((diff / prev).toFixed(8)),
      trade_volume: sym.lastQty,
      acc_trade_volume: Number(sym.volume.toFixed(8)),
      acc_trade_volume_24h: Number(sym.volume.toFixed(8)),
      acc_trade_price: Number(sym.quoteVolume.toFixed(8)),
      acc_trade_price_24h: Number(sym.quoteVolume.toFixed(8)),
      trade_date: iso.slice(0, 10).replaceAll('-', ''),
      trade_time: iso.slice(11, 19).replaceAll(':', ''),
      trade_timestamp: tradeTs,
      ask_bid: last?.trade.side === 'sell' ? 'ASK' : 'BID',
      acc_ask_volume: Number((sym.volume / 2).toFixed(8)),
      acc_bid_volume: Number((sym.volume / 2).toFixed(8)),
      highest_52_week_price: sym.high,
      highest_52_week_date: '2024-03-14',
      lowest_52_week_price: sym.low,
      lowest_52_week_date: '2023-09-11',
      market_state: sym.status === 'trading' ? 'ACTIVE' : 'PREVIEW',
      is_trading_suspended: sym.status !== 'trading',
      delisting_date: null,
      market_warning: 'NONE',
      timestamp: ts,
      stream_type: streamType,
    });
  };

  const error = (status: number, name: string, message: string): RestReply => ({ status, body: { error: { name, message } } });

  const rest = (ctx: VenueContext, path: string, q: URLSearchParams): RestReply => {
    switch (path) {
      case '/v1/market/all': {
        const details = q.get('isDetails') === 'true';
        return {
          status: 200,
          body: ctx.listed().map((s) => {
            const [ko, en] = NAMES[s.base] ?? [s.base, s.base];
            const base = { market: s.nativeId, korean_name: ko, english_name: en };
            if (!details) return base;
            return {
              ...base,
              market_warning: 'NONE',
              market_event: {
                warning: s.status !== 'trading',
                caution: {
                  PRICE_FLUCTUATIONS: false,
                  TRADING_VOLUME_SOARING: false,
                  DEPOSIT_AMOUNT_SOARING: false,
                  GLOBAL_PRICE_DIFFERENCES: false,
                  CONCENTRATION_OF_SMALL_ACCOUNTS: false,
                },
              },
            };
          }),
        };
      }
      case '/v1/trades/ticks': {
        const code = q.get('market');
        if (!code) return error(400, 'validation_error', 'market is missing');
        const sym = ctx.byNative(code);
        if (!sym) return error(404, '404', 'Code not found');
        const count = intParam(q, 'count', 1);
        const cursor = cursorOrd(q.get('cursor'));
        const daysAgo = intParam(q, 'days_ago', 0);
        if (cursor === undefined || [count, daysAgo].some(Number.isNaN) || daysAgo < 0 || daysAgo > 7) return error(400, 'validation_error', 'invalid parameter');
        const limit = Math.min(Math.max(count, 1), 500);
        let rows = cursor >= 0 ? sym.ledger.beforeOrd(cursor, limit) : sym.ledger.last(limit);
        if (daysAgo > 0) {
          // days_ago: only the UTC day that many days back
          const dayStart = Math.floor(ctx.now() / DAY) * DAY - daysAgo * DAY;
          rows = (cursor >= 0 ? sym.ledger.beforeOrd(cursor, Infinity) : sym.ledger.all())
            .filter((e) => e.trade.timestamp >= dayStart && e.trade.timestamp < dayStart + DAY)
            .slice(-limit);
        }
        return {
          status: 200,
          body: rows.reverse().map((e) => ({
            market: sym.nativeId,
            trade_date_utc: isoDate(e.trade.timestamp),
            trade_time_utc: isoTime(e.trade.timestamp),
            timestamp: e.trade.timestamp,
            trade_price: e.trade.price,
            trade_volume: e.trade.amount,
            prev_closing_price: sym.openPrice,
            change_price: Number((e.trade.price - sym.openPrice).toFixed(sym.priceDecimals)),
            ask_bid: e.trade.side === 'buy' ? 'BID' : 'ASK',
            // a bigint: written as a bare 17-digit JSON number, as Upbit writes it (see stringifyRestBody)
            sequential_id: BigInt(upbitSequentialId(e.ord)),
          })),
        };
      }
      default:
        return error(404, '404', 'Not Found');
    }
  };

  const groupOf = (path: string) => (path.startsWith('/v1/trades') ? 'trade' : path.startsWith('/v1/ticker') ? 'ticker' : 'market');
  const tooMany = (ctx: VenueContext, group: string): RestReply => {
    const resetAt = limiter(ctx, group).resetAt(ctx.now());
    return {
      status: 429,
      rateLimited: true,
      headers: { 'Remaining-Req': `group=${group}; min=1800; sec=0`, 'Retry-After': retryAfterSeconds(resetAt, ctx.now()) },
      body: { error: { name: 'too_many_requests', message: 'Too many API requests.' } },
    };
  };

  return {
    exchange: 'upbit',
    market,
    wsPaths: ['/websocket/v1'],
    wsUrlPath: '/websocket/v1',
    restUrlPath: '/v1',
    nativeId: (symbol) => {
      const [base, quote] = symbol.split(':')[0]!.split('/');
      return `${quote}-${base}`;
    },
    assignId(sym, _seq, ts) {
      // unique and increasing, not dense: ms × 1000 plus a counter within the millisecond
      const ord = Math.max((lastOrd.get(sym) ?? 0) + 1, ts * 1000);
      lastOrd.set(sym, ord);
      return { id: upbitSequentialId(ord), ord };
    },
    connectionPolicy: (t): ConnectionPolicy => ({ idleTimeoutMs: t.upbitIdleTimeoutMs, frameType: 'binary' }),
    openSession: (ctx, io) => new UpbitSession(ctx, io, tradeFrame, tickerFrame),
    rest(ctx, path, q) {
      const group = groupOf(path);
      const taken = limiter(ctx, group).take(ctx.now());
      if (!taken.ok) return tooMany(ctx, group);
      const reply = rest(ctx, path, q);
      reply.headers = { 'Remaining-Req': `group=${group}; min=1800; sec=${limiter(ctx, group).remaining(ctx.now())}` };
      return reply;
    },
    rateLimitReply: (ctx) => tooMany(ctx, 'market'),
  };
}

interface TypeRequest {
  type?: unknown;
  codes?: unknown;
  is_only_snapshot?: unknown;
  is_only_realtime?: unknown;
}

class UpbitSession implements VenueSession {
  private trades = new Set<string>();
  private tickers = new Set<string>();
  /** orderbook subscriptions: code → units per frame */
  private books = new Map<string, number>();

  constructor(
    private readonly ctx: VenueContext,
    private readonly io: SessionIO,
    private readonly tradeFrame: (sym: SymbolState, e: LedgerEntry, streamType: string) => string,
    private readonly tickerFrame: (sym: SymbolState, ts: number, streamType: string) => string,
  ) {}

  streamCount(): number {
    return this.trades.size + this.tickers.size + this.books.size;
  }

  private error(name: string, message: string): void {
    this.io.send(JSON.stringify({ error: { name, message } }));
  }

  onMessage(data: Buffer): void {
    const text = data.toString('utf8');
    if (text === 'PING') return this.io.send('{"status":"UP"}');
    let req: unknown;
    try {
      req = JSON.parse(text);
    } catch {
      return this.error('WRONG_FORMAT', '요청 형식이 올바르지 않습니다.');
    }
    if (!Array.isArray(req) || req.some((o) => typeof o !== 'object' || o === null)) return this.error('WRONG_FORMAT', '요청 형식이 올바르지 않습니다.');
    const objects = req as Array<Record<string, unknown>>;
    if (!objects.some((o) => typeof o.ticket === 'string' && o.ticket !== '')) return this.error('NO_TICKET', '티켓이 존재하지 않습니다.');
    const types = objects.filter((o) => !('ticket' in o) && !('format' in o)) as TypeRequest[];
    if (types.length === 0) return this.error('NO_TYPE', '타입 필드가 존재하지 않습니다.');
    this.ctx.stats.subscribeRequests++;
    const next = { trade: new Set<string>(), ticker: new Set<string>() };
    const nextBooks = new Map<string, number>();
    const snapshots: Array<() => void> = [];
    // a refusal is decided once per code and request, whichever types name it
    const refusedNow = new Set<string>();
    const servedNow = new Set<string>();
    for (const t of types) {
      if (t.type === undefined) return this.error('NO_TYPE', '타입 필드가 존재하지 않습니다.');
      if (t.type !== 'trade' && t.type !== 'ticker' && t.type !== 'orderbook') return this.error('INVALID_PARAM', `지원하지 않는 타입입니다: ${String(t.type)}`);
      if (!Array.isArray(t.codes) || t.codes.length === 0) return this.error('NO_CODES', '코드 필드가 존재하지 않습니다.');
      const type = t.type;
      for (const raw of t.codes as unknown[]) {
        // orderbook codes may name their units: `KRW-BTC.15` (1, 5, 15 or 30; 30 when absent)
        const m = type === 'orderbook' && typeof raw === 'string' ? /^(.+)\.(1|5|15|30)$/.exec(raw) : null;
        const code = m ? m[1] : raw;
        const units = m ? Number(m[2]) : 30;
        const sym = typeof code === 'string' ? this.ctx.byNative(code) : undefined;
        if (!sym) {
          this.ctx.stats.subscribeRejected++;
          return this.error('INVALID_PARAM', `잘못된 코드입니다: ${String(code)}`);
        }
        // Upbit answers no code it will not serve: no error, no snapshot, no data; the others flow
        if (refusedNow.has(sym.nativeId) || (!servedNow.has(sym.nativeId) && this.ctx.consumeFault('reject-subscribe', sym.symbol))) {
          if (!refusedNow.has(sym.nativeId)) this.ctx.stats.subscribeRejected++;
          refusedNow.add(sym.nativeId);
          continue;
        }
        servedNow.add(sym.nativeId);
        if (type === 'orderbook') {
          if (t.is_only_snapshot !== true) nextBooks.set(sym.nativeId, units);
          if (t.is_only_realtime !== true) snapshots.push(() => this.bookFrame(sym, units, this.ctx.venueNow(), 'SNAPSHOT'));
          continue;
        }
        if (t.is_only_snapshot !== true) next[type].add(sym.nativeId);
        if (t.is_only_realtime !== true) {
          snapshots.push(() => {
            if (type === 'ticker') this.io.queue(this.tickerFrame(sym, this.ctx.venueNow(), 'SNAPSHOT'), sym.symbol);
            else {
              const last = sym.ledger.lastEntry();
              if (last) this.io.queue(this.tradeFrame(sym, last, 'SNAPSHOT'), sym.symbol);
            }
          });
        }
      }
    }
    // a new request replaces the connection's whole subscription
    // Upbit sends no ack: the trades of a code newly in the request stream from this moment on
    for (const code of next.trade) if (!this.trades.has(code)) this.ctx.subscribed(this.ctx.byNative(code)!);
    this.trades = next.trade;
    this.tickers = next.ticker;
    this.books = nextBooks;
    for (const s of snapshots) s();
  }

  private bookFrame(sym: SymbolState, units: number, timestamp: number, streamType: string): void {
    const book = this.ctx.book(sym);
    if (streamType === 'SNAPSHOT') book.keepServed(timestamp);
    this.io.queue(JSON.stringify(upbitOrderbook(book.book, sym.nativeId, book.format, timestamp, units, streamType)), sym.symbol);
  }

  onBook(sym: SymbolState, _diff: BookDiff, timestamp: number): void {
    const units = this.books.get(sym.nativeId);
    if (units !== undefined) this.bookFrame(sym, units, timestamp, 'REALTIME');
  }

  onTrades(sym: SymbolState, entries: readonly LedgerEntry[]): void {
    if (!this.trades.has(sym.nativeId)) return;
    for (const e of entries) this.io.queue(this.tradeFrame(sym, e, 'REALTIME'), sym.symbol);
  }

  onTicker(sym: SymbolState, timestamp: number): void {
    if (this.tickers.has(sym.nativeId)) this.io.queue(this.tickerFrame(sym, timestamp, 'REALTIME'), sym.symbol);
  }

  onDelisted(sym: SymbolState): void {
    this.books.delete(sym.nativeId);
    this.trades.delete(sym.nativeId);
    this.tickers.delete(sym.nativeId);
  }
}
