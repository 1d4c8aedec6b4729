/**
 * Public types of the simulated exchange (src/sim/index.ts re-exports them).
 * Kept apart from the implementation so scenario files and the CLI can import them cheaply.
 */
import type { ExchangeId, Market, Trade } from '../records.js';

export type { ExchangeId, Market, Trade };

export interface SimSymbolOptions {
  /** unified symbol, e.g. `BTC/USDT`, `BTC/KRW`, `BTC/USDT:USDT` */
  symbol: string;
  tradesPerSecond?: number;
  tickersPerSecond?: number;
  /** starting price; default depends on the base asset */
  price?: number;
  /** 'halted': listed but not trading (no trades generated; listing shows the venue's halt status) */
  status?: 'trading' | 'halted';
}

export interface SimVenueOptions {
  exchange: ExchangeId;
  market: Market;
  symbols: SimSymbolOptions[];
}

/**
 * Protocol timing and limits. Defaults are the real exchanges' values; tests scale them down.
 * Keep-alive, lifetime and incoming-rate timers run on real time (they act on sockets);
 * REST rate-limit windows and fault windows run on the injected clock `now()`.
 */
export interface SimTiming {
  /** auto mode: how often the generator wakes up */
  tickMs: number;
  binanceSpotPingIntervalMs: number;
  binanceFuturesPingIntervalMs: number;
  /** a server ping not answered within this is a dead connection (spot 1 min, futures 10 min) */
  binanceSpotPongTimeoutMs: number;
  binanceFuturesPongTimeoutMs: number;
  /** the server closes every connection after this long (Binance: 24 h) */
  connectionLifetimeMs: number;
  /** incoming messages allowed per `incomingWindowMs` before the connection is dropped */
  binanceSpotMaxIncomingPerWindow: number;
  binanceFuturesMaxIncomingPerWindow: number;
  incomingWindowMs: number;
  /** streams per connection */
  binanceMaxStreams: number;
  /** close when nothing was received from the client for this long */
  okxIdleTimeoutMs: number;
  bybitIdleTimeoutMs: number;
  upbitIdleTimeoutMs: number;
  /** Binance request weight per window (spot 6000, futures 2400 per minute) */
  binanceSpotWeightLimit: number;
  binanceFuturesWeightLimit: number;
  binanceWeightWindowMs: number;
  /** how long an IP ban (418) lasts once requests keep coming after a 429 */
  binanceBanMs: number;
  /** OKX market endpoints: requests per window (20 per 2 s) */
  okxRestLimit: number;
  okxRestWindowMs: number;
  /** Bybit: requests per window per IP (600 per 5 s) */
  bybitRestLimit: number;
  bybitRestWindowMs: number;
  /** Upbit: requests per second per group (10) */
  upbitRestLimit: number;
  upbitRestWindowMs: number;
}

export type SimFaultKind =
  | 'disconnect'
  | 'stall'
  | 'malformed'
  | 'reject-subscribe'
  | 'rest-429'
  | 'drop-messages'
  | 'server-restart'
  | 'slow'
  | 'duplicate-frames'
  | 'replay-frames'
  | 'out-of-order'
  | 'clock-skew'
  | 'rest-5xx'
  | 'rest-timeout'
  | 'rest-partial'
  | 'rest-empty'
  | 'rest-ts-mismatch'
  | 'stall-buffered'
  | 'stall-data-only'
  | 'delist'
  | BookFaultKind;

export type BookFaultKind =
  /** books: one book update frame not sent (the sequence breaks where the venue numbers them) */
  | 'book-drop'
  /** books: one OKX book frame sent with a wrong checksum */
  | 'book-checksum'
  /** books: one book update frame held back and sent after the next */
  | 'book-out-of-order'
  /** books: the REST depth snapshot answered from ~5 s before (older than what a new subscriber buffered) */
  | 'book-stale-snapshot'
  /** books: the REST depth snapshot endpoint answers with the venue's rate-limit reply */
  | 'book-snapshot-429';

/** Kinds that act on one socket's outgoing frames, so `connection` can pin them to one socket. */
export const CONNECTION_FAULT_KINDS: readonly SimFaultKind[] = [
  'disconnect',
  'stall',
  'stall-buffered',
  'stall-data-only',
  'slow',
  'malformed',
  'duplicate-frames',
  'replay-frames',
  'out-of-order',
];

export interface SimFault {
  kind: SimFaultKind;
  /** default: every venue */
  exchange?: ExchangeId;
  market?: Market;
  /** how long the fault lasts on the injected clock; absent (and no count): until clearFaults() */
  durationMs?: number;
  /** how many occurrences (dropped trades, garbage frames, rejected subscribes, 429s) */
  count?: number;
  /** 'slow': added latency per frame; 'rest-timeout': how long a request hangs before its socket is dropped */
  latencyMs?: number;
  /** restrict to these unified symbols (drop-messages, reject-subscribe, frame and REST faults, delist) */
  symbols?: string[];
  /** 'clock-skew': the venue's clock runs this far ahead (> 0) or behind (< 0); 'rest-ts-mismatch': REST's offset */
  skewMs?: number;
  /** 'rest-5xx': the HTTP status (500, 502, 503, 504; default 503) */
  status?: number;
  /** 'rest-partial': rows served per trade page (default half the page, always fewer than it holds) */
  rows?: number;
  /** 'out-of-order': frames of one symbol shuffled together (default 4) */
  windowFrames?: number;
  /**
   * pin the fault to one socket of each matching venue: the Nth (0-based) of its sockets open
   * when the fault is injected, in the order they were accepted. The other sockets keep flowing.
   */
  connection?: number;
}

export interface SimOptions {
  host?: string;
  port?: number;
  seed?: number;
  venues: SimVenueOptions[];
  /** 'auto': real timers generate trades at the configured rates; 'manual': only advance()/burst() generate */
  mode?: 'auto' | 'manual';
  /** clock for exchange timestamps, REST rate windows and fault windows (default Date.now) */
  now?: () => number;
  timing?: Partial<SimTiming>;
  /**
   * trades kept per symbol for REST history and groundTruth(), oldest dropped first (default
   * 10,000, half an hour at the embedded default's rate); a venue whose REST history reaches less
   * (Bybit) keeps only that
   */
  ledgerLimitPerSymbol?: number;
  /** keep every trade id ever generated, compactly, for truth() (scripted runs); default false */
  keepTruth?: boolean;
}

/** One symbol's ground truth for a comparison (SimExchange.truth). */
export interface TruthSymbol {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  /** trades generated (seq runs 0 … generated - 1) */
  generated: number;
  /** seq of the first id that ids() yields: 0 with keepTruth, else the oldest still in the ledger */
  firstKept: number;
  /**
   * the first acknowledged trade subscription: trades with seq ≥ `seq` were published after it
   * (the client's to store), earlier ones before collection began. `time` is the simulator's
   * generation clock then. Venues without acks (Upbit): the moment its trades started streaming.
   */
  subscribedAt?: { seq: number; time: number };
  /** the seq at every later acknowledged (re)subscription, ascending */
  resubscribedAt: number[];
  /** how many of the most recent trades the venue's REST history serves, when it is limited (Bybit) */
  restHistoryReach?: number;
  /** the trade ids from seq `firstKept` on, in generation order */
  ids(): Iterable<string>;
}

export interface SimVenueStats {
  exchange: ExchangeId;
  market: Market;
  openSockets: number;
  connectionsAccepted: number;
  connectionsRefused: number;
  /** connections the server closed (faults, keep-alive, limits, lifetime) */
  serverCloses: number;
  /** streams currently subscribed over all open sockets */
  subscriptions: number;
  subscribeRequests: number;
  subscribeRejected: number;
  messagesReceived: number;
  framesSent: number;
  bytesSent: number;
  tradesGenerated: number;
  tradesDropped: number;
  tickersGenerated: number;
  garbageFrames: number;
  restCalls: number;
  /** rate-limit answers (429, 418, Bybit's 403) */
  restRateLimited: number;
  pingsSent: number;
}

export interface SimStats {
  venues: SimVenueStats[];
}

export interface SimEndpoints {
  wsUrl: string;
  restUrl: string;
}

export interface GroundTruthFilter {
  exchange?: ExchangeId;
  market?: Market;
  symbol?: string;
}

export interface SimExchange {
  readonly port: number;
  endpoints(exchange: ExchangeId, market: Market): SimEndpoints;
  advance(ms: number): void;
  burst(exchange: ExchangeId, market: Market, count: number): Promise<void>;
  /**
   * The same trades burst() sends (benchmarks), generated and rendered for every open connection
   * now (stamped now, in the ledger from now, a chunk at a time with the sockets' I/O between
   * chunks); `send()` writes them as fast as the sockets drain, so that sending costs only the
   * writing and a consumer's rate is not bounded by the generator. Frame faults apply when sent,
   * drop faults when generated, as for burst().
   */
  prepareBurst(exchange: ExchangeId, market: Market, count: number): Promise<PreparedBurst>;
  /**
   * A burst of book diffs (benchmarks), Binance: `eventsPerSymbol` diff events for every symbol
   * whose book exists (a client subscribed to it or asked REST for it), generated and rendered for
   * every open connection now; `send()` pushes them round-robin over the symbols as fast as the
   * sockets drain and resolves once every frame is handed to the kernel. From now until sent, REST
   * depth answers the book as of the last event pushed (before the first: the book now), while
   * trueBook() is already the burst's final book. Manual mode only.
   */
  prepareBookBurst(exchange: ExchangeId, market: Market, eventsPerSymbol: number, options?: { meanChanges?: number }): PreparedBookBurst;
  inject(fault: SimFault): void;
  /** ends every fault; `{ keepTimed: true }` keeps the ones with a duration until it runs out */
  clearFaults(options?: { keepTimed?: boolean }): void;
  /** the trades still in the ledger (bounded, see ledgerLimitPerSymbol) */
  groundTruth(filter?: GroundTruthFilter): Trade[];
  /** per symbol: every id generated (keepTruth) and where collection began */
  truth(filter?: GroundTruthFilter): TruthSymbol[];
  /**
   * The symbol's true order book now, top `depth` levels per side in base units, and the last
   * update id pushed; undefined while no client has asked for the symbol's book.
   */
  trueBook(exchange: ExchangeId, market: Market, symbol: string, depth: number): TrueBookView | undefined;
  /**
   * The symbol's true order book as it was pushed with this version, top `depth` levels per side in
   * base units: `sequence` is the id the venue's book frames carry (Binance u, Bybit u, OKX seqId),
   * `timestamp` the time a push's frames carry (Upbit's whole-book frames have no id). The last few
   * seconds of pushes are kept; undefined for a version no longer (or never) pushed, or a venue
   * without such ids (a sequence asked of Upbit).
   */
  trueBookAt(exchange: ExchangeId, market: Market, symbol: string, at: BookVersion, depth: number): TrueBookAtView | undefined;
  setSymbols(exchange: ExchangeId, market: Market, symbols: SimSymbolOptions[]): void;
  stats(): SimStats;
  stop(): Promise<void>;
}

/** a version of a book as a collector knows it: the sequence of its last frame, or (Upbit) its time */
export type BookVersion = { sequence: number } | { timestamp: number };

export interface TrueBookAtView {
  bids: [number, number][];
  asks: [number, number][];
  /** the book's update id at that push */
  updateId: number;
  /** the time the push's frames carried */
  timestamp: number;
}

/** a trade burst generated and rendered, not yet sent (SimExchange.prepareBurst) */
export interface PreparedBurst {
  /** trades generated (0: no symbol trades) */
  readonly trades: number;
  /** sends every frame (once; a second call gets the same promise) */
  send(): Promise<void>;
}

/** a book burst generated and rendered, not yet sent (SimExchange.prepareBookBurst) */
export interface PreparedBookBurst {
  /** diff events in all, over `symbols` books */
  readonly events: number;
  readonly symbols: number;
  /** level changes the events carry in all */
  readonly levelChanges: number;
  /** sends every event (once; a second call gets the same promise) */
  send(): Promise<void>;
}

export interface TrueBookView {
  bids: [number, number][];
  asks: [number, number][];
  /** the last update id given out (Binance u, OKX seqId) */
  updateId: number;
  /** the last update id pushed to subscribers */
  pushedId: number;
}

export const DEFAULT_TIMING: SimTiming = {
  tickMs: 10,
  binanceSpotPingIntervalMs: 20_000,
  binanceFuturesPingIntervalMs: 180_000,
  binanceSpotPongTimeoutMs: 60_000,
  binanceFuturesPongTimeoutMs: 600_000,
  connectionLifetimeMs: 24 * 60 * 60 * 1000,
  binanceSpotMaxIncomingPerWindow: 5,
  binanceFuturesMaxIncomingPerWindow: 10,
  incomingWindowMs: 1000,
  binanceMaxStreams: 1024,
  okxIdleTimeoutMs: 30_000,
  bybitIdleTimeoutMs: 600_000,
  upbitIdleTimeoutMs: 120_000,
  binanceSpotWeightLimit: 6000,
  binanceFuturesWeightLimit: 2400,
  binanceWeightWindowMs: 60_000,
  binanceBanMs: 120_000,
  okxRestLimit: 20,
  okxRestWindowMs: 2000,
  bybitRestLimit: 600,
  bybitRestWindowMs: 5000,
  upbitRestLimit: 10,
  upbitRestWindowMs: 1000,
};

/** Coded error for misuse of the simulator API (unknown venue, bad options). */
export class SimError extends Error {
  readonly code: string;
  constructor(code: `TV_ERR_SIM_${string}`, message: string) {
    super(message);
    this.name = 'SimError';
    this.code = code;
  }
}
