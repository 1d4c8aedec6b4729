/**
 * The one interface every exchange adapter implements (venue frames in, normalized records out: docs/architecture.md#conventions).
 *
 * Everything here is pure except the REST helpers, which receive their HTTP client injected
 * (`RestClient`), so adapters are table-tested without sockets or HTTP.
 * The socket itself is owned elsewhere (src/transport); an adapter only builds and reads frames.
 */
import type { Channel, ExchangeId, Market, MarketRecord, Trade } from '../records.js';

/** One instrument as the exchange lists it, mapped to our unified symbol. */
export interface Instrument {
  /** unified symbol: `BTC/USDT`, `BTC/KRW`, `BTC/USDT:USDT` */
  symbol: string;
  /** the exchange's own id: `BTCUSDT`, `KRW-BTC`, `BTC-USDT-SWAP` */
  nativeId: string;
  base: string;
  quote: string;
  /** settlement asset for derivatives */
  settle?: string;
  /** listed and trading (the exchange's active/trading filter) */
  active: boolean;
  /** base-asset units per contract (OKX SWAP `ctVal`); absent where amounts are already in base */
  contractSize?: number;
}

/** Production endpoints; every one is overridable by configuration (the simulator sets both). */
export interface Endpoints {
  /** full WebSocket URL, e.g. `wss://stream.binance.com:9443/ws` */
  wsUrl: string;
  /** REST base URL the adapter appends its paths to, e.g. `https://api.binance.com` */
  restUrl: string;
}

/** Per-connection and per-request limits. One place per adapter, as configuration. */
export interface ConnectionLimits {
  /** streams (symbols × channels) one connection may carry */
  maxStreamsPerConnection: number;
  /** symbols per connector when the configuration does not say */
  defaultGroupSize: number;
  /** topics/params/args in one subscribe request */
  maxArgsPerRequest: number;
  /** client → server messages per second per connection (subscribe requests and pings count) */
  maxMessagesPerSecond: number;
  /** the exchange closes a connection after this long (Binance: 24 h); rotate before it */
  connectionLifetimeMs?: number;
}

/** Keep-alive rules: who pings, how often, and how long silence may last. */
export interface KeepAlive {
  /** 'server': the server pings and `ws` answers by itself; 'client': we send `pingFrame` every `intervalMs` */
  initiator: 'server' | 'client';
  intervalMs: number;
  /** no frame (data, pong or ping) for this long: the connection is dead */
  silenceTimeoutMs: number;
  /** the text frame to send as a client ping; undefined → a WebSocket protocol ping */
  pingFrame?: (requestId: string) => string;
}

/** One subscribe (or unsubscribe) request as sent on the wire. */
export interface WireRequest {
  /** the request id the exchange echoes in its ack, when it has one */
  requestId?: string;
  frame: string;
  /** unified symbols this request covers */
  symbols: string[];
  channels: Channel[];
}

/** What a subscription asks for beyond the channels. */
export interface SubscribeOptions {
  /** levels per side a `book` subscription needs (venues with depth-named channels pick the smallest that covers it) */
  bookDepth?: number;
}

/** How the exchange confirms a subscription. */
export type AckMode =
  /** an ack frame names the request id (Binance, Bybit) */
  | 'request-id'
  /** an ack frame per channel × instrument (OKX) */
  | 'per-stream'
  /** no ack: the first data frame of a symbol confirms it (Upbit) */
  | 'first-data';

/** Non-data frames the connection layer acts on. */
export type ControlMessage =
  | { kind: 'subscribed'; requestId?: string; symbols?: string[] }
  | { kind: 'unsubscribed'; requestId?: string; symbols?: string[] }
  | { kind: 'rejected'; requestId?: string; symbols?: string[]; reason: string }
  | { kind: 'pong' }
  /** a frame we understood and deliberately ignore (status, welcome, heartbeat...) */
  | { kind: 'ignored' }
  /**
   * A well-formed frame of a kind this parser does not map: an event, channel, topic or op the
   * venue's documentation for what we subscribe to does not have (a new one is how a format change
   * usually starts). Never a record; the receiver counts it in the quarantine as `unknown-kind`.
   * `what` names it (`event serverShutdown`, `channel books5`), for the operator.
   */
  | { kind: 'unknown'; what: string };

export interface ParseResult {
  records: MarketRecord[];
  /** read-only: a data frame's is the one shared empty NO_CONTROL (common.ts), not an array per frame */
  control: readonly ControlMessage[];
}

/**
 * Why a frame was not turned into records, as the quarantine and its metric count it. A fixed
 * list, so the metric's `reason` label stays bounded.
 * - unreadable-json: not JSON, or JSON that is not an object
 * - too-large: over MAX_FRAME_BYTES (common.ts)
 * - unknown-kind: no event/topic/channel/op the parser knows (thrown, or a ControlMessage 'unknown')
 * - missing-field: a field the kind requires is absent
 * - bad-field: a field is there but not of the documented form (a number that is not, a side that is neither)
 * - unknown-instrument: the frame needs instrument facts we do not have (an OKX swap without ctVal)
 */
export const FRAME_FAILURE_REASONS = ['unreadable-json', 'too-large', 'unknown-kind', 'missing-field', 'bad-field', 'unknown-instrument'] as const;
export type FrameFailureReason = (typeof FRAME_FAILURE_REASONS)[number];

/** Thrown (or returned through `FrameParser.parse`) for a frame we cannot read. */
export class MalformedFrameError extends Error {
  readonly code = 'TV_ERR_MALFORMED_FRAME';
  /** the class of failure (default `bad-field`: most refusals are one field of the wrong form) */
  readonly reason: FrameFailureReason;
  constructor(message: string, options?: { cause?: unknown; reason?: FrameFailureReason }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MalformedFrameError';
    this.reason = options?.reason ?? 'bad-field';
  }
}

/** The failure class of anything a parser threw: a foreign error (a parser bug) counts as `bad-field`. */
export function failureReason(error: unknown): FrameFailureReason {
  return error instanceof MalformedFrameError ? error.reason : 'bad-field';
}

/**
 * A parser lives as long as one connection: some exchanges need memory between frames
 * (Bybit ticker deltas merge into the last snapshot; OKX contract sizes from the instrument table).
 */
/**
 * Where a byte scanner gets each Trade it fills (FrameParser.scanBytes). The Link lends objects it
 * fills again once the read's records are delivered, so a trade read from bytes allocates nothing;
 * whoever keeps a delivered trade beyond that call copies it (docs/architecture.md#data-path).
 */
export type TradeLender = () => Trade;

/** A Trade to fill, with the fields in the order every parser writes them (one hidden class for all). */
export function newTrade(): Trade {
  return { type: 'trade', exchange: 'binance', market: 'spot', symbol: '', id: '', price: 0.5, amount: 0.5, side: 'buy', timestamp: 0.5, localTimestamp: 0.5 };
}

export interface FrameParser {
  /**
   * Never throws for bad input: a frame it cannot read raises MalformedFrameError,
   * which the caller catches and counts. Data for unknown symbols is still mapped by
   * the best unified-symbol guess (the pipeline's validation decides).
   */
  parse(frame: string | Buffer, localTimestamp: number): ParseResult;
  /**
   * The same reading as `parse`, with the records appended to `out` and the control messages
   * returned: a feed's one-trade frames then make no array and no result object each (the Link
   * gathers a socket read's records in one array). Throws as `parse` does, with `out` untouched.
   */
  parseInto?(frame: string | Buffer, localTimestamp: number, out: MarketRecord[]): readonly ControlMessage[];
  /**
   * The venue's common trade frame read straight from its UTF-8 bytes — bytes [start, end) of a
   * socket read, never decoded — with its records appended to `out`, each trade one `lend` gave.
   * False when the frame is not one it takes, with nothing appended: the caller decodes it and
   * calls parseInto or parse, which read any frame the reference way. Never throws.
   */
  scanBytes?(bytes: Uint8Array, start: number, end: number, localTimestamp: number, out: MarketRecord[], lend: TradeLender): boolean;
}

/** What the injected HTTP layer answers: parsed JSON body plus the headers adapters care about. */
export interface RestResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: unknown;
  /**
   * The body as received, when the client has it: integer ids above 2^53 (Upbit `sequential_id`)
   * are rounded in `body` by JSON.parse, and an adapter reads their digits from here.
   */
  text?: string;
}

/**
 * Injected HTTP GET. The production one (src/rest) uses got, obeys 429/418 + Retry-After
 * and the exchange's weight headers, and throws coded errors; tests pass a fake.
 */
export type RestClient = (url: string) => Promise<RestResponse>;

/** A request for missed trades of one instrument. */
export interface BackfillRequest {
  instrument: Instrument;
  /** trades strictly after this exchange trade id (when the exchange pages by id) */
  afterId?: string;
  /** trades with timestamp >= from (ms) */
  from: number;
  /** trades with timestamp <= to (ms) */
  to: number;
  /**
   * the first trade received live after the window (its end), when known: lets a venue with
   * dense ids skip paging when nothing lies before it
   */
  untilId?: string;
  /** stop after this many trades (a guard against runaway paging) */
  maxTrades?: number;
  /**
   * start paging below this exchange trade id (exclusive) instead of at the newest trade: the rest
   * of a window an earlier answer left off at `resumeBefore` (venues that page backwards by id)
   */
  beforeId?: string;
}

export interface BackfillResult {
  /** ascending by (timestamp, id), normalized exactly like live trades */
  trades: Trade[];
  /**
   * true only when the answer proves the window whole: it reached back to the window's start (a
   * trade at/before `from`, the trade `afterId`, or proof that nothing older exists) and forward to
   * its end (the trade that closed it, or one after it). False otherwise: the gap is reported, not hidden
   */
  complete: boolean;
  /**
   * Why an answer is not complete, when it is not. 'unproven': the pages came back short or empty
   * although the trades they should hold are known to exist (the trade `afterId`, the closing
   * trade): the answer is not to be believed, and asking again later may well get it all.
   * 'beyond-reach' (or absent): the exchange does not serve that far back (Bybit's recent-trade
   * keeps only the last N trades, history retention) or `maxTrades` cut the paging short: asking
   * again does not help. 'capped': `maxTrades` stopped the paging while the exchange serves more;
   * the answer holds the window's newest trades down to `resumeBefore`, and asking again with
   * `beforeId` = its id goes on from there.
   */
  incomplete?: 'unproven' | 'beyond-reach' | 'capped';
  /** with 'capped': the oldest trade of the answer, where paging stopped */
  resumeBefore?: { id: string; timestamp: number };
  /**
   * set when the answer is complete only because the venue listed fewer trades than asked, which
   * says it has no trade of the symbol older than this (its oldest listed trade's time; the
   * answer's time when it listed none). A caller that holds an older trade knows the answer is
   * partial (Bybit's recent-trade, which cannot be paged, is the venue that answers so).
   */
  wholeHistoryFrom?: number;
}

/** An answer `maxTrades` cut short at its oldest trade, which the next request can continue below. */
export function capped(trades: Trade[]): BackfillResult {
  const oldest = trades[0];
  return oldest === undefined
    ? { trades, complete: false, incomplete: 'beyond-reach' }
    : { trades, complete: false, incomplete: 'capped', resumeBefore: { id: oldest.id, timestamp: oldest.timestamp } };
}

/** An answer that did not prove the window: worth asking again (see BackfillResult.incomplete). */
export function unproven(trades: Trade[]): BackfillResult {
  return { trades, complete: false, incomplete: 'unproven' };
}

export interface ExchangeAdapter {
  readonly exchange: ExchangeId;
  readonly market: Market;
  readonly endpoints: Endpoints;
  readonly limits: ConnectionLimits;
  readonly keepAlive: KeepAlive;
  readonly ackMode: AckMode;
  /** trade ids are dense and sequential per symbol, so a hole in ids is a gap */
  readonly sequentialTradeIds: boolean;
  /**
   * Subscribe requests for these instruments, split within maxArgsPerRequest.
   * `nextId` yields fresh request ids. Upbit replaces the whole subscription per frame, so its
   * adapter is given the connection's full instrument list (`all`) and returns one frame.
   */
  subscribeRequests(
    instruments: Instrument[],
    channels: Channel[],
    nextId: () => string,
    all?: Instrument[],
    options?: SubscribeOptions,
  ): WireRequest[];
  unsubscribeRequests(
    instruments: Instrument[],
    channels: Channel[],
    nextId: () => string,
    remaining?: Instrument[],
    options?: SubscribeOptions,
  ): WireRequest[];
  /**
   * The socket URL a channel is served on, where it is not `wsUrl` itself (Binance USDⓈ-M serves
   * depth on `/public`, trades and tickers on `/market`): a connection then keeps one socket per URL.
   */
  channelUrl?(channel: Channel, wsUrl: string): string;
  /** a parser for one connection; `instruments` maps native ids back to unified symbols */
  createParser(instruments?: readonly Instrument[]): FrameParser;
  /** market listing by REST, unified, with the active/trading filter applied to `active` */
  listInstruments(http: RestClient, restUrl?: string): Promise<Instrument[]>;
  /** REST trade history for a missed window, paged within the exchange's limits */
  backfillTrades(http: RestClient, request: BackfillRequest, restUrl?: string): Promise<BackfillResult>;
}
