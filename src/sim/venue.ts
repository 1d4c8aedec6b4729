/**
 * The venue interface: everything exchange-specific about the simulator sits behind it.
 *
 * A venue is one exchange × market (Binance spot, OKX SWAP, …). The core (runtime.ts) owns the
 * market state, the ledger, the sockets, keep-alive timers and fault injection; a venue only
 *   - names its symbols and trade ids the exchange's way (`nativeId`, `assignId`),
 *   - states its keep-alive and connection rules (`connectionPolicy`),
 *   - speaks its WebSocket protocol, one `VenueSession` per connection (`openSession`),
 *   - answers its REST endpoints, including its rate-limit answer (`rest`, `rateLimitReply`).
 *
 * To add a venue: write `venues/<exchange>.ts` exporting a factory `(market) => SimVenue`, and
 * register it in venues/index.ts. A factory is called once per simulator and market, so a venue
 * object may keep per-venue state (rate-limit windows, connection ids).
 */
import type { ExchangeId, Market } from '../records.js';
import type { SimBook } from './book/sim-book.js';
import type { BookDiff } from './book/true-book.js';
import type { SymbolState } from './generator.js';
import type { LedgerEntry } from './ledger.js';
import type { Prng } from '../prng.js';
import type { SimFaultKind, SimTiming, SimVenueStats } from './types.js';

export type { LedgerEntry, SymbolState };

/** Connection rules the core enforces on every socket of a venue (absent = not enforced). */
export interface ConnectionPolicy {
  /** the server sends a protocol ping this often (Binance) */
  serverPingIntervalMs?: number;
  /** …and closes the socket when a ping is not answered within this */
  pongTimeoutMs?: number;
  /** close when nothing at all was received from the client for this long (OKX, Upbit, Bybit) */
  idleTimeoutMs?: number;
  /** close every connection after this long (Binance 24 h) */
  lifetimeMs?: number;
  /** drop the connection when more than this many messages arrive within `incomingWindowMs` */
  maxIncomingPerWindow?: number;
  incomingWindowMs?: number;
  /** WebSocket opcode of data frames: Upbit sends JSON inside binary frames */
  frameType: 'text' | 'binary';
}

/** What a venue sees of the simulator. One per venue; valid for the simulator's lifetime. */
export interface VenueContext {
  readonly exchange: ExchangeId;
  readonly market: Market;
  readonly timing: SimTiming;
  /** the venue's own seeded stream (ids, connection ids) */
  readonly prng: Prng;
  /** mutable counters shown by SimExchange.stats() */
  readonly stats: SimVenueStats;
  now(): number;
  /** the venue's own clock, which a clock-skew fault sets off real time: what it publishes as "now" */
  venueNow(): number;
  /** symbols currently listed (trading or halted), in configuration order */
  listed(): SymbolState[];
  /** a listed symbol by the venue's native id (case as the venue writes it) */
  byNative(nativeId: string): SymbolState | undefined;
  /** true (and one occurrence used) when a fault of this kind is live for the venue and symbol */
  consumeFault(kind: SimFaultKind, symbol?: string): boolean;
  /**
   * A trade subscription of `sym` was just acknowledged (or, on a venue without acks, its trades
   * start streaming now). Call it right after the ack is sent: every trade generated from here on
   * is one the client is responsible for. The ground truth records where that happened.
   */
  subscribed(sym: SymbolState): void;
  /** the symbol's true order book, created at the first call (a depth subscription or request) */
  book(sym: SymbolState): SimBook;
}

/** One socket as a session sees it. */
export interface SessionIO {
  /** a connection id, unique per simulator run (OKX `connId`, Bybit `conn_id`) */
  readonly connId: string;
  /** a control frame (ack, error, pong): written now, in order with queued data */
  send(frame: string): void;
  /**
   * a data frame: written at the next flush, batched with others for throughput. `symbol` (unified)
   * names the one symbol the frame is about, so per-symbol frame faults can find it.
   */
  queue(frame: string, symbol?: string): void;
  /** close from the server side, with a WebSocket close code */
  close(code: number, reason: string): void;
}

/** The protocol state of one connection. */
export interface VenueSession {
  /** a client message (text or binary); keep-alive bookkeeping is already done */
  onMessage(data: Buffer, isBinary: boolean): void;
  /** new trades of one symbol, ascending; queue frames for the subscribed ones */
  onTrades(sym: SymbolState, entries: readonly LedgerEntry[]): void;
  /** the symbol's ticker changed at `timestamp`; queue a frame if subscribed */
  onTicker(sym: SymbolState, timestamp: number): void;
  /** the symbol's book changed since its last push (`prevLastId`: that push's last update id); queue a frame if subscribed */
  onBook?(sym: SymbolState, diff: BookDiff, timestamp: number, prevLastId: number): void;
  /**
   * The frames onBook would queue for this diff, rendered but not queued (a book burst renders
   * them before it sends). Sessions that send diffs (Binance) have it.
   */
  renderBook?(sym: SymbolState, diff: BookDiff, timestamp: number, prevLastId: number): string[];
  /** streams (channel × symbol) subscribed now, for stats */
  streamCount(): number;
  /** the venue delisted the symbol: its subscriptions on this connection end, without a frame */
  onDelisted(sym: SymbolState): void;
}

/** A REST answer; `body` is JSON-encoded by the core. */
export interface RestReply {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
  /** this is the venue's rate-limit answer (counted in stats.restRateLimited) */
  rateLimited?: boolean;
}

/** The id fields a venue gives a new trade. */
export interface TradeIds {
  /** the exchange trade id as written in Trade.id */
  id: string;
  /** monotone numeric key the REST paging works on (see LedgerEntry.ord) */
  ord: number;
  aux?: number;
  fills?: number;
}

export interface SimVenue {
  readonly exchange: ExchangeId;
  readonly market: Market;
  /** WebSocket paths accepted under the venue prefix, e.g. ['/ws', '/stream']; `'/ws/*'` also accepts `/ws/<anything>` */
  readonly wsPaths: readonly string[];
  /** the path endpoints().wsUrl points at */
  readonly wsUrlPath: string;
  /** appended to the venue prefix for endpoints().restUrl ('' or '/v1' for Upbit) */
  readonly restUrlPath: string;
  /**
   * How many of a symbol's most recent trades its REST history serves (Bybit: spot 60, linear
   * 1000); absent: all of them, bounded only by the simulator's ledger limit.
   */
  readonly historyReach?: number;
  /** unified symbol → the venue's id */
  nativeId(symbol: string): string;
  /** called once when a symbol is created (e.g. OKX SWAP sets sym.contractSize) */
  initSymbol?(sym: SymbolState, ctx: VenueContext): void;
  /** ids for the next trade of `sym` (`seq` is its dense 0-based index) */
  assignId(sym: SymbolState, seq: number, timestamp: number, ctx: VenueContext): TradeIds;
  connectionPolicy(timing: SimTiming): ConnectionPolicy;
  /** a new connection on `url` (path and query as the client sent them) */
  openSession(ctx: VenueContext, io: SessionIO, url: URL): VenueSession;
  /** a REST GET; `path` is relative to the venue prefix (e.g. '/api/v3/trades') */
  rest(ctx: VenueContext, path: string, query: URLSearchParams): RestReply;
  /** the venue's rate-limit answer, used by the 'rest-429' fault */
  rateLimitReply(ctx: VenueContext): RestReply;
}

export type VenueFactory = (market: Market) => SimVenue;
