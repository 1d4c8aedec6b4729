/**
 * One WebSocket to an exchange: opens it, sends the adapter's subscribe frames (paced), parses
 * every frame, and maps acks, refusals and pongs back to unified symbols. A connection actor owns
 * one Link, or two for a moment while it rotates make-before-break.
 */
import { randomBytes } from 'node:crypto';
import { MAX_FRAME_BYTES } from '../exchanges/common.js';
import type { BookFrame } from '../books/types.js';
import { utf8String } from '../exchanges/scan/byte-scan.js';
import { failureReason, type ControlMessage, type Instrument, type SubscribeOptions, type WireRequest } from '../exchanges/types.js';
import type { LinkBooks } from '../ingest/venue-books.js';
import type { Channel, MarketRecord } from '../records.js';
import { backgroundClock, type Clock } from '../time/clock.js';
import { Pacer } from './pacer.js';
import { TradePool } from './trade-pool.js';
import type { VenueIo } from './venue-io.js';
import { SOCKET_OPEN, WsClient, type ClientSocket } from './ws-client.js';

export interface LinkEvents {
  open(): void;
  closed(reason: string): void;
  acked(symbols: string[]): void;
  /** see ConnectionReport SUBSCRIBE.REJECT: what the refusal concerns, and whom it names */
  rejected(symbols: string[], reason: string, named?: string[]): void;
  /** keep-alive traffic (a pong, or the server's ping): the socket lives, but it is not data */
  pong(): void;
  /**
   * a frame arrived (data or control); its records, when it carried any, are `batch[from, from +
   * records)` (`from` 0 when absent): the Link passes the array it gathers a read's records in
   */
  frame(records: number, malformed: boolean, batch?: readonly MarketRecord[], from?: number): void;
  /** a book frame of `symbol` arrived (it is data of that symbol: the silence watch counts it) */
  bookFrame?(symbol: string, receivedAt: number): void;
}

const CLOSE_GRACE_MS = 1_000;

/** Connection ids are this process's prefix and a count: unique across restarts of the process too. */
const PROCESS_ID = randomBytes(4).toString('hex');
let linkSeq = 0;

export class Link {
  private readonly socket: ClientSocket;
  private readonly pacer: Pacer;
  private readonly parser;
  /** this socket's books, when it carries the `book` channel */
  private readonly books: LinkBooks | undefined;
  private readonly subscribeOptions: SubscribeOptions;
  private requestSeq = 0;
  /**
   * request id → what it asked for (acks by id), and how many answers it still expects: one on
   * exchanges that answer per request, one per stream on those that answer per stream (OKX), so
   * the second error of an UNSUBSCRIBE is still known for one and never taken for a refusal
   */
  private readonly inFlight = new Map<string, InFlightRequest>();
  /** streams this socket carries (Upbit re-sends the whole list each time) */
  readonly onSocket = new Set<string>();
  /**
   * asked for and not confirmed yet: a first data frame confirms them. On exchanges without acks
   * (Upbit) that is the only confirmation; elsewhere it covers an ack that is late or lost — the
   * symbol's data proves the subscription just as well.
   */
  private readonly awaitingData = new Set<string>();
  /** confirmed on this socket (ack or data): asked for again, they are confirmed without a frame */
  private readonly confirmed = new Set<string>();
  private acked: string[] = [];
  private ackFlushQueued = false;
  /**
   * The records of the data frames of the socket read being handled, delivered together once it is
   * done (docs/architecture.md#data-path): a burst brings dozens of one-trade frames per read, and
   * the path from here to the pipeline's queue cost as much per frame as per record. Delivered
   * before anything else of the link happens (a control frame, a book frame, a refusal, the close),
   * so nothing is seen out of its order on the socket.
   */
  private pending: MarketRecord[] = [];
  /** the trades a byte scanner fills during a read, free again once `pending` is delivered */
  private readonly trades = new TradePool();
  /** the read's receive time: the frames of one read arrived together; undefined between reads */
  private readAt: number | undefined;
  /** bound once: queued at the first frame of each read */
  private readonly endOfRead = (): void => {
    this.readAt = undefined;
    this.deliverPending();
  };
  private done = false;
  /** names this socket in raw frames and quarantine examples: `<process>-<n>/g<group>` */
  readonly connection: string;

  constructor(
    private readonly io: VenueIo,
    private readonly channels: Channel[],
    private readonly group: number,
    private readonly on: LinkEvents,
    /** receive times, subscribe pacing and the close grace; its timers must not keep the process alive */
    private readonly clock: Clock = backgroundClock,
    /** the socket's URL when its channels are served apart from the venue's wsUrl (see ExchangeAdapter.channelUrl) */
    url: string = io.wsUrl,
  ) {
    const { adapter } = io;
    this.connection = `${PROCESS_ID}-${++linkSeq}/g${group}`;
    this.parser = adapter.createParser(io.instruments());
    this.books = channels.includes('book') ? io.books?.open(this.connection, (symbol) => this.resubscribeBook(symbol)) : undefined;
    this.subscribeOptions = io.bookDepth !== undefined ? { bookDepth: io.bookDepth } : {};
    // text frames are checked as UTF-8 by the client (ws-frame-reader.ts): a bad byte would
    // otherwise become U+FFFD in the text, invisible to the parsers, so a corrupted symbol or id
    // would be stored as a record. The socket closes (1007) instead, and reconnect + gap fill
    // account for what it carried.
    this.socket = io.openSocket ? io.openSocket(url) : new WsClient(url, { maxPayload: MAX_FRAME_BYTES + 1024 });
    this.pacer = new Pacer(
      adapter.limits.maxMessagesPerSecond,
      (frame) => {
        if (this.socket.readyState === SOCKET_OPEN) this.socket.send(frame);
      },
      clock,
    );
    this.socket.on('open', () => !this.done && on.open());
    this.socket.on('message', (data: string | Buffer, isBinary: boolean) => this.receive(data, isBinary));
    if (this.parser.scanBytes !== undefined || this.books?.scanBytes !== undefined) this.socket.takeTextBytes?.((bytes, start, end) => this.receiveBytes(bytes, start, end));
    // the server's pings prove the socket is alive (the client answers them by itself), never that data
    // flows: a server can keep pinging while its feed has stopped
    this.socket.on('ping', () => !this.done && on.pong());
    this.socket.on('pong', () => on.pong());
    this.socket.on('error', (error) => this.finish(error.message));
    this.socket.on('close', (code, reason) => this.finish(`${code}${reason.length ? ` ${reason.toString()}` : ''}`));
  }

  get open(): boolean {
    return this.socket.readyState === SOCKET_OPEN && !this.done;
  }

  subscribe(symbols: readonly string[]): void {
    // a stream this socket already carries is not asked for twice (a second SUBSCRIBE for a live
    // stream is refused by Bybit, as a whole request)
    const live = symbols.filter((s) => this.confirmed.has(s));
    if (live.length > 0) this.ack(live);
    const known = this.instruments(symbols.filter((s) => !this.confirmed.has(s)));
    const unknown = symbols.filter((s) => this.io.instrument(s) === undefined);
    if (unknown.length > 0) queueMicrotask(() => !this.done && this.on.rejected(unknown, 'not listed by the exchange', unknown));
    if (known.length === 0) return;
    for (const i of known) this.onSocket.add(i.symbol);
    this.io.subscribing?.(known.map((i) => i.symbol), this.group);
    const next = () => String(++this.requestSeq);
    for (const i of known) this.awaitingData.add(i.symbol);
    this.send(this.io.adapter.subscribeRequests(known, this.channels, next, this.instruments([...this.onSocket]), this.subscribeOptions), false);
  }

  unsubscribe(symbols: readonly string[]): void {
    const leaving = this.instruments(symbols);
    for (const i of leaving) {
      this.onSocket.delete(i.symbol);
      this.awaitingData.delete(i.symbol);
      this.confirmed.delete(i.symbol);
    }
    if (leaving.length === 0) return;
    this.books?.drop(leaving.map((i) => i.symbol));
    const next = () => String(++this.requestSeq);
    this.send(this.io.adapter.unsubscribeRequests(leaving, this.channels, next, this.instruments([...this.onSocket]), this.subscribeOptions), true);
  }

  /**
   * A book that broke on a venue whose books start from its own WebSocket snapshot (Bybit, OKX):
   * the book stream alone is unsubscribed and subscribed again, and the venue sends a new snapshot.
   * Upbit sends whole books in every frame and never needs this (its one frame would also replace
   * the connection's whole subscription).
   */
  private resubscribeBook(symbol: string): void {
    if (this.done || !this.onSocket.has(symbol) || this.io.adapter.ackMode === 'first-data') return;
    const instrument = this.instruments([symbol]);
    if (instrument.length === 0) return;
    const next = () => String(++this.requestSeq);
    const all = this.instruments([...this.onSocket]);
    this.send(this.io.adapter.unsubscribeRequests(instrument, ['book'], next, all, this.subscribeOptions), true);
    this.send(this.io.adapter.subscribeRequests(instrument, ['book'], next, all, this.subscribeOptions), false);
  }

  ping(): void {
    const frame = this.io.adapter.keepAlive.pingFrame?.(String(++this.requestSeq));
    if (frame !== undefined) this.pacer.send(frame);
    else if (this.socket.readyState === SOCKET_OPEN) this.socket.ping();
  }

  /** Stop (or resume) reading while the store is behind: TCP pushes back to the exchange. */
  pause(paused: boolean): void {
    if (this.socket.readyState !== SOCKET_OPEN) return;
    if (paused) this.socket.pause();
    else this.socket.resume();
  }

  /** Close for good; no event is reported after this. */
  close(): void {
    this.deliverPending();
    this.done = true;
    this.books?.close('connection closed');
    this.pacer.close();
    this.socket.removeAllListeners('message');
    this.socket.on('error', () => {}); // a late error on a socket we are dropping is not news
    if (this.socket.readyState === SOCKET_OPEN) {
      this.socket.close(1000, 'closing');
      const kill = this.clock.setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS);
      this.socket.once('close', () => this.clock.clearTimeout(kill));
    } else {
      this.socket.terminate();
    }
  }

  private finish(reason: string): void {
    if (this.done) return;
    // what the socket carried before it ended is data like any other
    this.deliverPending();
    this.done = true;
    this.books?.close(`connection lost: ${reason}`);
    this.pacer.close();
    this.on.closed(reason);
  }

  /**
   * One clock read per socket read: the records' localTimestamp and the raw frame's receive time
   * are the same number, so a reparse of the raw frame rebuilds the very same records.
   */
  private receivedAt(): number {
    let receivedAt = this.readAt;
    if (receivedAt === undefined) {
      receivedAt = this.readAt = this.clock.now();
      queueMicrotask(this.endOfRead);
    }
    return receivedAt;
  }

  /**
   * A text frame offered as bytes before it is decoded (ClientSocket.takeTextBytes): the venue's
   * common book frame is read in place, and its common trade frame into lent trades (TradePool);
   * false leaves any other frame to receive(), as text. A frame taken here is well-formed UTF-8
   * (the scanners take nothing else), so its raw copy, when raw frames are kept, is the same text
   * receive() would have kept.
   */
  private receiveBytes(bytes: Uint8Array, start: number, end: number): boolean {
    if (this.done) return false;
    const receivedAt = this.receivedAt();
    const book = this.books?.scanBytes?.(bytes, start, end);
    if (book !== undefined) {
      if (this.io.raw !== undefined) this.io.raw(utf8String(bytes, start, end), receivedAt, this.connection);
      this.deliverPending();
      this.takeBook([book], receivedAt);
      return true;
    }
    if (this.parser.scanBytes === undefined) return false;
    const pending = this.pending;
    const from = pending.length;
    if (!this.parser.scanBytes(bytes, start, end, receivedAt, pending, this.trades.lend)) return false;
    if (this.io.raw !== undefined) this.io.raw(utf8String(bytes, start, end), receivedAt, this.connection);
    this.dataFrame(from);
    return true;
  }

  private receive(data: string | Buffer, isBinary: boolean): void {
    const frame = isBinary || typeof data === 'string' ? data : data.toString();
    const receivedAt = this.receivedAt();
    this.io.raw?.(frame, receivedAt, this.connection);
    if (this.books !== undefined && this.books.mayBeBookFrame(frame)) {
      this.deliverPending();
      if (this.receiveBook(frame, data, receivedAt)) return;
    }
    const pending = this.pending;
    const from = pending.length;
    let control: readonly ControlMessage[];
    try {
      if (this.parser.parseInto !== undefined) control = this.parser.parseInto(frame, receivedAt, pending);
      else {
        const result = this.parser.parse(frame, receivedAt);
        for (const r of result.records) pending.push(r);
        control = result.control;
      }
    } catch (error) {
      pending.length = from; // (parseInto appends nothing when it throws; a parse may have)
      this.deliverPending();
      this.refuse(error, frame, data, receivedAt);
      return;
    }
    this.dataFrame(from);
    if (control.length > 0) {
      this.deliverPending();
      this.control(control, frame, receivedAt);
    }
  }

  /** a frame whose records are `pending[from…]`: counted, and its symbols' data confirms their subscription */
  private dataFrame(from: number): void {
    const pending = this.pending;
    const n = pending.length - from;
    this.on.frame(n, false, pending, from);
    if (n > 0 && this.awaitingData.size > 0) {
      let seen: string[] | undefined;
      for (let i = from; i < pending.length; i++) {
        const symbol = (pending[i] as MarketRecord).symbol;
        if (this.awaitingData.delete(symbol)) (seen ??= []).push(symbol);
      }
      if (seen !== undefined) this.ack(seen);
    }
  }

  /** hands the read's records so far to the data path (see `pending`), then takes the lent trades back */
  private deliverPending(): void {
    if (this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    if (!this.done) this.io.deliver(records, this.group);
    this.trades.reclaim();
  }

  private refuse(error: unknown, frame: string | Buffer, data: string | Buffer, receivedAt: number): void {
    this.on.frame(0, true);
    const message = error instanceof Error ? error.message : String(error);
    this.io.malformed?.(message, data, this.group);
    this.io.quarantine?.({ reason: failureReason(error), message, frame, receivedAt, connection: this.connection });
  }

  /** a frame that may be a book frame: true when it was one (taken, or refused as malformed) */
  private receiveBook(frame: string | Buffer, data: string | Buffer, receivedAt: number): boolean {
    const books = this.books as LinkBooks;
    let frames: BookFrame[];
    try {
      frames = books.parse(frame);
    } catch (error) {
      this.refuse(error, frame, data, receivedAt);
      return true;
    }
    // not a book frame after all (an ack naming the book channel): the trade parser reads it
    if (frames.length === 0) return false;
    this.takeBook(frames, receivedAt);
    return true;
  }

  /** a book frame's updates: counted, their symbols' data confirms their subscription, the books take them */
  private takeBook(frames: readonly BookFrame[], receivedAt: number): void {
    const books = this.books as LinkBooks;
    this.on.frame(0, false);
    let previous: string | undefined;
    for (const f of frames) {
      if (f.symbol === previous) continue;
      previous = f.symbol;
      this.on.bookFrame?.(f.symbol, receivedAt);
      if (this.awaitingData.delete(f.symbol)) this.ack([f.symbol]);
    }
    books.take(frames, receivedAt);
  }

  private control(messages: readonly ControlMessage[], frame: string | Buffer, receivedAt: number): void {
    const perStream = this.io.adapter.ackMode === 'per-stream';
    for (const c of messages) {
      if (c.kind === 'pong') this.on.pong();
      else if (c.kind === 'unknown') {
        this.io.quarantine?.({ reason: 'unknown-kind', message: c.what, frame, receivedAt, connection: this.connection });
      }
      else if (c.kind === 'subscribed' || c.kind === 'unsubscribed') {
        const req = this.answered(c.requestId);
        if (req?.unsubscribe || c.kind === 'unsubscribed') continue;
        let symbols = c.symbols ?? req?.symbols ?? [];
        // answered per stream: a symbol is subscribed once each of its channels is acked, not by the
        // first ack (OKX refusing `trades` and acking `tickers` for one instrument left the coin
        // Subscribed with no trades, only the audit finding them, late)
        if (req !== undefined && perStream) symbols = wholeSymbols(req, symbols);
        for (const s of symbols) this.awaitingData.delete(s);
        this.ack(symbols);
      } else if (c.kind === 'rejected') {
        const req = this.answered(c.requestId);
        if (req?.unsubscribe) continue;
        // An exchange that answers per stream (OKX) refuses only the streams it names; one that
        // answers per request (Binance, Bybit) refused the whole request, whatever its text names.
        const symbols = (perStream ? (c.symbols ?? req?.symbols) : (req?.symbols ?? c.symbols)) ?? [];
        // an ack of the same symbol's other channel must not confirm it afterwards (wholeSymbols)
        if (perStream && req !== undefined) for (const s of symbols) (req.refused ??= new Set()).add(s);
        this.io.note?.('subscribe rejected', { group: this.group, reason: c.reason, symbols, named: c.symbols ?? [] });
        if (symbols.length > 0) {
          for (const s of symbols) {
            this.onSocket.delete(s);
            this.awaitingData.delete(s);
            this.confirmed.delete(s);
          }
          this.on.rejected(symbols, c.reason, c.symbols);
        }
      }
    }
  }

  // Acks of a big subscription arrive one per stream (OKX): report them once per tick.
  private ack(symbols: readonly string[]): void {
    for (const s of symbols) {
      this.acked.push(s);
      this.confirmed.add(s);
    }
    if (this.ackFlushQueued) return;
    this.ackFlushQueued = true;
    queueMicrotask(() => {
      this.ackFlushQueued = false;
      const batch = [...new Set(this.acked)];
      this.acked = [];
      if (!this.done && batch.length > 0) this.on.acked(batch);
    });
  }

  /** the request an answer belongs to; forgotten once every answer it expects has come */
  private answered(requestId: string | undefined): InFlightRequest | undefined {
    if (requestId === undefined) return undefined;
    const req = this.inFlight.get(requestId);
    if (req && --req.answers <= 0) this.inFlight.delete(requestId);
    return req;
  }

  private send(requests: WireRequest[], unsubscribe: boolean): void {
    const perStream = this.io.adapter.ackMode === 'per-stream';
    for (const r of requests) {
      const answers = perStream ? Math.max(1, r.symbols.length * r.channels.length) : 1;
      if (r.requestId !== undefined) this.inFlight.set(r.requestId, { symbols: r.symbols, unsubscribe, answers, channels: r.channels.length });
      this.pacer.send(r.frame);
    }
  }

  private instruments(symbols: readonly string[]): Instrument[] {
    const out: Instrument[] = [];
    for (const s of symbols) {
      const i = this.io.instrument(s);
      if (i) out.push(i);
    }
    return out;
  }
}

/** a request sent and not yet answered in full */
interface InFlightRequest {
  symbols: string[];
  unsubscribe: boolean;
  /** answers still expected (per stream: one per symbol × channel) */
  answers: number;
  /** channels each symbol was asked for */
  channels: number;
  /** per symbol, channel acks still expected (per-stream venues) */
  acksDue?: Map<string, number>;
  /** symbols one of whose streams this request had refused */
  refused?: Set<string>;
}

/**
 * Of the symbols an ack names, those now acked on every channel the request asked for and refused
 * on none: only they are subscribed.
 */
function wholeSymbols(req: InFlightRequest, acked: readonly string[]): string[] {
  const due = (req.acksDue ??= new Map());
  const out: string[] = [];
  for (const s of acked) {
    const left = (due.get(s) ?? req.channels) - 1;
    due.set(s, left);
    if (left <= 0 && req.refused?.has(s) !== true) out.push(s);
  }
  return out;
}
