/**
 * Binance spot (`/api/v3`, `<sym>@trade`) and USDⓈ-M futures (`/fapi/v1`, `<sym>@aggTrade`).
 * Wire facts: stream names lower-case; SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS acked by
 * `{"result":…,"id":N}`; `/ws` raw frames, `/stream` wrapped `{"stream","data"}`; `m` = buyer is maker;
 * USDⓈ-M futures since 2026-04-23 ("Important WebSocket Change Notice"): regular market data
 * (aggTrade, ticker, markPrice, kline, forceOrder) only under `/market/ws|stream`, high-frequency
 * data (bookTicker, depth) under `/public/ws|stream`, user data under `/private`; the legacy
 * `/ws` and `/stream` no longer serve (the upgrade is refused with 404);
 * REST weight per minute in `X-MBX-USED-WEIGHT-1M`, 429 + Retry-After over it, 418 when it goes on.
 */
import type { Market } from '../../records.js';
import { bidPrice, askPrice, continuingIdBase, type SymbolState } from '../generator.js';
import type { LedgerEntry } from '../ledger.js';
import { FixedWindow, intParam, retryAfterSeconds } from '../ratelimit.js';
import type { SimTiming } from '../types.js';
import type { ConnectionPolicy, RestReply, SessionIO, SimVenue, TradeIds, VenueContext, VenueSession } from '../venue.js';
import { binanceDepthEvent, binanceDepthSnapshot, type BookWireFormat } from '../book/wire.js';
import type { BookDiff } from '../book/true-book.js';
import { BookFrameFaults } from '../book/frame-faults.js';

const HOUR = 60 * 60 * 1000;

export function binanceVenue(market: Market): SimVenue {
  const futures = market === 'futures';
  const idBase = new Map<SymbolState, number>();
  let weights: FixedWindow | undefined;
  let backoffUntil = 0;
  let bannedUntil = 0;

  const spotPx = (v: number) => v.toFixed(8);
  const px = (sym: SymbolState, v: number) => (futures ? v.toFixed(sym.priceDecimals) : spotPx(v));
  const qty = (sym: SymbolState, v: number) => (futures ? v.toFixed(sym.amountDecimals) : spotPx(v));

  const tradeJson = (sym: SymbolState, e: LedgerEntry): string => {
    const t = e.trade;
    return `{"e":"trade","E":${t.timestamp},"s":"${sym.nativeId}","t":${t.id},"p":"${px(sym, t.price)}","q":"${qty(sym, t.amount)}","T":${t.timestamp},"m":${t.side === 'sell'},"M":true}`;
  };
  const aggJson = (sym: SymbolState, e: LedgerEntry): string => {
    const t = e.trade;
    const f = futures ? e.aux : e.ord;
    const l = f + e.fills - 1;
    return `{"e":"aggTrade","E":${t.timestamp},"s":"${sym.nativeId}","a":${t.id},"p":"${px(sym, t.price)}","q":"${qty(sym, t.amount)}","f":${f},"l":${l},"T":${t.timestamp},"m":${t.side === 'sell'}${futures ? '' : ',"M":true'}}`;
  };
  const tickerJson = (sym: SymbolState, ts: number): string => {
    const first = idBase.get(sym) ?? 0;
    const change = sym.price - sym.openPrice;
    const common = {
      e: '24hrTicker',
      E: ts,
      s: sym.nativeId,
      p: px(sym, change),
      P: ((change / sym.openPrice) * 100).toFixed(3),
      w: px(sym, sym.volume > 0 ? sym.quoteVolume / sym.volume : sym.price),
    };
    const tail = {
      c: px(sym, sym.price),
      Q: qty(sym, sym.lastQty),
      ...(futures
        ? {}
        : { b: px(sym, bidPrice(sym)), B: qty(sym, sym.bidSize), a: px(sym, askPrice(sym)), A: qty(sym, sym.askSize) }),
      o: px(sym, sym.openPrice),
      h: px(sym, sym.high),
      l: px(sym, sym.low),
      v: qty(sym, sym.volume),
      q: sym.quoteVolume.toFixed(futures ? 2 : 8),
      O: sym.openTime,
      C: ts,
      F: futures ? sym.nextFill - sym.nextSeq * 2 : first,
      L: futures ? sym.nextFill - 1 : first + sym.nextSeq - 1,
      n: sym.nextSeq,
    };
    return JSON.stringify(futures ? { ...common, ...tail } : { ...common, x: px(sym, sym.openPrice), ...tail });
  };

  const listingStatus = (sym: SymbolState) => (sym.status === 'trading' ? 'TRADING' : futures ? 'SETTLING' : 'HALT');

  const exchangeInfo = (ctx: VenueContext, query: URLSearchParams): RestReply => {
    let symbols = ctx.listed();
    const one = query.get('symbol');
    if (one !== null) {
      const sym = ctx.byNative(one);
      if (!sym) return { status: 400, body: { code: -1121, msg: 'Invalid symbol.' } };
      symbols = [sym];
    }
    const rateLimits = [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: weightLimit(ctx.timing) },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
    ];
    if (futures) {
      return {
        status: 200,
        body: {
          timezone: 'UTC',
          serverTime: ctx.venueNow(),
          futuresType: 'U_MARGINED',
          rateLimits,
          exchangeFilters: [],
          assets: [],
          symbols: symbols.map((s) => ({
            symbol: s.nativeId,
            pair: s.nativeId,
            contractType: 'PERPETUAL',
            deliveryDate: 4133404800000,
            onboardDate: 1569398400000,
            status: listingStatus(s),
            baseAsset: s.base,
            quoteAsset: s.quote,
            marginAsset: s.settle ?? s.quote,
            pricePrecision: s.priceDecimals,
            quantityPrecision: s.amountDecimals,
            baseAssetPrecision: 8,
            quotePrecision: 8,
            underlyingType: 'COIN',
            underlyingSubType: [],
            settlePlan: 0,
            triggerProtect: '0.0500',
            filters: [
              { filterType: 'PRICE_FILTER', tickSize: (10 ** -s.priceDecimals).toFixed(s.priceDecimals) },
              { filterType: 'LOT_SIZE', stepSize: (10 ** -s.amountDecimals).toFixed(s.amountDecimals) },
            ],
            orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
            timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
          })),
        },
      };
    }
    return {
      status: 200,
      body: {
        timezone: 'UTC',
        serverTime: ctx.venueNow(),
        rateLimits,
        exchangeFilters: [],
        symbols: symbols.map((s) => ({
          symbol: s.nativeId,
          status: listingStatus(s),
          baseAsset: s.base,
          baseAssetPrecision: 8,
          quoteAsset: s.quote,
          quotePrecision: 8,
          quoteAssetPrecision: 8,
          orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
          icebergAllowed: true,
          ocoAllowed: true,
          isSpotTradingAllowed: true,
          isMarginTradingAllowed: false,
          filters: [
            { filterType: 'PRICE_FILTER', tickSize: spotPx(10 ** -s.priceDecimals) },
            { filterType: 'LOT_SIZE', stepSize: spotPx(10 ** -s.amountDecimals) },
          ],
          permissions: [],
          permissionSets: [['SPOT']],
          defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
          allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
        })),
      },
    };
  };

  const restTrade = (sym: SymbolState, e: LedgerEntry) => ({
    id: e.ord,
    price: px(sym, e.trade.price),
    qty: qty(sym, e.trade.amount),
    quoteQty: px(sym, e.trade.price * e.trade.amount),
    time: e.trade.timestamp,
    isBuyerMaker: e.trade.side === 'sell',
    isBestMatch: true,
  });
  const restAgg = (sym: SymbolState, e: LedgerEntry) => {
    const f = futures ? e.aux : e.ord;
    return {
      a: e.ord,
      p: px(sym, e.trade.price),
      q: qty(sym, e.trade.amount),
      f,
      l: f + e.fills - 1,
      T: e.trade.timestamp,
      m: e.trade.side === 'sell',
      ...(futures ? {} : { M: true }),
    };
  };

  const badParam = (msg: string): RestReply => ({ status: 400, body: { code: -1100, msg } });
  const symbolParam = (ctx: VenueContext, query: URLSearchParams): SymbolState | RestReply => {
    const id = query.get('symbol');
    if (!id) {
      return { status: 400, body: { code: -1102, msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed." } };
    }
    return ctx.byNative(id) ?? { status: 400, body: { code: -1121, msg: 'Invalid symbol.' } };
  };
  const limitParam = (query: URLSearchParams): number | RestReply => {
    const limit = intParam(query, 'limit', 500);
    if (Number.isNaN(limit)) return badParam("Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.");
    return Math.min(Math.max(limit, 1), 1000);
  };

  const trades = (ctx: VenueContext, query: URLSearchParams, historical: boolean): RestReply => {
    const sym = symbolParam(ctx, query);
    if ('body' in sym) return sym;
    const limit = limitParam(query);
    if (typeof limit !== 'number') return limit;
    const fromId = historical ? intParam(query, 'fromId', -1) : -1;
    if (Number.isNaN(fromId)) return badParam("Illegal characters found in parameter 'fromId'; legal range is '^[0-9]{1,20}$'.");
    const rows = fromId >= 0 ? sym.ledger.fromOrd(fromId, limit) : sym.ledger.last(limit);
    return { status: 200, body: rows.map((e) => restTrade(sym, e)) };
  };

  const aggTrades = (ctx: VenueContext, query: URLSearchParams): RestReply => {
    const sym = symbolParam(ctx, query);
    if ('body' in sym) return sym;
    const limit = limitParam(query);
    if (typeof limit !== 'number') return limit;
    const fromId = intParam(query, 'fromId', -1);
    const start = intParam(query, 'startTime', -1);
    const end = intParam(query, 'endTime', -1);
    if ([fromId, start, end].some(Number.isNaN)) return badParam('Illegal characters found in a parameter.');
    let rows: LedgerEntry[];
    if (fromId >= 0) rows = sym.ledger.fromOrd(fromId, limit);
    else if (start >= 0 && end >= 0) {
      if (end - start > HOUR) return { status: 400, body: { code: -1127, msg: 'More than 1 hours between startTime and endTime.' } };
      rows = sym.ledger.timeRange(start, end, limit);
    } else if (start >= 0) rows = sym.ledger.timeRange(start, start + HOUR, limit);
    else if (end >= 0) rows = sym.ledger.timeRange(end - HOUR, end, limit);
    else rows = sym.ledger.last(limit);
    return { status: 200, body: rows.map((e) => restAgg(sym, e)) };
  };

  /** spot writes every price and size with 8 decimals; futures with the symbol's own */
  const bookFormat = (sym: SymbolState): BookWireFormat => ({
    priceDecimals: sym.priceDecimals,
    amountDecimals: sym.amountDecimals,
    ...(futures ? {} : { wirePriceDecimals: 8, wireAmountDecimals: 8 }),
  });
  /** GET depth: spot limit 1–5000 (default 100), futures 5–1000 (default 500); weight grows with it */
  const depthLimits = futures ? [5, 10, 20, 50, 100, 500, 1000] : undefined;
  const depth = (ctx: VenueContext, query: URLSearchParams): RestReply => {
    const sym = symbolParam(ctx, query);
    if ('body' in sym) return sym;
    const asked = intParam(query, 'limit', futures ? 500 : 100);
    if (Number.isNaN(asked)) return badParam("Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.");
    const limit = depthLimits ? (depthLimits.find((l) => l >= asked) ?? 1000) : Math.min(Math.max(asked, 1), 5000);
    if (ctx.consumeFault('book-snapshot-429', sym.symbol)) return tooMuch(ctx, weightLimit(ctx.timing), window(ctx).resetAt(ctx.now()));
    const book = ctx.book(sym);
    const stale = ctx.consumeFault('book-stale-snapshot', sym.symbol);
    const state = book.snapshot(stale);
    if (!stale) book.keepServed(ctx.venueNow());
    return { status: 200, body: binanceDepthSnapshot(state, bookFormat(sym), limit, ctx.venueNow(), futures) };
  };
  const depthWeight = (limit: number): number => (futures ? (limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20) : limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250);

  const p = futures ? '/fapi/v1' : '/api/v3';
  const routes: Record<string, { weight: number; weightOf?: (q: URLSearchParams) => number; handle: (ctx: VenueContext, q: URLSearchParams) => RestReply }> = {
    [`${p}/ping`]: { weight: 1, handle: () => ({ status: 200, body: {} }) },
    [`${p}/time`]: { weight: 1, handle: (ctx) => ({ status: 200, body: { serverTime: ctx.venueNow() } }) },
    [`${p}/exchangeInfo`]: { weight: futures ? 1 : 20, handle: exchangeInfo },
    [`${p}/aggTrades`]: { weight: futures ? 20 : 4, handle: aggTrades },
    [`${p}/depth`]: { weight: 5, weightOf: (q) => depthWeight(intParam(q, 'limit', futures ? 500 : 100) || 1), handle: depth },
    ...(futures
      ? {}
      : {
          [`${p}/trades`]: { weight: 25, handle: (ctx, q) => trades(ctx, q, false) },
          [`${p}/historicalTrades`]: { weight: 25, handle: (ctx, q) => trades(ctx, q, true) },
        }),
  };

  const weightLimit = (t: SimTiming) => (futures ? t.binanceFuturesWeightLimit : t.binanceSpotWeightLimit);
  const window = (ctx: VenueContext) => (weights ??= new FixedWindow(ctx.timing.binanceWeightWindowMs, weightLimit(ctx.timing)));

  const tooMuch = (ctx: VenueContext, used: number, until: number): RestReply => ({
    status: 429,
    rateLimited: true,
    headers: { 'Retry-After': retryAfterSeconds(until, ctx.now()), 'X-MBX-USED-WEIGHT-1M': String(used) },
    body: {
      code: -1003,
      msg: `Too much request weight used; current limit is ${weightLimit(ctx.timing)} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
    },
  });
  const banned = (ctx: VenueContext, used: number): RestReply => ({
    status: 418,
    rateLimited: true,
    headers: { 'Retry-After': retryAfterSeconds(bannedUntil, ctx.now()), 'X-MBX-USED-WEIGHT-1M': String(used) },
    body: {
      code: -1003,
      msg: `Way too much request weight used; IP banned until ${bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.`,
    },
  });

  return {
    exchange: 'binance',
    market,
    wsPaths: futures ? FUTURES_WS_PATHS : ['/ws', '/ws/*', '/stream'],
    wsUrlPath: futures ? '/market/ws' : '/ws',
    restUrlPath: '',
    nativeId: (symbol) => symbol.split(':')[0]!.replace('/', ''),
    initSymbol(sym, ctx) {
      const base = continuingIdBase(ctx.now(), ctx.prng);
      idBase.set(sym, base);
      sym.nextFill = base * 3;
    },
    assignId(sym, seq, _ts, ctx): TradeIds {
      const id = (idBase.get(sym) ?? 0) + seq;
      if (!futures) return { id: String(id), ord: id };
      const fills = 1 + ctx.prng.int(3);
      const f = sym.nextFill;
      sym.nextFill += fills;
      return { id: String(id), ord: id, aux: f, fills };
    },
    connectionPolicy: (t): ConnectionPolicy => ({
      serverPingIntervalMs: futures ? t.binanceFuturesPingIntervalMs : t.binanceSpotPingIntervalMs,
      pongTimeoutMs: futures ? t.binanceFuturesPongTimeoutMs : t.binanceSpotPongTimeoutMs,
      lifetimeMs: t.connectionLifetimeMs,
      maxIncomingPerWindow: futures ? t.binanceFuturesMaxIncomingPerWindow : t.binanceSpotMaxIncomingPerWindow,
      incomingWindowMs: t.incomingWindowMs,
      frameType: 'text',
    }),
    openSession: (ctx, io, url) => new BinanceSession(ctx, io, url, futures, { bookFormat, tradeJson, aggJson, tickerJson }),
    rest(ctx, path, query) {
      const now = ctx.now();
      const w = window(ctx);
      if (bannedUntil > now) return banned(ctx, w.take(now, 0).used);
      const route = routes[path];
      if (!route) return { status: 404, body: { code: -1000, msg: `Unknown path ${path}` } };
      if (backoffUntil > now) {
        // requests keep coming after a 429: the IP gets banned
        bannedUntil = now + ctx.timing.binanceBanMs;
        return banned(ctx, w.take(now, route.weightOf?.(query) ?? route.weight).used);
      }
      const taken = w.take(now, route.weightOf?.(query) ?? route.weight);
      if (!taken.ok) {
        backoffUntil = taken.resetAt;
        return tooMuch(ctx, taken.used, taken.resetAt);
      }
      const reply = route.handle(ctx, query);
      reply.headers = { ...reply.headers, 'X-MBX-USED-WEIGHT-1M': String(taken.used) };
      return reply;
    },
    rateLimitReply(ctx) {
      const now = ctx.now();
      const w = window(ctx);
      return tooMuch(ctx, w.take(now, 0).used, w.resetAt(now));
    },
  };
}

interface Encoders {
  bookFormat(sym: SymbolState): BookWireFormat;
  tradeJson(sym: SymbolState, e: LedgerEntry): string;
  aggJson(sym: SymbolState, e: LedgerEntry): string;
  tickerJson(sym: SymbolState, ts: number): string;
}

const SPOT_KINDS = new Set(['trade', 'aggTrade', 'ticker', 'depth', 'depth@100ms']);
/** what the futures `/market` route serves of what we simulate */
const FUTURES_MARKET_KINDS = new Set(['aggTrade', 'ticker']);
/** the futures `/public` route serves bookTicker and depth; the simulator produces depth */
const FUTURES_PUBLIC_KINDS = new Set(['depth', 'depth@100ms']);
/** futures routes served: `/market` and `/public`, each in ws (path) and stream (query) mode; not the legacy `/ws`, `/stream` */
const FUTURES_WS_PATHS = ['/market/ws', '/market/ws/*', '/market/stream', '/public/ws', '/public/ws/*', '/public/stream'];

class BinanceSession implements VenueSession {
  private readonly streams = new Set<string>();
  /** native ids per kind, for the hot path */
  private readonly trade = new Set<string>();
  private readonly agg = new Set<string>();
  private readonly ticker = new Set<string>();
  /** native id → the depth stream's name as subscribed (`btcusdt@depth@100ms`) */
  private readonly depth = new Map<string, string>();
  private readonly bookFaults: BookFrameFaults;
  private readonly combined: boolean;
  /** the stream kinds this connection's route serves */
  private readonly kinds: ReadonlySet<string>;

  constructor(
    private readonly ctx: VenueContext,
    private readonly io: SessionIO,
    url: URL,
    private readonly futures: boolean,
    private readonly enc: Encoders,
  ) {
    this.bookFaults = new BookFrameFaults(ctx);
    this.combined = url.pathname.endsWith('/stream');
    this.kinds = !futures ? SPOT_KINDS : /\/public\/(ws|stream)(\/|$)/.test(url.pathname) ? FUTURES_PUBLIC_KINDS : FUTURES_MARKET_KINDS;
    // streams named in the URL: `/stream?streams=a/b` (combined) or `/ws/<stream>` (raw)
    const raw = url.pathname.match(/\/ws\/(.+)$/)?.[1];
    const initial = this.combined ? url.searchParams.get('streams') : raw !== undefined ? decodeURIComponent(raw) : null;
    if (initial) {
      for (const s of initial.split('/')) if (this.resolve(s)) this.add(s);
    }
  }

  streamCount(): number {
    return this.streams.size;
  }

  /** `btcusdt@trade` → the symbol and kind, or undefined when the stream does not exist */
  private resolve(stream: string): { sym: SymbolState; kind: string } | undefined {
    const at = stream.indexOf('@');
    if (at <= 0) return undefined;
    const name = stream.slice(0, at);
    const kind = stream.slice(at + 1);
    if (name !== name.toLowerCase() || !this.kinds.has(kind)) return undefined;
    const sym = this.ctx.byNative(name.toUpperCase());
    return sym ? { sym, kind } : undefined;
  }

  private setFor(kind: string): Set<string> {
    return kind === 'trade' ? this.trade : kind === 'aggTrade' ? this.agg : this.ticker;
  }

  private add(stream: string): void {
    const r = this.resolve(stream)!;
    this.streams.add(stream);
    if (r.kind.startsWith('depth')) {
      this.depth.set(r.sym.nativeId, stream);
      this.ctx.book(r.sym);
      return;
    }
    this.setFor(r.kind).add(r.sym.nativeId);
    // a stream named in the URL flows from the connection on; a SUBSCRIBE's from its ack (sent right after)
    if (r.kind !== 'ticker') this.ctx.subscribed(r.sym);
  }

  private remove(stream: string): void {
    const r = this.resolve(stream);
    this.streams.delete(stream);
    if (r?.kind.startsWith('depth')) this.depth.delete(r.sym.nativeId);
    else if (r) this.setFor(r.kind).delete(r.sym.nativeId);
  }

  onMessage(data: Buffer): void {
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString('utf8'));
    } catch {
      this.io.send(`{"code":3,"msg":"Invalid JSON: expected value at line 1 column 1","id":null}`);
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.io.send(`{"code":2,"msg":"Invalid request: expected an object","id":null}`);
      return;
    }
    const req = msg as { method?: unknown; params?: unknown; id?: unknown };
    const id = typeof req.id === 'number' || typeof req.id === 'string' ? req.id : null;
    const reply = (body: string) => this.io.send(`{${body},"id":${JSON.stringify(id)}}`);
    const error = (code: number, text: string) => reply(`"code":${code},"msg":${JSON.stringify(text)}`);
    if (req.id !== undefined && req.id !== null && id === null) return error(2, 'Invalid request: request ID must be an unsigned integer');
    switch (req.method) {
      case 'LIST_SUBSCRIPTIONS':
        return reply(`"result":${JSON.stringify([...this.streams])}`);
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        const params = req.params;
        if (!Array.isArray(params) || params.some((p) => typeof p !== 'string')) {
          return error(2, 'Invalid request: params must be an array of stream names');
        }
        const names = params as string[];
        if (req.method === 'UNSUBSCRIBE') {
          for (const n of names) this.remove(n);
          return reply('"result":null');
        }
        this.ctx.stats.subscribeRequests++;
        const bad = names.find((n) => !this.resolve(n));
        const symbols = names.map((n) => this.resolve(n)?.sym.symbol);
        if (bad !== undefined) {
          this.ctx.stats.subscribeRejected++;
          return error(2, `Invalid request: unknown stream '${bad}'`);
        }
        if (symbols.some((s) => this.ctx.consumeFault('reject-subscribe', s))) {
          this.ctx.stats.subscribeRejected++;
          return error(2, 'Invalid request: subscription rejected');
        }
        const fresh = names.filter((n) => !this.streams.has(n));
        if (this.streams.size + fresh.length > this.ctx.timing.binanceMaxStreams) {
          this.ctx.stats.subscribeRejected++;
          return error(2, `Invalid request: too many streams, the limit is ${this.ctx.timing.binanceMaxStreams} per connection`);
        }
        for (const n of fresh) this.add(n);
        return reply('"result":null');
      }
      case 'SET_PROPERTY':
      case 'GET_PROPERTY':
        return reply(req.method === 'GET_PROPERTY' ? '"result":false' : '"result":null');
      default:
        return error(
          2,
          `Invalid request: unknown variant \`${String(req.method)}\`, expected one of \`SUBSCRIBE\`, \`UNSUBSCRIBE\`, \`LIST_SUBSCRIPTIONS\`, \`SET_PROPERTY\`, \`GET_PROPERTY\``,
        );
    }
  }

  private emit(stream: string, json: string, symbol: string): void {
    this.io.queue(this.combined ? `{"stream":"${stream}","data":${json}}` : json, symbol);
  }

  onDelisted(sym: SymbolState): void {
    const prefix = `${sym.nativeId.toLowerCase()}@`;
    for (const s of [...this.streams]) if (s.startsWith(prefix)) this.streams.delete(s);
    for (const set of [this.trade, this.agg, this.ticker]) set.delete(sym.nativeId);
    this.depth.delete(sym.nativeId);
  }

  onBook(sym: SymbolState, diff: BookDiff, timestamp: number, prevLastId: number): void {
    for (const frame of this.renderBook(sym, diff, timestamp, prevLastId)) this.io.queue(frame, sym.symbol);
  }

  renderBook(sym: SymbolState, diff: BookDiff, timestamp: number, prevLastId: number): string[] {
    const stream = this.depth.get(sym.nativeId);
    if (stream === undefined || sym.book === undefined) return [];
    const event = binanceDepthEvent(diff, sym.nativeId, this.enc.bookFormat(sym), timestamp, this.futures ? { prevU: prevLastId } : undefined);
    const frames = this.bookFaults.pass(sym.symbol, JSON.stringify(event));
    return this.combined ? frames.map((json) => `{"stream":"${stream}","data":${json}}`) : frames;
  }

  onTrades(sym: SymbolState, entries: readonly LedgerEntry[]): void {
    const id = sym.nativeId;
    if (this.trade.has(id)) {
      const stream = `${id.toLowerCase()}@trade`;
      for (const e of entries) this.emit(stream, this.enc.tradeJson(sym, e), sym.symbol);
    }
    if (this.agg.has(id)) {
      const stream = `${id.toLowerCase()}@aggTrade`;
      for (const e of entries) this.emit(stream, this.enc.aggJson(sym, e), sym.symbol);
    }
  }

  onTicker(sym: SymbolState, timestamp: number): void {
    if (this.ticker.has(sym.nativeId)) this.emit(`${sym.nativeId.toLowerCase()}@ticker`, this.enc.tickerJson(sym, timestamp), sym.symbol);
  }
}
