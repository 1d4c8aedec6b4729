/**
 * The books of one connection on the live path: each symbol's BookSync fed with the venue's frames,
 * a REST snapshot fetched where the venue needs one (frames buffered meanwhile), and a resync when
 * the sequence breaks — never a silently wrong book. Snapshot requests go one at a time, spaced by
 * `snapshotSpacingMs`, so a reconnect of many symbols does not fire them all at once into the
 * venue's rate limit. Book updates stay here, on the data path; only state changes are reported
 * (the Coin actor's Syncing / Live / Resyncing). I/O (the snapshot request) and time are injected.
 */
import type { Instrument } from '../exchanges/types.js';
import type { Clock, TimerHandle } from '../time/clock.js';
import type { BookLevel } from './order-book.js';
import type { BookFrame, BookSync, BookVenue } from './types.js';

export type BookState = 'syncing' | 'live' | 'resyncing';

export interface BookCounters {
  resyncs: number;
  /** breaks found by sequence ids */
  sequenceGaps: number;
  checksumFailures: number;
  /** frames that arrived before the book could take them and were dropped past the buffer's limit */
  overflowed: number;
}

export interface BookKeeperOptions {
  venue: BookVenue;
  clock: Clock;
  /** the venue's listing (OKX swaps: contract sizes for snapshot amounts) */
  instruments?: readonly Instrument[];
  /** the venue's REST depth answer for a symbol (parsed JSON), through its shared REST budget */
  fetchSnapshot: (nativeId: string) => Promise<unknown>;
  /** a venue whose books start from its own WebSocket snapshot: subscribe the symbol again to get one */
  resubscribe?: (symbol: string) => void;
  /** told when a symbol's book changes state */
  onState?: (symbol: string, state: BookState, reason?: string) => void;
  /** between two snapshot requests (default 250 ms) */
  snapshotSpacingMs?: number;
  /** after a failed snapshot request (default 2 s) */
  retryMs?: number;
  /** frames kept per symbol while its snapshot is on its way (default 2,000: 200 s of 100 ms events) */
  maxBuffered?: number;
}

interface Entry {
  symbol: string;
  nativeId: string;
  sync: BookSync;
  state: BookState;
  buffer: BookFrame[];
  /** a snapshot request for this symbol is queued or in flight */
  requested: boolean;
  counters: BookCounters;
}

export class BookKeeper {
  private readonly entries = new Map<string, Entry>();
  private readonly queue: Entry[] = [];
  private busy = false;
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(private readonly o: BookKeeperOptions) {}

  /** one parsed book frame of this connection */
  onFrame(frame: BookFrame): void {
    if (this.closed) return;
    const e = this.entry(frame);
    if (e.state !== 'live' && this.o.venue.needsSnapshot && !e.sync.synced) {
      if (e.buffer.length >= (this.o.maxBuffered ?? 2000)) {
        // the snapshot is too late for what is buffered: start over from a fresher one
        e.buffer.length = 0;
        e.counters.overflowed++;
      }
      e.buffer.push(frame);
      this.request(e);
      return;
    }
    this.feed(e, frame);
  }

  state(symbol: string): BookState | undefined {
    return this.entries.get(symbol)?.state;
  }

  counters(symbol: string): Readonly<BookCounters> | undefined {
    return this.entries.get(symbol)?.counters;
  }

  /** the live top `depth` levels per side (undefined before the first consistent book) */
  top(symbol: string, depth: number): { bids: BookLevel[]; asks: BookLevel[]; timestamp: number; live: boolean } | undefined {
    const e = this.entries.get(symbol);
    if (e === undefined || !e.sync.synced) return undefined;
    return { bids: e.sync.book.bids.top(depth), asks: e.sync.book.asks.top(depth), timestamp: e.sync.book.timestamp, live: e.state === 'live' };
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  private entry(frame: BookFrame): Entry {
    let e = this.entries.get(frame.symbol);
    if (e === undefined) {
      e = {
        symbol: frame.symbol, nativeId: frame.nativeId, sync: this.o.venue.createSync(), state: 'syncing', buffer: [], requested: false,
        counters: { resyncs: 0, sequenceGaps: 0, checksumFailures: 0, overflowed: 0 },
      };
      this.entries.set(frame.symbol, e);
      this.o.onState?.(e.symbol, 'syncing');
    }
    return e;
  }

  private feed(e: Entry, frame: BookFrame): void {
    const outcome = e.sync.apply(frame);
    if (outcome.kind === 'broken') this.resync(e, outcome.reason);
    else if (outcome.kind === 'applied' && e.state !== 'live') this.setState(e, 'live');
  }

  private setState(e: Entry, state: BookState, reason?: string): void {
    if (e.state === state) return;
    e.state = state;
    this.o.onState?.(e.symbol, state, reason);
  }

  /** the book broke: drop it and build a new one (a snapshot from REST, or a resubscription) */
  private resync(e: Entry, reason: string): void {
    e.counters.resyncs++;
    if (reason.startsWith('checksum')) e.counters.checksumFailures++;
    else e.counters.sequenceGaps++;
    e.sync = this.o.venue.createSync();
    e.buffer.length = 0;
    this.setState(e, 'resyncing', reason);
    if (this.o.venue.needsSnapshot) this.request(e);
    else this.o.resubscribe?.(e.symbol);
  }

  private request(e: Entry): void {
    if (e.requested) return;
    e.requested = true;
    this.queue.push(e);
    this.pump();
  }

  /** one snapshot request at a time, spaced */
  private pump(): void {
    if (this.busy || this.timer !== undefined || this.closed) return;
    const e = this.queue.shift();
    if (e === undefined) return;
    this.busy = true;
    this.o.fetchSnapshot(e.nativeId).then(
      (body) => this.onSnapshot(e, body),
      () => this.onSnapshotFailed(e),
    ).finally(() => {
      this.busy = false;
      if (this.closed) return;
      this.timer = this.o.clock.setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, this.o.snapshotSpacingMs ?? 250);
    });
  }

  private onSnapshot(e: Entry, body: unknown): void {
    e.requested = false;
    if (this.closed) return;
    let snapshot: BookFrame;
    try {
      snapshot = this.o.venue.parseSnapshot(body, this.o.instruments, e.nativeId);
    } catch {
      this.onSnapshotFailed(e);
      return;
    }
    e.sync.seed(snapshot);
    const buffered = e.buffer.splice(0);
    for (const f of buffered) {
      const outcome = e.sync.apply(f);
      if (outcome.kind === 'broken') {
        // the snapshot is older than the first buffered event reaches back: fetch a newer one
        this.resync(e, outcome.reason);
        return;
      }
    }
    this.setState(e, 'live');
  }

  private onSnapshotFailed(e: Entry): void {
    e.requested = false;
    if (this.closed) return;
    this.o.clock.setTimeout(() => this.request(e), this.o.retryMs ?? 2000);
  }
}
