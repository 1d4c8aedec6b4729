/**
 * The order books of one exchange × market on the live path (docs/architecture.md#order-books).
 *
 * Each connection (Link) that carries the `book` channel gets its own BookKeeper: a venue's
 * sequence ids hold within one socket, so a new socket syncs its books afresh. While a connection
 * rotates, two keepers hold the same symbol for a moment; one of them **owns** the symbol's book:
 * only the owner's records are kept and only its book is shown. The first keeper to make a book
 * consistent owns it; when the owner breaks or closes while another keeper's book of that symbol is
 * consistent, ownership passes over with a whole snapshot (the stored history starts again from
 * it); otherwise the break is recorded as a `resync` and nothing continues across it.
 *
 * Book updates never become actor events: a symbol's book *state* (syncing, live, resyncing) goes
 * to `onState` only when it changes, for the Coin to show.
 */
import { Subject, type Observable } from '../rx.js';
import { BookKeeper, newBookCounters, type BookCounters, type BookState } from '../books/book-keeper.js';
import type { BookFrame, BookVenue } from '../books/types.js';
import type { Instrument, RestClient } from '../exchanges/types.js';
import type { BookLevelTuple, BookRecord, ExchangeId, Market } from '../records.js';
import type { Clock } from '../time/clock.js';

/** One symbol's live book as the library shows it. */
export interface LiveBook {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  /** best first */
  bids: BookLevelTuple[];
  asks: BookLevelTuple[];
  /** exchange time of the last update applied (NaN before the first) */
  timestamp: number;
  /** the venue's update id the book stands at (absent on Upbit) */
  sequence?: number;
  state: BookState;
  /** the levels are a consistent book (live, or the last consistent one while resyncing is not shown: empty) */
  synced: boolean;
}

/** Where book records go to be stored. */
export interface BookRecordSink {
  write(records: BookRecord[]): void;
}

/** One connection's view of the venue's books (the Link holds it). */
export interface LinkBooks {
  /** cheap check before parsing (see BookVenue.mayBeBookFrame) */
  mayBeBookFrame(frame: string | Buffer): boolean;
  /** the frame's book frames; [] when it is not a book frame after all. Throws MalformedFrameError */
  parse(frame: string | Buffer): BookFrame[];
  /** the venue's common book frame read from its bytes (BookVenue.createByteScanner); undefined: read it as text */
  scanBytes?(bytes: Uint8Array, start: number, end: number): BookFrame | undefined;
  take(frames: readonly BookFrame[], receivedAt: number): void;
  /** the socket stopped carrying these symbols (unsubscribed) */
  drop(symbols: readonly string[]): void;
  close(reason: string): void;
}

/** A symbol's book figures, for metrics and the status page. */
export interface BookRow {
  symbol: string;
  state: BookState;
  counters: Readonly<BookCounters>;
  /** exchange time of the shown book's last update (NaN: none) */
  timestamp: number;
  bidLevels: number;
  askLevels: number;
}

export interface VenueBooksOptions {
  venue: BookVenue;
  /** levels per side the library shows by default */
  depth: number;
  clock: Clock;
  /** the venue's listing (OKX swaps: contract sizes) */
  instruments: () => readonly Instrument[];
  /** the venue's REST client (its shared budget) and base URL, for depth snapshots */
  rest: RestClient;
  restUrl: string;
  sink?: BookRecordSink;
  /** where records are also published for the library (default: this venue's own stream) */
  records?: Subject<BookRecord>;
  /** a symbol's shown book changed state */
  onState?: (symbol: string, state: BookState, reason?: string) => void;
  /** tuning (tests scale them down) */
  snapshotSpacingMs?: number;
  retryMs?: number;
  snapshotEveryMs?: number;
  maxLevels?: number;
}

/** between two depth snapshot requests of one venue */
export const DEFAULT_SNAPSHOT_SPACING_MS = 250;

interface Held {
  keeper: BookKeeper;
  connection: string;
}

export class VenueBooks {
  private readonly keepers = new Set<Held>();
  /** symbol → the keeper whose book is shown and kept */
  private readonly owners = new Map<string, Held>();
  /** symbol → the state last told */
  private readonly states = new Map<string, BookState>();
  private readonly counterTable = new Map<string, BookCounters>();
  private readonly updates: Subject<BookRecord>;
  private pending: BookRecord[] = [];
  /** the venue's snapshot requests, one after another (see fetchSnapshot) */
  private gate: Promise<void> = Promise.resolve();
  private flushQueued = false;

  constructor(private readonly o: VenueBooksOptions) {
    this.updates = o.records ?? new Subject<BookRecord>();
  }

  get exchange(): ExchangeId {
    return this.o.venue.exchange;
  }

  get market(): Market {
    return this.o.venue.market;
  }

  /** every record kept from now on (built only while someone listens) */
  get records$(): Observable<BookRecord> {
    return this.updates.asObservable();
  }

  /** a connection carrying books: `resubscribe` asks its socket for a symbol's book again */
  open(connection: string, resubscribe: (symbol: string) => void): LinkBooks {
    const venue = this.o.venue;
    const held: Held = { connection, keeper: undefined as unknown as BookKeeper };
    held.keeper = new BookKeeper({
      venue,
      clock: this.o.clock,
      instruments: this.o.instruments(),
      fetchSnapshot: (nativeId) => this.fetchSnapshot(nativeId),
      resubscribe,
      onState: (symbol, state, reason) => this.onKeeperState(held, symbol, state, reason),
      counters: (symbol) => this.countersOf(symbol),
      onRecord: (record) => this.onRecord(held, record),
      ...(this.o.snapshotSpacingMs !== undefined ? { snapshotSpacingMs: this.o.snapshotSpacingMs } : {}),
      ...(this.o.retryMs !== undefined ? { retryMs: this.o.retryMs } : {}),
      ...(this.o.snapshotEveryMs !== undefined ? { snapshotEveryMs: this.o.snapshotEveryMs } : {}),
      ...(this.o.maxLevels !== undefined ? { maxLevels: this.o.maxLevels } : {}),
    });
    this.keepers.add(held);
    const parse = venue.createFrameParser(this.o.instruments());
    const scanBytes = venue.createByteScanner?.(this.o.instruments());
    return {
      mayBeBookFrame: (frame) => venue.mayBeBookFrame(frame),
      parse: (frame) => parse(typeof frame === 'string' ? frame : frame.toString('utf8')),
      ...(scanBytes !== undefined ? { scanBytes } : {}),
      take: (frames, receivedAt) => {
        for (const f of frames) held.keeper.onFrame(f, receivedAt);
      },
      drop: (symbols) => this.drop(held, symbols),
      close: (reason) => this.closeKeeper(held, reason),
    };
  }

  private drop(held: Held, symbols: readonly string[]): void {
    const gone: string[] = [];
    for (const symbol of symbols) {
      if (this.owners.get(symbol) === held) {
        const other = this.liveKeeper(symbol, held);
        if (other !== undefined) {
          this.owners.set(symbol, other);
          other.keeper.recordSnapshot(symbol);
        } else gone.push(symbol);
      }
    }
    // still the owner of what is gone: its resync record is kept
    held.keeper.remove(symbols, 'unsubscribed');
    for (const symbol of gone) {
      this.owners.delete(symbol);
      if ([...this.keepers].some((h) => h !== held && h.keeper.state(symbol) !== undefined)) {
        this.tell(symbol, 'resyncing', 'unsubscribed');
        continue;
      }
      // no socket holds it any more: not shown (subscribed again, it syncs afresh)
      this.o.onState?.(symbol, 'resyncing', 'unsubscribed');
      this.states.delete(symbol);
    }
    this.flush();
  }

  /** the shown book's top `depth` levels (undefined: no book of that symbol on any connection) */
  book(symbol: string, depth = this.o.depth): LiveBook | undefined {
    const state = this.states.get(symbol);
    if (state === undefined) return undefined;
    const owner = this.owners.get(symbol);
    const top = owner?.keeper.top(symbol, depth);
    const { exchange, market } = this;
    if (top === undefined || !top.live) return { exchange, market, symbol, bids: [], asks: [], timestamp: NaN, state, synced: false };
    const out: LiveBook = { exchange, market, symbol, bids: top.bids, asks: top.asks, timestamp: top.timestamp, state, synced: true };
    if (top.sequence !== undefined) out.sequence = top.sequence;
    return out;
  }

  counters(symbol: string): Readonly<BookCounters> | undefined {
    return this.counterTable.get(symbol);
  }

  /** one row per symbol with a book (metrics, status) */
  *rows(): IterableIterator<BookRow> {
    for (const [symbol, state] of this.states) {
      const owner = this.owners.get(symbol);
      const top = owner?.keeper.top(symbol, 1);
      const levels = owner?.keeper.levels(symbol);
      yield {
        symbol,
        state,
        counters: this.countersOf(symbol),
        timestamp: top?.live === true ? top.timestamp : NaN,
        bidLevels: top?.live === true ? (levels?.bids ?? 0) : 0,
        askLevels: top?.live === true ? (levels?.asks ?? 0) : 0,
      };
    }
  }

  /** the symbol left the collection (unsubscribed, delisted): its book is no longer shown */
  forget(symbol: string): void {
    this.owners.delete(symbol);
    this.states.delete(symbol);
  }

  close(): void {
    for (const held of [...this.keepers]) this.closeKeeper(held, 'stopped');
    this.flush();
    if (this.o.records === undefined) this.updates.complete();
  }

  private countersOf(symbol: string): BookCounters {
    let c = this.counterTable.get(symbol);
    if (c === undefined) this.counterTable.set(symbol, (c = newBookCounters()));
    return c;
  }

  /**
   * Snapshot requests of all the venue's connections go one at a time, spaced: after a reconnect
   * of many connections, their symbols' requests are staggered instead of fired at once into the
   * venue's rate limit (each still passes the venue's REST budget).
   */
  private fetchSnapshot(nativeId: string): Promise<unknown> {
    const run = this.gate.then(() => this.requestSnapshot(nativeId));
    const spacing = this.o.snapshotSpacingMs ?? DEFAULT_SNAPSHOT_SPACING_MS;
    this.gate = run.then(
      () => this.pause(spacing),
      () => this.pause(spacing),
    );
    return run;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => this.o.clock.setTimeout(resolve, ms));
  }

  private async requestSnapshot(nativeId: string): Promise<unknown> {
    const path = this.o.venue.snapshotPath?.(nativeId);
    if (path === undefined) throw new Error(`${this.exchange} ${this.market} serves no REST depth snapshot`);
    const res = await this.o.rest(this.o.restUrl + path);
    if (res.status >= 400) throw new Error(`depth snapshot ${nativeId}: HTTP ${res.status}`);
    return res.body;
  }

  private onKeeperState(held: Held, symbol: string, state: BookState, reason?: string): void {
    const owner = this.owners.get(symbol);
    if (state === 'live' && (owner === undefined || owner.keeper.state(symbol) !== 'live')) {
      this.owners.set(symbol, held);
    } else if (owner === held && state !== 'live') {
      // the shown book broke: another connection's consistent book of it takes over, from a snapshot
      const other = this.liveKeeper(symbol, held);
      if (other !== undefined) {
        this.owners.set(symbol, other);
        other.keeper.recordSnapshot(symbol);
      }
    }
    const shown = this.owners.get(symbol);
    let effective: BookState;
    if (shown !== undefined) effective = shown.keeper.state(symbol) ?? state;
    else {
      // a book that was consistent once and is being built again (a new connection) is resyncing
      const before = this.states.get(symbol);
      effective = state === 'syncing' && (before === 'live' || before === 'resyncing') ? 'resyncing' : state;
    }
    this.tell(symbol, effective, reason);
  }

  private tell(symbol: string, state: BookState, reason?: string): void {
    if (this.states.get(symbol) === state) return;
    this.states.set(symbol, state);
    this.o.onState?.(symbol, state, reason);
  }

  private liveKeeper(symbol: string, except: Held): Held | undefined {
    for (const h of this.keepers) if (h !== except && h.keeper.state(symbol) === 'live') return h;
    return undefined;
  }

  private closeKeeper(held: Held, reason: string): void {
    if (!this.keepers.delete(held)) return;
    held.keeper.close(reason, (symbol) => {
      if (this.owners.get(symbol) !== held) return true; // not the shown book: nothing of it was kept
      const other = this.liveKeeper(symbol, held);
      if (other === undefined) return false;
      this.owners.set(symbol, other);
      other.keeper.recordSnapshot(symbol);
      return true;
    });
    for (const symbol of held.keeper.symbols()) {
      if (this.owners.get(symbol) !== held) continue;
      this.owners.delete(symbol);
      // no other connection holds it now: the book is gone until a new connection syncs it
      const other = [...this.keepers].find((h) => h.keeper.state(symbol) !== undefined);
      const next = other?.keeper.state(symbol);
      if (next === 'live' && other !== undefined) this.owners.set(symbol, other);
      this.tell(symbol, next === 'live' ? 'live' : 'resyncing', reason);
    }
    this.flush();
  }

  private onRecord(held: Held, record: BookRecord): void {
    if (this.owners.get(record.symbol) !== held) return;
    if (this.o.sink === undefined && !this.updates.observed) return;
    this.pending.push(record);
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.pending.length === 0) return;
    const out = this.pending;
    this.pending = [];
    this.o.sink?.write(out);
    if (this.updates.observed) for (const r of out) this.updates.next(r);
  }
}
