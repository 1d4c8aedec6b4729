/**
 * The book floor: what a minimal correct client of Binance spot's diff depth stream does per event,
 * and nothing more. Levels live in two Maps keyed by the price text (the venue writes a level's
 * price the same way every time), sizes kept as texts; no sorting until someone asks for the top.
 * Sync by Binance's documented procedure: buffer events until the REST snapshot, drop u <= lastUpdateId,
 * the first applied event has U <= lastUpdateId+1 <= u, then each U is the previous u + 1; a break
 * drops the book and asks for a new snapshot. Pure: events and snapshots in, counters out.
 */
import type { TopBook } from './book-compare.js';

/** a `depthUpdate` as JSON.parse gives it (the fields read) */
export interface DepthEvent {
  U: number;
  u: number;
  b: [string, string][];
  a: [string, string][];
}

/** a REST `/api/v3/depth` answer (the fields read) */
export interface DepthSnapshot {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
}

/** events held per symbol while the snapshot is on its way (bounded: older ones make way) */
const MAX_BUFFERED = 10_000;

export class FloorBook {
  private bids = new Map<string, string>();
  private asks = new Map<string, string>();
  /** u of the last applied event (the snapshot's lastUpdateId before the first); -1: no snapshot */
  private lastId = -1;
  /** the first event after the snapshot is not applied yet (its rule differs) */
  private first = true;
  private buffer: DepthEvent[] = [];
  /** events applied to the book since creation */
  applied = 0;
  resyncs = 0;

  /** true when a snapshot is needed (none yet, or the sequence broke): the caller fetches one */
  get needsSnapshot(): boolean {
    return this.lastId < 0;
  }

  get synced(): boolean {
    return this.lastId >= 0;
  }

  /** one event; false when it broke the sequence (the book is dropped: fetch a snapshot) */
  onEvent(e: DepthEvent): boolean {
    if (this.lastId < 0) {
      if (this.buffer.length >= MAX_BUFFERED) this.buffer.shift();
      this.buffer.push(e);
      return true;
    }
    return this.feed(e);
  }

  /** the REST snapshot, then what was buffered; false when the buffer does not continue it */
  seed(s: DepthSnapshot): boolean {
    this.bids = new Map();
    this.asks = new Map();
    setAll(this.bids, s.bids);
    setAll(this.asks, s.asks);
    this.lastId = s.lastUpdateId;
    this.first = true;
    const buffered = this.buffer;
    this.buffer = [];
    for (const e of buffered) if (!this.feed(e)) return false;
    return true;
  }

  private feed(e: DepthEvent): boolean {
    if (e.u <= this.lastId) return true;
    const fits = this.first ? e.U <= this.lastId + 1 : e.U === this.lastId + 1;
    if (!fits) {
      this.lastId = -1;
      this.buffer = [e];
      this.resyncs++;
      return false;
    }
    setAll(this.bids, e.b);
    setAll(this.asks, e.a);
    this.lastId = e.u;
    this.first = false;
    this.applied++;
    return true;
  }

  /** the top `depth` levels per side, numbers, best first (null before a snapshot) */
  top(depth: number): TopBook | null {
    if (this.lastId < 0) return null;
    const side = (m: Map<string, string>, desc: boolean): [number, number][] =>
      [...m].map(([p, q]): [number, number] => [Number(p), Number(q)]).sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0])).slice(0, depth);
    return { bids: side(this.bids, true), asks: side(this.asks, false) };
  }
}

function setAll(side: Map<string, string>, levels: readonly [string, string][]): void {
  for (const [p, q] of levels) {
    if (+q === 0) side.delete(p);
    else side.set(p, q);
  }
}
