/**
 * Bybit v5 public: spot (`/v5/public/spot`) and linear perpetuals (`/v5/public/linear`, market 'futures').
 * Wire facts: `{"req_id","op":"subscribe","args":[topics]}` → `{"success":…,"ret_msg":…,"conn_id":…,"op":"subscribe"}`;
 * spot takes at most 10 args per request; `{"op":"ping"}` → spot `{"success":true,"ret_msg":"pong",…,"op":"ping"}`,
 * linear `{"op":"pong","args":[ms],…}`; `publicTrade.SYM` snapshots carry arrays of trades: on spot
 * with 19-digit decimal ids, rising one by one per symbol (`"i":"2290000000050703789"` in real
 * captures), on linear with UUID ids;
 * linear `tickers.SYM` sends a snapshot then deltas holding only changed fields. REST over the
 * rate limit: HTTP 403 with retCode 10006 and `X-Bapi-Limit-Reset-Timestamp`.
 */
import type { Market } from '../../records.js';
import { askPrice, bidPrice, continuingDecimalId, continuingUuid, type SymbolState } from '../generator.js';
import type { LedgerEntry } from '../ledger.js';
import { FixedWindow, intParam, retryAfterSeconds } from '../ratelimit.js';
import type { ConnectionPolicy, RestReply, SessionIO, SimVenue, VenueContext, VenueSession } from '../venue.js';
import type { BookDiff } from '../book/true-book.js';
import { TopView } from '../book/top-view.js';
import { BookFrameFaults } from '../book/frame-faults.js';
import { bybitOrderbook } from '../book/wire.js';

const TRADES_PER_FRAME = 100;
const SPOT_MAX_ARGS = 10;

export function bybitVenue(market: Market): SimVenue {
  const linear = market === 'futures';
  const category = linear ? 'linear' : 'spot';
  let limiter: FixedWindow | undefined;
  const runStart = new Map<SymbolState, number>();
  const window = (ctx: VenueContext) => (limiter ??= new FixedWindow(ctx.timing.bybitRestWindowMs, ctx.timing.bybitRestLimit));

  const ok = (ctx: VenueContext, result: unknown): RestReply => ({
    status: 200,
    body: { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: ctx.venueNow() },
  });
  const paramError = (ctx: VenueContext, msg: string): RestReply => ({
    status: 200,
    body: { retCode: 10001, retMsg: msg, result: {}, retExtInfo: {}, time: ctx.venueNow() },
  });

  const instrument = (s: SymbolState) => {
    const tickSize = (1 / s.priceScale).toFixed(s.priceDecimals);
    const step = (1 / s.amountScale).toFixed(s.amountDecimals);
    const status = s.status === 'trading' ? 'Trading' : 'Closed';
    if (!linear) {
      return {
        symbol: s.nativeId,
        baseCoin: s.base,
        quoteCoin: s.quote,
        innovation: '0',
        status,
        marginTrading: 'none',
        stTag: '0',
        lotSizeFilter: { basePrecision: step, quotePrecision: '0.00000001', minOrderQty: step, maxOrderQty: '10000', minOrderAmt: '1', maxOrderAmt: '2000000' },
        priceFilter: { tickSize },
      };
    }
    return {
      symbol: s.nativeId,
      contractType: 'LinearPerpetual',
      status,
      baseCoin: s.base,
      quoteCoin: s.quote,
      launchTime: '1585526400000',
      deliveryTime: '0',
      deliveryFeeRate: '',
      priceScale: String(s.priceDecimals),
      leverageFilter: { minLeverage: '1', maxLeverage: '100.00', leverageStep: '0.01' },
      priceFilter: { minPrice: tickSize, maxPrice: '1999999.80', tickSize },
      lotSizeFilter: { maxOrderQty: '1190.000', minOrderQty: step, qtyStep: step, postOnlyMaxOrderQty: '1190.000', maxMktOrderQty: '500.000', minNotionalValue: '5' },
      unifiedMarginTrade: true,
      fundingInterval: 480,
      settleCoin: s.settle ?? s.quote,
      copyTrading: 'both',
      upperFundingRate: '0.00375',
      lowerFundingRate: '-0.00375',
      isPreListing: false,
    };
  };

  const rest = (ctx: VenueContext, path: string, q: URLSearchParams): RestReply => {
    switch (path) {
      case '/v5/market/time': {
        const now = ctx.venueNow();
        return ok(ctx, { timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` });
      }
      case '/v5/market/instruments-info': {
        const cat = q.get('category');
        if (!cat || !['spot', 'linear', 'inverse', 'option'].includes(cat)) return paramError(ctx, 'params error: Category is invalid');
        const one = q.get('symbol');
        const all = cat === category ? ctx.listed().filter((s) => one === null || s.nativeId === one) : [];
        const limit = Math.min(Math.max(intParam(q, 'limit', 500) || 500, 1), 1000);
        const cursor = q.get('cursor');
        const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^offset=/, '')) || 0 : 0;
        const page = all.slice(offset, offset + limit);
        const next = offset + limit < all.length ? Buffer.from(`offset=${offset + limit}`).toString('base64url') : '';
        return ok(ctx, { category: cat, list: page.map(instrument), nextPageCursor: next });
      }
      case '/v5/market/recent-trade': {
        const cat = q.get('category');
        if (!cat || !['spot', 'linear', 'inverse', 'option'].includes(cat)) return paramError(ctx, 'params error: Category is invalid');
        const id = q.get('symbol');
        if (!id) return paramError(ctx, 'params error: symbol is required');
        const sym = cat === category ? ctx.byNative(id) : undefined;
        if (!sym) return paramError(ctx, 'params error: symbol invalid');
        const max = linear ? 1000 : 60;
        const limit = Math.min(Math.max(intParam(q, 'limit', linear ? 500 : 60) || max, 1), max);
        const list = sym.ledger
          .last(limit)
          .reverse()
          .map((e) => ({
            execId: e.trade.id,
            symbol: sym.nativeId,
            price: e.trade.price.toFixed(sym.priceDecimals),
            size: e.trade.amount.toFixed(sym.amountDecimals),
            side: e.trade.side === 'buy' ? 'Buy' : 'Sell',
            time: String(e.trade.timestamp),
            isBlockTrade: false,
            isRPITrade: false,
          }));
        return ok(ctx, { category: cat, list });
      }
      default:
        return { status: 404, body: { retCode: 10404, retMsg: 'Not Found', result: {}, retExtInfo: {}, time: ctx.venueNow() } };
    }
  };

  const tooFrequent = (ctx: VenueContext, resetAt: number): RestReply => ({
    status: 403,
    rateLimited: true,
    headers: {
      'X-Bapi-Limit': String(ctx.timing.bybitRestLimit),
      'X-Bapi-Limit-Status': '0',
      'X-Bapi-Limit-Reset-Timestamp': String(resetAt),
      'Retry-After': retryAfterSeconds(resetAt, ctx.now()),
    },
    body: { retCode: 10006, retMsg: 'Too many visits!', result: {}, retExtInfo: {}, time: ctx.venueNow() },
  });

  return {
    exchange: 'bybit',
    market,
    wsPaths: [linear ? '/v5/public/linear' : '/v5/public/spot'],
    wsUrlPath: linear ? '/v5/public/linear' : '/v5/public/spot',
    restUrlPath: '',
    // the REST `recent-trade` endpoint is all the history Bybit serves
    historyReach: linear ? 1000 : 60,
    nativeId: (symbol) => symbol.split(':')[0]!.replace('/', ''),
    initSymbol(sym, ctx) {
      runStart.set(sym, ctx.now());
    },
    assignId: (sym, seq, _ts, ctx) => ({ id: linear ? continuingUuid(runStart.get(sym) ?? 0, seq, ctx.prng.uuid()) : continuingDecimalId(runStart.get(sym) ?? 0, seq), ord: seq }),
    connectionPolicy: (t): ConnectionPolicy => ({ idleTimeoutMs: t.bybitIdleTimeoutMs, frameType: 'text' }),
    openSession: (ctx, io) => new BybitSession(ctx, io, linear),
    rest(ctx, path, q) {
      const now = ctx.now();
      const taken = window(ctx).take(now);
      if (!taken.ok) return tooFrequent(ctx, taken.resetAt);
      const reply = rest(ctx, path, q);
      reply.headers = {
        'X-Bapi-Limit': String(ctx.timing.bybitRestLimit),
        'X-Bapi-Limit-Status': String(window(ctx).remaining(now)),
        'X-Bapi-Limit-Reset-Timestamp': String(taken.resetAt),
      };
      return reply;
    },
    rateLimitReply: (ctx) => tooFrequent(ctx, window(ctx).resetAt(ctx.now())),
  };
}

type TickerFields = Record<string, string>;

/** orderbook depths per category (v5 docs: spot 1/50/200/1000, linear 1/50/200/1000) */
const SPOT_BOOK_DEPTHS = [1, 50, 200, 1000];
const LINEAR_BOOK_DEPTHS = [1, 50, 200, 1000];

class BybitSession implements VenueSession {
  private readonly trades = new Set<string>();
  private readonly tickers = new Set<string>();
  /** linear: the ticker fields last sent per symbol, so deltas carry only what changed */
  private readonly lastTicker = new Map<string, TickerFields>();
  private readonly lastPrice = new Map<string, number>();
  /** orderbook subscriptions: native id → depth, the levels sent so far, the push counter `u` */
  private readonly books = new Map<string, { depth: number; view: TopView; u: number }>();
  private cs = 1;
  private readonly bookFaults: BookFrameFaults;

  constructor(
    private readonly ctx: VenueContext,
    private readonly io: SessionIO,
    private readonly linear: boolean,
  ) {
    this.bookFaults = new BookFrameFaults(ctx);
  }

  streamCount(): number {
    return this.trades.size + this.tickers.size + this.books.size;
  }

  private answer(op: string, success: boolean, retMsg: string, reqId: string | undefined): void {
    this.io.send(JSON.stringify({ success, ret_msg: retMsg, conn_id: this.io.connId, ...(reqId !== undefined ? { req_id: reqId } : {}), op }));
  }

  onMessage(data: Buffer): void {
    let req: { op?: unknown; args?: unknown; req_id?: unknown };
    try {
      req = JSON.parse(data.toString('utf8')) as typeof req;
    } catch {
      return this.answer('', false, 'error:request format is invalid', undefined);
    }
    const reqId = typeof req.req_id === 'string' ? req.req_id : undefined;
    if (req.op === 'ping') {
      if (this.linear) {
        this.io.send(JSON.stringify({ ...(reqId !== undefined ? { req_id: reqId } : {}), op: 'pong', args: [String(this.ctx.venueNow())], conn_id: this.io.connId }));
      } else {
        this.answer('ping', true, 'pong', reqId);
      }
      return;
    }
    if (req.op !== 'subscribe' && req.op !== 'unsubscribe') return this.answer(String(req.op ?? ''), false, `error:unknown op,op:${String(req.op)}`, reqId);
    const op = req.op;
    if (!Array.isArray(req.args) || req.args.some((a) => typeof a !== 'string')) return this.answer(op, false, 'error:args must be an array of topics', reqId);
    const topics = req.args as string[];
    if (op === 'subscribe') this.ctx.stats.subscribeRequests++;
    const reject = (msg: string) => {
      if (op === 'subscribe') this.ctx.stats.subscribeRejected++;
      this.answer(op, false, msg, reqId);
    };
    if (!this.linear && topics.length > SPOT_MAX_ARGS) return reject(`args size >${SPOT_MAX_ARGS}`);
    const resolved: Array<{ kind: 'publicTrade' | 'tickers' | 'orderbook'; sym: SymbolState; topic: string; depth: number }> = [];
    for (const topic of topics) {
      const dot = topic.indexOf('.');
      const kind = topic.slice(0, dot);
      let rest = topic.slice(dot + 1);
      let depth = 0;
      if (kind === 'orderbook') {
        // orderbook.{depth}.{symbol}; the depths each category serves
        const m = /^(\d+)\.(.+)$/.exec(rest);
        depth = m ? Number(m[1]) : NaN;
        if (!m || !(this.linear ? LINEAR_BOOK_DEPTHS : SPOT_BOOK_DEPTHS).includes(depth)) return reject(`error:handler not found,topic:${topic}`);
        rest = m[2] as string;
      }
      const sym = this.ctx.byNative(rest);
      if (kind !== 'publicTrade' && kind !== 'tickers' && kind !== 'orderbook') return reject(`error:handler not found,topic:${topic}`);
      if (!sym) return reject(`Invalid symbol :[${topic}]`);
      resolved.push({ kind, sym, topic, depth });
    }
    if (op === 'subscribe') {
      // Bybit refuses the whole request and names only the topic it refuses
      const refused = resolved.find((r) => this.ctx.consumeFault('reject-subscribe', r.sym.symbol));
      if (refused) return reject(`Invalid symbol :[${refused.topic}]`);
      const dup = resolved.find((r) => (r.kind === 'orderbook' ? this.books : r.kind === 'publicTrade' ? this.trades : this.tickers).has(r.sym.nativeId));
      if (dup) return reject(`error:already subscribed,topic:${dup.topic}`);
    }
    for (const r of resolved) {
      if (r.kind === 'orderbook') {
        if (op === 'subscribe') this.books.set(r.sym.nativeId, { depth: r.depth, view: new TopView(r.depth), u: 0 });
        else this.books.delete(r.sym.nativeId);
        continue;
      }
      const set = r.kind === 'publicTrade' ? this.trades : this.tickers;
      if (op === 'subscribe') set.add(r.sym.nativeId);
      else {
        set.delete(r.sym.nativeId);
        if (r.kind === 'tickers') this.lastTicker.delete(r.sym.nativeId);
      }
    }
    this.answer(op, true, '', reqId);
    if (op === 'subscribe') for (const r of resolved) if (r.kind === 'publicTrade') this.ctx.subscribed(r.sym);
    // a ticker subscription starts with a snapshot, and so does a book
    if (op === 'subscribe') for (const r of resolved) if (r.kind === 'tickers') this.onTicker(r.sym, this.ctx.venueNow());
    if (op === 'subscribe') for (const r of resolved) if (r.kind === 'orderbook') this.bookSnapshot(r.sym);
  }

  private bookSnapshot(sym: SymbolState): void {
    const sub = this.books.get(sym.nativeId);
    if (sub === undefined) return;
    const book = this.ctx.book(sym).book;
    sub.view.snapshot(book);
    sub.u = book.updateId + 2; // any start but 1, which would mean a service restart
    this.ctx.book(sym).keepServed(this.ctx.venueNow(), sub.u);
    const f = { priceDecimals: sym.priceDecimals, amountDecimals: sym.amountDecimals };
    this.io.queue(JSON.stringify(bybitOrderbook(book, undefined, sym.nativeId, sub.depth, f, this.ctx.venueNow(), sub.u, book.updateId)), sym.symbol);
  }

  onBook(sym: SymbolState, _diff: BookDiff, timestamp: number): void {
    const sub = this.books.get(sym.nativeId);
    if (sub === undefined || sym.book === undefined) return;
    const book = sym.book.book;
    const delta = sub.view.delta(book);
    if (delta.bids.length === 0 && delta.asks.length === 0) return;
    sub.u++;
    // u counts this subscription's pushes: the true book keeps which push it numbered, for trueBookAt
    sym.book.noteVenueId(sub.u);
    const f = { priceDecimals: sym.priceDecimals, amountDecimals: sym.amountDecimals };
    const frame = JSON.stringify(bybitOrderbook(book, delta, sym.nativeId, sub.depth, f, timestamp, sub.u, book.updateId));
    for (const out of this.bookFaults.pass(sym.symbol, frame)) this.io.queue(out, sym.symbol);
  }

  onDelisted(sym: SymbolState): void {
    this.books.delete(sym.nativeId);
    this.trades.delete(sym.nativeId);
    this.tickers.delete(sym.nativeId);
    this.lastTicker.delete(sym.nativeId);
  }

  private tickDirection(id: string, price: number): string {
    const prev = this.lastPrice.get(id);
    this.lastPrice.set(id, price);
    if (prev === undefined || prev === price) return price >= (prev ?? price) ? 'ZeroPlusTick' : 'ZeroMinusTick';
    return price > prev ? 'PlusTick' : 'MinusTick';
  }

  onTrades(sym: SymbolState, entries: readonly LedgerEntry[]): void {
    const id = sym.nativeId;
    if (!this.trades.has(id)) return;
    for (let i = 0; i < entries.length; i += TRADES_PER_FRAME) {
      const chunk = entries.slice(i, i + TRADES_PER_FRAME);
      const parts = chunk.map((e) => {
        const t = e.trade;
        return `{"T":${t.timestamp},"s":"${id}","S":"${t.side === 'buy' ? 'Buy' : 'Sell'}","v":"${t.amount.toFixed(sym.amountDecimals)}","p":"${t.price.toFixed(sym.priceDecimals)}","L":"${this.tickDirection(id, t.price)}","i":"${t.id}","BT":false}`;
      });
      const ts = chunk[chunk.length - 1]!.trade.timestamp;
      this.io.queue(`{"topic":"publicTrade.${id}","type":"snapshot","ts":${ts},"data":[${parts.join(',')}]}`, sym.symbol);
    }
  }

  private tickerFields(sym: SymbolState): TickerFields {
    const p = (v: number) => v.toFixed(sym.priceDecimals);
    const change = ((sym.price - sym.openPrice) / sym.openPrice).toFixed(6);
    if (!this.linear) {
      return {
        symbol: sym.nativeId,
        lastPrice: p(sym.price),
        highPrice24h: p(sym.high),
        lowPrice24h: p(sym.low),
        prevPrice24h: p(sym.openPrice),
        volume24h: sym.volume.toFixed(sym.amountDecimals),
        turnover24h: sym.quoteVolume.toFixed(4),
        price24hPcnt: change,
        usdIndexPrice: p(sym.price),
      };
    }
    return {
      symbol: sym.nativeId,
      tickDirection: 'PlusTick',
      price24hPcnt: change,
      lastPrice: p(sym.price),
      prevPrice24h: p(sym.openPrice),
      highPrice24h: p(sym.high),
      lowPrice24h: p(sym.low),
      prevPrice1h: p(sym.openPrice),
      markPrice: p(sym.price),
      indexPrice: p(sym.price),
      openInterest: '100000',
      openInterestValue: (100000 * sym.price).toFixed(2),
      turnover24h: sym.quoteVolume.toFixed(4),
      volume24h: sym.volume.toFixed(sym.amountDecimals),
      nextFundingTime: String(Math.ceil((this.ctx.now() + 1) / 28_800_000) * 28_800_000),
      fundingRate: '0.0001',
      bid1Price: p(bidPrice(sym)),
      bid1Size: sym.bidSize.toFixed(3),
      ask1Price: p(askPrice(sym)),
      ask1Size: sym.askSize.toFixed(3),
    };
  }

  onTicker(sym: SymbolState, timestamp: number): void {
    const id = sym.nativeId;
    if (!this.tickers.has(id)) return;
    const fields = this.tickerFields(sym);
    const prev = this.linear ? this.lastTicker.get(id) : undefined;
    let type = 'snapshot';
    let data: TickerFields = fields;
    if (prev) {
      type = 'delta';
      data = { symbol: id };
      for (const [k, v] of Object.entries(fields)) if (prev[k] !== v) data[k] = v;
    }
    if (this.linear) this.lastTicker.set(id, fields);
    this.io.queue(JSON.stringify({ topic: `tickers.${id}`, type, data, cs: this.cs++, ts: timestamp }), sym.symbol);
  }
}
