/**
 * OKX v5 public: SPOT (`BTC-USDT`) and USDT-margined SWAP (`BTC-USDT-SWAP`, market 'futures').
 * Wire facts: `{"op":"subscribe","args":[{channel,instId}]}` acked once per arg; text `ping` → `pong`;
 * the server closes after 30 s with nothing received; every number and timestamp is a string;
 * SWAP sizes are contracts (base = sz × ctVal); history-trades pages backwards by tradeId;
 * each REST endpoint has its own limit per IP (20 requests per 2 s here; OKX sends no accounting
 * headers), over it HTTP 429 with code 50011.
 */
import type { Market } from '../../records.js';
import { askPrice, bidPrice, continuingIdBase, type SymbolState } from '../generator.js';
import type { LedgerEntry } from '../ledger.js';
import { FixedWindow, intParam, retryAfterSeconds } from '../ratelimit.js';
import type { ConnectionPolicy, RestReply, SessionIO, SimVenue, VenueContext, VenueSession } from '../venue.js';
import type { BookDiff } from '../book/true-book.js';
import { TopView } from '../book/top-view.js';
import { BookFrameFaults } from '../book/frame-faults.js';
import { okxBooks, okxBooksRest } from '../book/wire.js';

/** ctVal of the USDT SWAPs (base units per contract), as OKX lists them */
const CONTRACT_VALUES: Record<string, number> = { BTC: 0.01, ETH: 0.1, SOL: 1, BNB: 0.01, XRP: 100, DOGE: 1000, ADA: 100 };
const DATA_PER_FRAME = 50;
const OKX_ROUTES = new Set(['/api/v5/public/time', '/api/v5/public/instruments', '/api/v5/market/trades', '/api/v5/market/history-trades', '/api/v5/market/books']);

export function okxVenue(market: Market): SimVenue {
  const swap = market === 'futures';
  const instType = swap ? 'SWAP' : 'SPOT';
  const idBase = new Map<SymbolState, number>();
  const limiters = new Map<string, FixedWindow>();

  const sz = (sym: SymbolState, amount: number) =>
    sym.contractSize !== undefined ? String(Math.round(amount / sym.contractSize)) : amount.toFixed(sym.amountDecimals);
  const px = (sym: SymbolState, v: number) => v.toFixed(sym.priceDecimals);

  const tradeData = (sym: SymbolState, e: LedgerEntry) =>
    `{"instId":"${sym.nativeId}","tradeId":"${e.trade.id}","px":"${px(sym, e.trade.price)}","sz":"${sz(sym, e.trade.amount)}","side":"${e.trade.side}","ts":"${e.trade.timestamp}","count":"${e.fills}","source":"0"}`;

  const tickerData = (sym: SymbolState, ts: number) => {
    const baseVol = sym.volume.toFixed(sym.amountDecimals);
    return JSON.stringify({
      instType,
      instId: sym.nativeId,
      last: px(sym, sym.price),
      lastSz: sz(sym, sym.lastQty),
      askPx: px(sym, askPrice(sym)),
      askSz: swap ? String(Math.max(1, Math.round(sym.askSize * 100))) : String(sym.askSize),
      bidPx: px(sym, bidPrice(sym)),
      bidSz: swap ? String(Math.max(1, Math.round(sym.bidSize * 100))) : String(sym.bidSize),
      open24h: px(sym, sym.openPrice),
      high24h: px(sym, sym.high),
      low24h: px(sym, sym.low),
      // SPOT: vol24h base, volCcy24h quote; SWAP: vol24h contracts, volCcy24h base
      volCcy24h: swap ? baseVol : sym.quoteVolume.toFixed(2),
      vol24h: swap ? String(Math.round(sym.volume / (sym.contractSize ?? 1))) : baseVol,
      sodUtc0: px(sym, sym.openPrice),
      sodUtc8: px(sym, sym.openPrice),
      ts: String(ts),
    });
  };

  const reply = (status: number, code: string, msg: string, data: unknown[] = []): RestReply => ({
    status,
    body: { code, msg, data },
  });

  const instrument = (s: SymbolState) => ({
    instType,
    instId: s.nativeId,
    uly: swap ? `${s.base}-${s.quote}` : '',
    instFamily: swap ? `${s.base}-${s.quote}` : '',
    baseCcy: swap ? '' : s.base,
    quoteCcy: swap ? '' : s.quote,
    settleCcy: swap ? (s.settle ?? s.quote) : '',
    ctValCcy: swap ? s.base : '',
    ctVal: swap ? String(s.contractSize) : '',
    ctMult: swap ? '1' : '',
    ctType: swap ? 'linear' : '',
    alias: '',
    listTime: '1606468572000',
    expTime: '',
    lever: swap ? '100' : '10',
    tickSz: (1 / s.priceScale).toFixed(s.priceDecimals),
    lotSz: swap ? '1' : (1 / s.amountScale).toFixed(s.amountDecimals),
    minSz: swap ? '1' : (1 / s.amountScale).toFixed(s.amountDecimals),
    maxLmtSz: '10000000',
    state: s.status === 'trading' ? 'live' : 'suspend',
  });

  const restTrade = (sym: SymbolState, e: LedgerEntry) => ({
    instId: sym.nativeId,
    side: e.trade.side,
    sz: sz(sym, e.trade.amount),
    px: px(sym, e.trade.price),
    source: '0',
    tradeId: e.trade.id,
    ts: String(e.trade.timestamp),
  });

  const instParam = (ctx: VenueContext, q: URLSearchParams): SymbolState | RestReply => {
    const id = q.get('instId');
    if (!id) return reply(400, '50014', 'Parameter instId can not be empty');
    return ctx.byNative(id) ?? reply(400, '51001', "Instrument ID or Spread ID doesn't exist.");
  };

  const rest = (ctx: VenueContext, path: string, q: URLSearchParams): RestReply => {
    switch (path) {
      case '/api/v5/public/time':
        return reply(200, '0', '', [{ ts: String(ctx.venueNow()) }]);
      case '/api/v5/public/instruments': {
        const type = q.get('instType');
        if (!type) return reply(400, '50014', 'Parameter instType can not be empty');
        if (!['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION'].includes(type)) return reply(400, '51000', 'Parameter instType error');
        const listed = type === instType ? ctx.listed() : [];
        const one = q.get('instId');
        return reply(200, '0', '', listed.filter((s) => one === null || s.nativeId === one).map(instrument));
      }
      case '/api/v5/market/trades': {
        const sym = instParam(ctx, q);
        if ('body' in sym) return sym;
        const limit = Math.min(Math.max(intParam(q, 'limit', 100) || 100, 1), 500);
        return reply(200, '0', '', sym.ledger.last(limit).reverse().map((e) => restTrade(sym, e)));
      }
      case '/api/v5/market/history-trades': {
        const sym = instParam(ctx, q);
        if ('body' in sym) return sym;
        const limit = Math.min(Math.max(intParam(q, 'limit', 100) || 100, 1), 100);
        const byTime = q.get('type') === '2';
        const after = intParam(q, 'after', -1);
        const before = intParam(q, 'before', -1);
        if (Number.isNaN(after) || Number.isNaN(before)) return reply(400, '51000', 'Parameter after or before error');
        let rows: LedgerEntry[];
        // after: older than the cursor (pages backwards); before: newer than the cursor
        if (after >= 0) rows = byTime ? sym.ledger.beforeTime(after, limit) : sym.ledger.beforeOrd(after, limit);
        else if (before >= 0) rows = byTime ? sym.ledger.afterTime(before, limit) : sym.ledger.fromOrd(before + 1, limit);
        else rows = sym.ledger.last(limit);
        return reply(200, '0', '', rows.reverse().map((e) => restTrade(sym, e)));
      }
      case '/api/v5/market/books': {
        // where no WebSocket snapshot comes (OKX announced its removal), a client seeds its book here
        const sym = instParam(ctx, q);
        if ('body' in sym) return sym;
        const sz = Math.min(Math.max(intParam(q, 'sz', 1) || 1, 1), 400);
        const book = ctx.book(sym);
        book.keepServed(ctx.venueNow());
        return { status: 200, body: okxBooksRest(book.snapshot(), book.format, sz, ctx.venueNow()) };
      }
      default:
        return reply(404, '404', 'Not Found');
    }
  };

  const tooMany = (ctx: VenueContext, until: number): RestReply => ({
    status: 429,
    rateLimited: true,
    headers: { 'Retry-After': retryAfterSeconds(until, ctx.now()) },
    body: { code: '50011', msg: 'Too Many Requests', data: [] },
  });
  // one window per endpoint, as OKX counts; any path it does not serve shares one (bounded)
  const window = (ctx: VenueContext, path: string) => {
    const key = OKX_ROUTES.has(path) ? path : 'other';
    let l = limiters.get(key);
    if (!l) limiters.set(key, (l = new FixedWindow(ctx.timing.okxRestWindowMs, ctx.timing.okxRestLimit)));
    return l;
  };

  return {
    exchange: 'okx',
    market,
    wsPaths: ['/ws/v5/public'],
    wsUrlPath: '/ws/v5/public',
    restUrlPath: '',
    nativeId: (symbol) => {
      const [pair] = symbol.split(':');
      const id = pair!.replace('/', '-');
      return swap ? `${id}-SWAP` : id;
    },
    initSymbol(sym, ctx) {
      idBase.set(sym, continuingIdBase(ctx.now(), ctx.prng));
      if (swap) sym.contractSize = CONTRACT_VALUES[sym.base] ?? 1;
    },
    assignId(sym, seq, _ts, ctx) {
      const id = (idBase.get(sym) ?? 0) + seq;
      return { id: String(id), ord: id, fills: 1 + ctx.prng.int(3) };
    },
    connectionPolicy: (t): ConnectionPolicy => ({ idleTimeoutMs: t.okxIdleTimeoutMs, frameType: 'text' }),
    openSession: (ctx, io) => new OkxSession(ctx, io, tradeData, tickerData),
    rest(ctx, path, q) {
      const now = ctx.now();
      const taken = window(ctx, path).take(now);
      if (!taken.ok) return tooMany(ctx, taken.resetAt);
      return rest(ctx, path, q);
    },
    rateLimitReply: (ctx) => tooMany(ctx, window(ctx, '').resetAt(ctx.now())),
  };
}

const CHANNELS = new Set(['trades', 'tickers', 'books']);
/**
 * `books`: 400 levels a side, updates every 100 ms, as OKX serves them today: no initial snapshot
 * (delisted from the channel, announced for August 2026) and `checksum` 0 (not sent since
 * 2026-06-23). A client bootstraps from REST `/api/v5/market/books` and chains the updates on its
 * `seqId`.
 */
const BOOKS_DEPTH = 400;

class OkxSession implements VenueSession {
  private readonly trades = new Set<string>();
  private readonly tickers = new Set<string>();
  /** `books` subscriptions: native id → the levels sent so far and the last seqId sent */
  private readonly books = new Map<string, { view: TopView; seq: number }>();
  private readonly bookFaults: BookFrameFaults;

  constructor(
    private readonly ctx: VenueContext,
    private readonly io: SessionIO,
    private readonly tradeData: (sym: SymbolState, e: LedgerEntry) => string,
    private readonly tickerData: (sym: SymbolState, ts: number) => string,
  ) {
    this.bookFaults = new BookFrameFaults(ctx);
  }

  streamCount(): number {
    return this.trades.size + this.tickers.size + this.books.size;
  }

  private error(code: string, msg: string, id?: string): void {
    this.io.send(JSON.stringify({ ...(id !== undefined ? { id } : {}), event: 'error', code, msg, connId: this.io.connId }));
  }

  onMessage(data: Buffer): void {
    const text = data.toString('utf8');
    if (text === 'ping') return this.io.send('pong');
    let req: { op?: unknown; args?: unknown; id?: unknown };
    try {
      req = JSON.parse(text) as typeof req;
    } catch {
      return this.error('60012', `Invalid request: ${text}`);
    }
    const id = typeof req.id === 'string' ? req.id : undefined;
    if (req.op !== 'subscribe' && req.op !== 'unsubscribe') return this.error('60012', `Invalid request: ${text}`, id);
    if (!Array.isArray(req.args) || req.args.length === 0) return this.error('60012', `Invalid request: ${text}`, id);
    const op = req.op;
    for (const raw of req.args as unknown[]) {
      const arg = (typeof raw === 'object' && raw !== null ? raw : {}) as { channel?: unknown; instId?: unknown };
      const channel = String(arg.channel);
      const instId = String(arg.instId);
      const sym = this.ctx.byNative(instId);
      if (op === 'subscribe') this.ctx.stats.subscribeRequests++;
      if (!CHANNELS.has(channel) || !sym) {
        if (op === 'subscribe') this.ctx.stats.subscribeRejected++;
        this.error('60018', `Wrong URL or channel:${channel},instId:${instId} doesn't exist`, id);
        continue;
      }
      if (op === 'subscribe' && this.ctx.consumeFault('reject-subscribe', sym.symbol)) {
        this.ctx.stats.subscribeRejected++;
        this.error('60018', `Wrong URL or channel:${channel},instId:${instId} doesn't exist`, id);
        continue;
      }
      if (channel === 'books') {
        if (op === 'subscribe') this.books.set(sym.nativeId, { view: new TopView(BOOKS_DEPTH), seq: -1 });
        else this.books.delete(sym.nativeId);
      } else {
        const set = channel === 'trades' ? this.trades : this.tickers;
        if (op === 'subscribe') set.add(sym.nativeId);
        else set.delete(sym.nativeId);
      }
      this.io.send(JSON.stringify({ ...(id !== undefined ? { id } : {}), event: op, arg: { channel, instId }, connId: this.io.connId }));
      if (op === 'subscribe' && channel === 'trades') this.ctx.subscribed(sym);
      if (op === 'subscribe' && channel === 'books') this.startBook(sym);
    }
  }

  onTrades(sym: SymbolState, entries: readonly LedgerEntry[]): void {
    if (!this.trades.has(sym.nativeId)) return;
    const head = `{"arg":{"channel":"trades","instId":"${sym.nativeId}"},"data":[`;
    for (let i = 0; i < entries.length; i += DATA_PER_FRAME) {
      const parts: string[] = [];
      for (const e of entries.slice(i, i + DATA_PER_FRAME)) parts.push(this.tradeData(sym, e));
      this.io.queue(`${head}${parts.join(',')}]}`, sym.symbol);
    }
  }

  onTicker(sym: SymbolState, timestamp: number): void {
    if (!this.tickers.has(sym.nativeId)) return;
    this.io.queue(`{"arg":{"channel":"tickers","instId":"${sym.nativeId}"},"data":[${this.tickerData(sym, timestamp)}]}`, sym.symbol);
  }

  /** a new subscription: updates from the book as it stands now, with no snapshot sent (see BOOKS_DEPTH) */
  private startBook(sym: SymbolState): void {
    const sub = this.books.get(sym.nativeId);
    if (sub === undefined) return;
    const simBook = this.ctx.book(sym);
    sub.view.snapshot(simBook.book);
    sub.seq = simBook.book.updateId;
  }

  onBook(sym: SymbolState, diff: BookDiff, timestamp: number): void {
    const sub = this.books.get(sym.nativeId);
    if (sub === undefined || sym.book === undefined) return;
    const book = sym.book.book;
    const delta = sub.view.delta(book, diff);
    if (delta.bids.length === 0 && delta.asks.length === 0) return;
    const frame = okxBooks(book, delta, sym.nativeId, sym.book.format, timestamp, sub.seq, false) as { data: [{ checksum: number }] };
    if (this.ctx.consumeFault('book-checksum', sym.symbol)) frame.data[0].checksum = (frame.data[0].checksum + 1) | 0 || 1;
    for (const out of this.bookFaults.pass(sym.symbol, JSON.stringify(frame))) this.io.queue(out, sym.symbol);
    sub.seq = book.updateId;
  }

  onDelisted(sym: SymbolState): void {
    this.books.delete(sym.nativeId);
    this.trades.delete(sym.nativeId);
    this.tickers.delete(sym.nativeId);
  }
}
