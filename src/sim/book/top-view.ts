/**
 * What one subscription of N levels has been sent of a true book, and the delta that brings it up
 * to date: levels that changed or entered the top N are set, levels that left it are sent with size
 * 0 — how Bybit (`orderbook.N`) and OKX (`books`, 400 levels) keep a client's book exactly N deep.
 */
import type { TickLevel, TrueBook } from './true-book.js';

export class TopView {
  private bids = new Map<number, number>();
  private asks = new Map<number, number>();

  constructor(readonly depth: number) {}

  /** the whole top N now (a snapshot), and remember it */
  snapshot(book: TrueBook): { bids: TickLevel[]; asks: TickLevel[] } {
    const bids = book.sorted('bid').slice(0, this.depth);
    const asks = book.sorted('ask').slice(0, this.depth);
    this.bids = new Map(bids);
    this.asks = new Map(asks);
    return { bids, asks };
  }

  /** what changed in the top N since the last call (empty sides when nothing did) */
  delta(book: TrueBook): { bids: TickLevel[]; asks: TickLevel[] } {
    const bids = diffSide(this.bids, book.sorted('bid').slice(0, this.depth), true);
    const asks = diffSide(this.asks, book.sorted('ask').slice(0, this.depth), false);
    return { bids, asks };
  }
}

function diffSide(seen: Map<number, number>, now: readonly TickLevel[], descending: boolean): TickLevel[] {
  const out: TickLevel[] = [];
  const current = new Set<number>();
  for (const [t, l] of now) {
    current.add(t);
    if (seen.get(t) !== l) {
      out.push([t, l]);
      seen.set(t, l);
    }
  }
  for (const t of [...seen.keys()]) {
    if (!current.has(t)) {
      out.push([t, 0]);
      seen.delete(t);
    }
  }
  return out.sort(descending ? (x, y) => y[0] - x[0] : (x, y) => x[0] - y[0]);
}
