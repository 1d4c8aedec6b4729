/**
 * A burst of book diffs for measuring book consumers: N diff events per symbol generated up front
 * from each symbol's true book, in the order they will be sent (one symbol after another), so the
 * sending side spends nothing on the books while it sends.
 *
 * Generating moves the true books to their final state at once, but the events reach the clients
 * later; a REST depth request meanwhile must answer a book the client can sync to. So from the
 * moment the burst is generated until it is finished, each book's REST answer is the book as of
 * the last event handed to the sockets (lastUpdateId: that event's u): before the first one the book
 * just before the burst, later a book that the client's buffered events continue, as a real venue's
 * snapshot is. That answer is built only when asked for (nothing per event on the send path).
 * Pure apart from the books it is given (no I/O, no clock).
 */
import type { SimBook, BookSnapshot } from './sim-book.js';
import type { BookDiff, TickLevel } from './true-book.js';

/** one event, as the venue's session renders it (`prevLastId`: the previous event's u, futures' pu) */
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

interface Lane {
  book: SimBook;
  served?: ServedBook;
  diffs: BookDiff[];
  /** diffs handed to the sockets so far */
  handed: number;
}

/** the book REST answers during the burst: the start's levels with the handed-out events applied, lazily */
class ServedBook {
  private readonly bids: Map<number, number>;
  private readonly asks: Map<number, number>;
  private updateId: number;
  private applied = 0;

  constructor(start: BookSnapshot, private readonly lane: Lane) {
    this.bids = new Map(start.bids);
    this.asks = new Map(start.asks);
    this.updateId = start.updateId;
  }

  snapshot(): BookSnapshot {
    const lane = this.lane;
    for (; this.applied < lane.handed; this.applied++) {
      const diff = lane.diffs[this.applied]!;
      setAll(this.bids, diff.bids);
      setAll(this.asks, diff.asks);
      this.updateId = diff.lastId;
    }
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

export class BookBurst<T> {
  /** every event in send order: round-robin over the symbols */
  readonly events: ReadonlyArray<BookBurstEvent<T>>;
  /** level changes over every event (what a client applies in all) */
  readonly levelChanges: number;
  private readonly lanes: Lane[];
  /** the lane of each event */
  private readonly laneOf: Uint32Array;
  private handed = 0;
  private finished = false;

  /** generates every event now; REST answers each book's start until events are handed out */
  constructor(targets: ReadonlyArray<{ target: T; book: SimBook }>, options: BookBurstOptions) {
    const n = Math.max(0, Math.floor(options.eventsPerSymbol));
    let changes = 0;
    this.lanes = targets.map(({ book }) => {
      const start = book.snapshot();
      const diffs: BookDiff[] = [];
      for (let i = 0; i < n; i++) {
        const d = book.burstDiff(options.meanChanges ?? 10);
        changes += d.bids.length + d.asks.length;
        diffs.push(d);
      }
      const lane: Lane = { book, diffs, handed: 0 };
      lane.served = new ServedBook(start, lane);
      book.served = lane.served;
      return lane;
    });
    this.levelChanges = changes;
    const events: BookBurstEvent<T>[] = [];
    this.laneOf = new Uint32Array(n * this.lanes.length);
    const prev = this.lanes.map((l) => l.book.lastPushedId);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < this.lanes.length; k++) {
        const diff = this.lanes[k]!.diffs[i]!;
        this.laneOf[events.length] = k;
        events.push({ target: targets[k]!.target, diff, prevLastId: prev[k]! });
        prev[k] = diff.lastId;
      }
    }
    this.events = events;
  }

  /** events not handed out yet */
  get left(): number {
    return this.events.length - this.handed;
  }

  /**
   * The next `count` events count as handed to the sockets (REST answers them from now on): hand
   * them out right after they are written. Returns their range in `events`.
   */
  handOut(count: number): { from: number; to: number } {
    const from = this.handed;
    const to = Math.min(this.events.length, from + Math.max(0, count));
    for (let i = from; i < to; i++) {
      const lane = this.lanes[this.laneOf[i]!]!;
      lane.handed++;
      lane.book.lastPushedId = this.events[i]!.diff.lastId;
    }
    this.handed = to;
    return { from, to };
  }

  /** the burst is over (or abandoned): REST answers the true books again */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const lane of this.lanes) if (lane.book.served === lane.served) lane.book.served = undefined;
  }
}
