/**
 * One venue at run time: its symbols and ledger, its open connections, trade generation and
 * fan-out to the sessions, and the REST entry point. Venue-specific behaviour comes from SimVenue.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocketServer } from 'ws';
import type { ExchangeId, Market, Trade } from '../records.js';
import { SimConnection } from './connection.js';
import type { FaultBook } from './faults.js';
import { createSymbolState, eventsInSpan, nextQuote, nextTrade, recordAck, type SymbolState } from './generator.js';
import type { LedgerEntry } from './ledger.js';
import type { Prng } from '../prng.js';
import { answerRestFailure, shapeRestReply, type RestFaultScope } from './rest-faults.js';
import type { SimSymbolOptions, SimTiming, SimVenueStats, TruthSymbol } from './types.js';
import { SimBook } from './book/sim-book.js';
import type { BookBurstEvent } from './book/book-burst.js';
import type { SimVenue, VenueContext } from './venue.js';

export interface RuntimeEnv {
  now(): number;
  timing: SimTiming;
  prng: Prng;
  faults: FaultBook;
  /** trades kept per symbol for REST history (the venue's own reach may be smaller) */
  ledgerLimit: number;
  /** keep every trade id for a comparison (TruthSymbol) */
  keepTruth: boolean;
  nextConnId(): string;
  /** where the generation clock starts (every venue of one simulator shares it); default now() */
  start?: number;
}

export class VenueRuntime {
  readonly exchange: ExchangeId;
  readonly market: Market;
  readonly stats: SimVenueStats;
  readonly ctx: VenueContext;
  private readonly symbols = new Map<string, SymbolState>();
  private readonly byNativeId = new Map<string, SymbolState>();
  readonly connections = new Set<SimConnection>();
  /** generation cursor: trades up to this time have been generated */
  private cursor: number;
  private burstRound = 0;

  constructor(
    readonly venue: SimVenue,
    symbols: SimSymbolOptions[],
    private readonly env: RuntimeEnv,
  ) {
    this.exchange = venue.exchange;
    this.market = venue.market;
    this.cursor = env.start ?? env.now();
    this.stats = emptyStats(venue.exchange, venue.market);
    const self = this;
    this.ctx = {
      exchange: venue.exchange,
      market: venue.market,
      timing: env.timing,
      prng: env.prng,
      stats: this.stats,
      now: env.now,
      venueNow: () => env.now() + env.faults.skewMs(venue.exchange, venue.market),
      listed: () => [...self.symbols.values()].filter((s) => s.listed && !self.delisted(s)),
      byNative: (id) => {
        const s = self.byNativeId.get(id);
        return s?.listed && !self.delisted(s) ? s : undefined;
      },
      consumeFault: (kind, symbol) => env.faults.consume(kind, venue.exchange, venue.market, symbol),
      subscribed: (sym) => recordAck(sym, self.cursor),
      book: (sym) => (sym.book ??= new SimBook(sym, self.cursor)),
    };
    this.setSymbols(symbols);
  }

  /** add, update or delist symbols; delisted ones keep their ledger (ground truth) */
  setSymbols(list: SimSymbolOptions[]): void {
    const wanted = new Set(list.map((s) => s.symbol));
    for (const s of this.symbols.values()) if (!wanted.has(s.symbol)) s.listed = false;
    for (const opts of list) {
      const existing = this.symbols.get(opts.symbol);
      if (existing) {
        existing.listed = true;
        if (opts.status) existing.status = opts.status;
        if (opts.tradesPerSecond !== undefined) existing.tradesPerSecond = opts.tradesPerSecond;
        if (opts.tickersPerSecond !== undefined) existing.tickersPerSecond = opts.tickersPerSecond;
        continue;
      }
      const limit = Math.min(this.env.ledgerLimit, this.venue.historyReach ?? Infinity);
      const sym = createSymbolState(opts, this.venue.nativeId(opts.symbol), this.env.now(), limit, this.env.keepTruth);
      this.venue.initSymbol?.(sym, this.ctx);
      this.symbols.set(sym.symbol, sym);
      this.byNativeId.set(sym.nativeId, sym);
    }
  }

  get cursorTime(): number {
    return this.cursor;
  }

  /** generate everything due between the cursor and `to` (auto mode passes now(), advance() cursor + ms) */
  generateUntil(to: number): void {
    const from = this.cursor;
    if (to <= from) return;
    this.cursor = to;
    const span = to - from;
    for (const sym of this.symbols.values()) {
      if (!sym.listed || sym.status !== 'trading' || this.delisted(sym)) continue;
      const trades = eventsInSpan(sym.tradesPerSecond, span, sym.tradeCarry);
      sym.tradeCarry = trades.carry;
      if (trades.count > 0) {
        const batch: LedgerEntry[] = [];
        for (let i = 0; i < trades.count; i++) {
          batch.push(this.makeTrade(sym, from + Math.floor(((i + 1) * span) / trades.count)));
        }
        this.fanOutTrades(sym, batch);
        sym.book?.onTrades(batch);
      }
      if (sym.book !== undefined) this.stepBook(sym, sym.book, to);
      const tickers = eventsInSpan(sym.tickersPerSecond, span, sym.tickerCarry);
      sym.tickerCarry = tickers.carry;
      for (let i = 0; i < tickers.count; i++) this.emitTicker(sym, from + Math.floor(((i + 1) * span) / tickers.count));
    }
    this.flushAll();
  }

  /** `count` trades round-robin over the trading symbols, all stamped now (burst) */
  burstChunk(count: number): number {
    const made = this.burstTrades(count);
    this.flushAll();
    return made;
  }

  /**
   * Chunk `c` (`count` trades) of a trade burst generated and rendered now (stamped now, in the
   * ledger from now), its frames appended to `out`, one entry per connection, to be sent later by
   * pushRendered: `ends[c]` is a connection's frame count through chunk c. What sending costs is
   * then only writing frames, as for a book burst. False when no symbol trades.
   */
  renderTradeChunk(out: Map<SimConnection, RenderedBurst>, chunks: number, c: number, count: number): boolean {
    // frames queued before the burst go out now, ahead of it
    if (c === 0) this.flushAll();
    if (this.burstTrades(count) === 0) return false;
    for (const conn of this.connections) {
      let r = out.get(conn);
      // a connection opened since the burst began gets the chunks from this one on
      if (r === undefined) out.set(conn, (r = { conn, frames: [], symbols: [], ends: new Uint32Array(chunks) }));
      const taken = conn.takePending();
      for (let j = 0; j < taken.frames.length; j++) {
        const frame = taken.frames[j]!;
        // a rendered frame is a rope of its template's pieces (~640 bytes on the heap for a
        // Binance trade); reading a character makes V8 flatten it (~235 bytes): a prepared
        // 3M-trade burst would otherwise hold ~2 GB
        frame.charCodeAt(0);
        r.frames.push(frame);
        r.symbols.push(taken.symbols[j]);
      }
      r.ends.fill(r.frames.length, c);
    }
    return true;
  }

  /** burstChunk's trades, queued on the connections and not flushed; 0 when no symbol trades */
  private burstTrades(count: number): number {
    const trading = [...this.symbols.values()].filter((s) => s.listed && s.status === 'trading' && !this.delisted(s));
    if (trading.length === 0) return 0;
    const ts = Math.max(this.env.now(), this.cursor);
    const per = new Map<SymbolState, LedgerEntry[]>();
    for (let i = 0; i < count; i++) {
      const sym = trading[(this.burstRound++) % trading.length]!;
      let batch = per.get(sym);
      if (!batch) per.set(sym, (batch = []));
      batch.push(this.makeTrade(sym, ts));
    }
    for (const [sym, batch] of per) this.fanOutTrades(sym, batch);
    return count;
  }

  /** the symbols a book burst moves: trading ones whose true book exists (asked for by a client) */
  bookTargets(): Array<{ target: SymbolState; book: SimBook }> {
    const out: Array<{ target: SymbolState; book: SimBook }> = [];
    for (const sym of this.symbols.values()) {
      if (sym.book !== undefined && sym.listed && sym.status === 'trading' && !this.delisted(sym)) out.push({ target: sym, book: sym.book });
    }
    return out;
  }

  /**
   * A book burst's frames for every connection whose session renders diffs, rendered now (stamped
   * now), so that sending is only writing them: `ends[i]` is the frame count through event i.
   */
  renderBookBurst(events: readonly BookBurstEvent<SymbolState>[]): RenderedBurst[] {
    const stamped = this.env.now() + this.env.faults.skewMs(this.exchange, this.market);
    const out: RenderedBurst[] = [];
    for (const conn of this.connections) {
      const session = conn.session;
      if (session?.renderBook === undefined) continue;
      const frames: string[] = [];
      const symbols: string[] = [];
      const ends = new Uint32Array(events.length);
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        for (const f of session.renderBook(e.target, e.diff, stamped, e.prevLastId)) {
          frames.push(f);
          symbols.push(e.target.symbol);
        }
        ends[i] = frames.length;
      }
      out.push({ conn, frames, symbols, ends });
    }
    return out;
  }

  /** events (book) or chunks (trades) [from, to) of a rendered burst onto their sockets (closed ones are skipped) */
  pushRendered(rendered: readonly RenderedBurst[], from: number, to: number): void {
    if (to <= from) return;
    for (const r of rendered) {
      if (!this.connections.has(r.conn)) continue;
      const end = r.ends[to - 1]!;
      for (let j = from === 0 ? 0 : r.ends[from - 1]!; j < end; j++) r.conn.queue(r.frames[j]!, r.symbols[j]);
    }
    this.flushAll();
  }

  async drained(): Promise<void> {
    await Promise.all([...this.connections].map((c) => c.drained()));
  }

  async flushed(): Promise<void> {
    await Promise.all([...this.connections].map((c) => c.flushed()));
  }

  groundTruth(symbol?: string): Trade[] {
    const out: Trade[] = [];
    for (const sym of this.symbols.values()) {
      if (symbol !== undefined && sym.symbol !== symbol) continue;
      for (const e of sym.ledger.all()) out.push({ ...e.trade });
    }
    return out;
  }

  /**
   * Per symbol: where collection began (the first acknowledged subscription), every later
   * resubscription, and the trade ids in generation order — from the complete truth log when the
   * simulator keeps one, otherwise from the (bounded) ledger. Nothing is copied: ids are generated.
   */
  truth(symbol?: string): TruthSymbol[] {
    const out: TruthSymbol[] = [];
    for (const sym of this.symbols.values()) {
      if (symbol !== undefined && sym.symbol !== symbol) continue;
      const log = sym.truth;
      const ledger = sym.ledger;
      const firstKept = log ? 0 : (ledger.all()[0]?.seq ?? sym.nextSeq);
      out.push({
        exchange: this.exchange,
        market: this.market,
        symbol: sym.symbol,
        generated: sym.nextSeq,
        firstKept,
        ...(sym.acks.length > 0 ? { subscribedAt: { seq: sym.acks[0]!, time: sym.firstAckTime! } } : {}),
        resubscribedAt: sym.acks.slice(1),
        ...(this.venue.historyReach !== undefined ? { restHistoryReach: this.venue.historyReach } : {}),
        ids: log ? () => log.ids() : () => ledgerIds(ledger.all()),
      });
    }
    return out;
  }

  symbol(symbol: string): SymbolState | undefined {
    return this.symbols.get(symbol);
  }

  /** a live 'delist' fault took the symbol off the venue: not listed, not traded, not subscribable */
  private delisted(sym: SymbolState): boolean {
    return !this.env.faults.empty && this.env.faults.has('delist', this.exchange, this.market, sym.symbol);
  }

  /** 'delist' injected: every connection's subscriptions of the symbols end now (relisting brings no resubscribe) */
  delist(symbols: readonly string[] | undefined): void {
    for (const sym of this.symbols.values()) {
      if (symbols !== undefined && !symbols.includes(sym.symbol)) continue;
      for (const c of this.connections) c.session?.onDelisted(sym);
    }
  }

  /** the ids of the Nth open socket, in the order they were accepted (a fault pinned with `connection`) */
  connectionIds(index: number): string[] {
    const c = [...this.connections][index];
    return c === undefined ? [] : [c.connId];
  }

  private makeTrade(sym: SymbolState, timestamp: number): LedgerEntry {
    // a skewed venue stamps its trades with its own clock; the ledger keeps what it published
    const ts = Math.max(timestamp + this.env.faults.skewMs(this.exchange, this.market), sym.lastTradeTs);
    sym.lastTradeTs = ts;
    const f = nextTrade(sym, this.env.prng);
    const seq = sym.nextSeq++;
    const ids = this.venue.assignId(sym, seq, ts, this.ctx);
    const trade: Trade = {
      type: 'trade',
      exchange: this.exchange,
      market: this.market,
      symbol: sym.symbol,
      id: ids.id,
      price: f.price,
      amount: f.amount,
      side: f.side,
      timestamp: ts,
      localTimestamp: 0,
    };
    const entry: LedgerEntry = { seq, ord: ids.ord, trade, aux: ids.aux ?? 0, fills: ids.fills ?? 1 };
    sym.ledger.push(entry);
    sym.truth?.push(trade.id);
    this.stats.tradesGenerated++;
    return entry;
  }

  private fanOutTrades(sym: SymbolState, batch: LedgerEntry[]): void {
    let send: readonly LedgerEntry[] = batch;
    if (!this.env.faults.empty) {
      // dropped trades stay in the ledger: a gap only REST backfill can close
      send = batch.filter((e) => !this.env.faults.consume('drop-messages', this.exchange, this.market, e.trade.symbol));
      this.stats.tradesDropped += batch.length - send.length;
      if (send.length === 0) return;
    }
    for (const c of this.connections) c.session?.onTrades(sym, send);
  }

  private stepBook(sym: SymbolState, book: SimBook, now: number): void {
    const stamped = now + this.env.faults.skewMs(this.exchange, this.market);
    const diff = book.step(now, stamped);
    if (diff === undefined) return;
    for (const c of this.connections) c.session?.onBook?.(sym, diff, stamped, book.lastPushedId);
    book.lastPushedId = diff.lastId;
  }

  private emitTicker(sym: SymbolState, timestamp: number): void {
    nextQuote(sym, this.env.prng);
    this.stats.tickersGenerated++;
    const stamped = timestamp + this.env.faults.skewMs(this.exchange, this.market);
    for (const c of this.connections) c.session?.onTicker(sym, stamped);
  }

  flushAll(): void {
    for (const c of this.connections) c.flush();
  }

  accept(wss: WebSocketServer, req: IncomingMessage, socket: Socket, head: Buffer, url: URL): void {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new SimConnection(this.env.nextConnId(), ws, socket, this.venue.connectionPolicy(this.env.timing), {
        exchange: this.exchange,
        market: this.market,
        faults: this.env.faults,
        stats: this.stats,
        onClosed: (c) => {
          this.connections.delete(c);
          this.stats.openSockets = this.connections.size;
        },
      });
      this.connections.add(conn);
      this.stats.connectionsAccepted++;
      this.stats.openSockets = this.connections.size;
      conn.session = this.venue.openSession(this.ctx, conn, url);
      conn.flush();
    });
  }

  rest(req: IncomingMessage, res: ServerResponse, path: string, url: URL): void {
    this.stats.restCalls++;
    if (answerRestFailure(this.restFaults, url.searchParams, req, res, this.env.now())) return;
    const reply = this.env.faults.consume('rest-429', this.exchange, this.market)
      ? this.venue.rateLimitReply(this.ctx)
      : this.venue.rest(this.ctx, path, url.searchParams);
    shapeRestReply(this.restFaults, path, url.searchParams, reply);
    if (reply.rateLimited) {
      this.stats.restRateLimited++;
    }
    const body = stringifyRestBody(reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(body);
  }

  /** close every socket: 'close' sends a closing handshake, 'terminate' drops TCP (restart) */
  closeAll(how: 'close' | 'terminate', only?: readonly string[]): void {
    for (const c of this.connections) {
      if (only !== undefined && !only.includes(c.connId)) continue;
      if (how === 'close') c.close(1001, 'going away');
      else c.terminate();
    }
  }

  private get restFaults(): RestFaultScope {
    return {
      exchange: this.exchange,
      market: this.market,
      faults: this.env.faults,
      symbolOf: (id) => this.byNativeId.get(id)?.symbol,
    };
  }

  refreshStreamStats(): void {
    let n = 0;
    for (const c of this.connections) n += c.session?.streamCount() ?? 0;
    this.stats.subscriptions = n;
  }
}

/** one connection's frames of a prepared burst (VenueRuntime.renderBookBurst, renderTradeBurst) */
export interface RenderedBurst {
  conn: SimConnection;
  frames: string[];
  symbols: Array<string | undefined>;
  ends: Uint32Array;
}

function* ledgerIds(entries: readonly LedgerEntry[]): Generator<string> {
  for (const e of entries) yield e.trade.id;
}

function emptyStats(exchange: ExchangeId, market: Market): SimVenueStats {
  return {
    exchange,
    market,
    openSockets: 0,
    connectionsAccepted: 0,
    connectionsRefused: 0,
    serverCloses: 0,
    subscriptions: 0,
    subscribeRequests: 0,
    subscribeRejected: 0,
    messagesReceived: 0,
    framesSent: 0,
    bytesSent: 0,
    tradesGenerated: 0,
    tradesDropped: 0,
    tickersGenerated: 0,
    garbageFrames: 0,
    restCalls: 0,
    restRateLimited: 0,
    pingsSent: 0,
  };
}

/**
 * JSON of a REST reply where a bigint is written as a bare JSON number with all its digits
 * (Upbit's 17-digit sequential_id): JSON.stringify refuses bigints, and a JS number would round it.
 * The bigint goes through a marked string that cannot occur otherwise (NUL is escaped in JSON output).
 */
export function stringifyRestBody(body: unknown): string {
  let big = false;
  const text = JSON.stringify(body, (_key, value: unknown) => {
    if (typeof value !== 'bigint') return value;
    big = true;
    return `\u0000${value.toString()}`;
  });
  return big ? text.replace(/"\\u0000(-?[0-9]+)"/g, '$1') : text;
}
