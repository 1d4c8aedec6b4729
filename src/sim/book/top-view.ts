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

  /**
   * what changed in the top N since the last call (empty sides when nothing did). `touched`: every
   * level that changed in between, even back to where it was: those in the top N are sent too, at
   * their value now, as a venue's push names every level changed in its interval — so a client
   * whose REST snapshot was taken between two pushes still ends each push with the true book.
   */
  delta(book: TrueBook, touched?: { bids: readonly TickLevel[]; asks: readonly TickLevel[] }): { bids: TickLevel[]; asks: TickLevel[] } {
    const bids = diffSide(this.bids, book.sorted('bid').slice(0, this.depth), true, touched?.bids);
    const asks = diffSide(this.asks, book.sorted('ask').slice(0, this.depth), false, touched?.asks);
    return { bids, asks };
  }
}

function diffSide(seen: Map<number, number>, now: readonly TickLevel[], descending: boolean, touched?: readonly TickLevel[]): TickLevel[] {
  const out: TickLevel[] = [];
  const current = new Set<number>();
  const also = touched === undefined || touched.length === 0 ? undefined : new Set(touched.map(([t]) => t));
  for (const [t, l] of now) {
    current.add(t);
    if (seen.get(t) !== l || also?.has(t) === true) {
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
  // a level that came and went within the interval: a client whose snapshot fell in between holds it
  if (also !== undefined) for (const t of also) if (!current.has(t) && !out.some(([o]) => o === t)) out.push([t, 0]);
  return out.sort(descending ? (x, y) => y[0] - x[0] : (x, y) => x[0] - y[0]);
}
