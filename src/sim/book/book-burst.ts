/**
 * A burst of book diffs for measuring book consumers: N diff events per symbol generated up front
 * from each symbol's true book (so the sending side spends nothing on the book while it sends),
 * then handed out round-robin over the symbols, as fast as the sockets take them.
 *
 * Generating moves the true books to their final state at once, but the events reach the clients
 * later; a REST depth request meanwhile must answer a book the client can sync to. So while the
 * burst runs, each book's REST answer is the book as of the last event handed out (its
 * lastUpdateId that event's u): before the first event that is the book just before the burst,
 * later a book the client's buffered events continue — as a real venue's snapshot is.
 * Pure apart from the books it is given (no I/O, no clock).
 */
import type { SimBook, BookSnapshot } from './sim-book.js';
import type { BookDiff, TickLevel } from './true-book.js';

/** one event as the venue's session renders it (`prevLastId`: the previous event's u, futures' pu) */
export interface BookBurstEvent<T> {
  target: T;
  diff: BookDiff;
  prevLastId: number;
}

export interface BookBurstOptions {
  /** diff events per symbol */
  eventsPerSymbol: number;
  /** level changes per event on average (default 10) */
  meanChanges?: number;
}

/** the book REST answers during the burst: the start's levels with the handed-out events applied */
class ServedBook {
  private readonly bids: Map<number, number>;
  private readonly asks: Map<number, number>;
  updateId: number;

  constructor(start: BookSnapshot) {
    this.bids = new Map(start.bids);
    this.asks = new Map(start.asks);
    this.updateId = start.updateId;
  }

  apply(diff: BookDiff): void {
    setAll(this.bids, diff.bids);
    setAll(this.asks, diff.asks);
    this.updateId = diff.lastId;
  }

  snapshot(): BookSnapshot {
    return {
      bids: [...this.bids].sort((x, y) => y[0] - x[0]),
      asks: [...this.asks].sort((x, y) => x[0] - y[0]),
      updateId: this.updateId,
    };
  }
}

function setAll(side: Map<number, number>, levels: readonly TickLevel[]): void {
  for (const [t, l] of levels) {
    if (l === 0) side.delete(t);
    else side.set(t, l);
  }
}

interface Lane<T> {
  target: T;
  book: SimBook;
  served: ServedBook;
  diffs: BookDiff[];
  next: number;
}

export class BookBurst<T> {
  private readonly lanes: Lane<T>[];
  private turn = 0;
  private remaining: number;
  private finished = false;
  /** level changes over every event of the burst (what a client applies in all) */
  readonly levelChanges: number;

  /** generates every event now; REST answers each book's start until events are taken */
  constructor(targets: ReadonlyArray<{ target: T; book: SimBook }>, options: BookBurstOptions) {
    const n = Math.max(0, Math.floor(options.eventsPerSymbol));
    this.lanes = targets.map(({ target, book }) => {
      const served = new ServedBook(book.snapshot());
      const diffs: BookDiff[] = [];
      for (let i = 0; i < n; i++) diffs.push(book.burstDiff(options.meanChanges ?? 10));
      book.served = served;
      return { target, book, served, diffs, next: 0 };
    });
    this.remaining = n * this.lanes.length;
    let changes = 0;
    for (const lane of this.lanes) for (const d of lane.diffs) changes += d.bids.length + d.asks.length;
    this.levelChanges = changes;
  }

  /** events not handed out yet */
  get left(): number {
    return this.remaining;
  }


  /**
   * The next `count` events, one symbol after another; each counts as handed to the sockets from
   * here on (REST answers it), so send them before anything else runs.
   */
  take(count: number): BookBurstEvent<T>[] {
    const out: BookBurstEvent<T>[] = [];
    const lanes = this.lanes;
    while (out.length < count && this.remaining > 0) {
      const lane = lanes[this.turn++ % lanes.length]!;
      if (lane.next >= lane.diffs.length) continue;
      const diff = lane.diffs[lane.next]!;
      // the diff is only needed until it is sent: let it go
      lane.diffs[lane.next++] = EMPTY;
      out.push({ target: lane.target, diff, prevLastId: lane.book.lastPushedId });
      lane.book.lastPushedId = diff.lastId;
      lane.served.apply(diff);
      this.remaining--;
    }
    return out;
  }

  /** the burst is over (or abandoned): REST answers the true books again */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const lane of this.lanes) if (lane.book.served === lane.served) lane.book.served = undefined;
  }
}

const EMPTY: BookDiff = Object.freeze({ firstId: 0, lastId: -1, bids: [], asks: [] }) as BookDiff;
