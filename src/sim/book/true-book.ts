/**
 * The simulator's true order book of one symbol: the book every collector's copy is compared with.
 * Prices are whole ticks and sizes whole lots (integers), so the wire texts are exact decimals and
 * a client that parses them rebuilds these very numbers. Every change gets the next update id; the
 * changes since the last push are kept (latest size per level) for the venue's diff frame.
 * Pure apart from the injected PRNG (docs/architecture.md#order-books).
 */
import type { Prng } from '../../prng.js';

export type BookSideName = 'bid' | 'ask';

/** [price ticks, size lots]; lots 0 = the level was removed */
export type TickLevel = [number, number];

export interface BookDiff {
  /** the update id of the first change in this diff (Binance U) */
  firstId: number;
  /** the update id of the last change (Binance u); equals firstId - 1 for an empty diff */
  lastId: number;
  bids: TickLevel[];
  asks: TickLevel[];
}

export interface TrueBookOptions {
  /** levels per side kept around the mid */
  depth: number;
  /** distance in ticks between neighbouring levels */
  spacing?: number;
  /** largest size of a level, in lots */
  maxLots?: number;
}

export class TrueBook {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  /** the last update id given out */
  updateId = 0;
  private changedBids = new Map<number, number>();
  private changedAsks = new Map<number, number>();
  private diffFirst = 1;
  private readonly spacing: number;
  private readonly maxLots: number;

  constructor(private readonly prng: Prng, midTicks: number, private readonly options: TrueBookOptions) {
    this.spacing = options.spacing ?? 1;
    this.maxLots = options.maxLots ?? 10_000;
    this.recentre(midTicks);
    this.takeDiff(); // the initial fill is the snapshot, not an update
  }

  private set(side: BookSideName, ticks: number, lots: number): void {
    const levels = side === 'bid' ? this.bids : this.asks;
    if (lots <= 0) {
      if (!levels.has(ticks)) return;
      levels.delete(ticks);
    } else {
      if (levels.get(ticks) === lots) return;
      levels.set(ticks, lots);
    }
    this.updateId++;
    (side === 'bid' ? this.changedBids : this.changedAsks).set(ticks, Math.max(lots, 0));
  }

  private lots(): number {
    return 1 + this.prng.int(this.maxLots);
  }

  /**
   * Moves the book to a new mid: levels that would cross it go, missing levels within `depth`
   * of it are filled, levels beyond it are dropped (books are kept `depth` deep).
   */
  recentre(midTicks: number): void {
    const s = this.spacing;
    const bestBid = Math.floor((midTicks - 1) / s) * s;
    const bestAsk = bestBid + s;
    for (const t of [...this.bids.keys()]) if (t > bestBid || t <= bestBid - this.options.depth * s) this.set('bid', t, 0);
    for (const t of [...this.asks.keys()]) if (t < bestAsk || t >= bestAsk + this.options.depth * s) this.set('ask', t, 0);
    for (let k = 0; k < this.options.depth; k++) {
      const b = bestBid - k * s;
      const a = bestAsk + k * s;
      if (b > 0 && !this.bids.has(b)) this.set('bid', b, this.lots());
      if (!this.asks.has(a)) this.set('ask', a, this.lots());
    }
  }

  /** `count` random size changes near the top (where books change most), some of them removals */
  churn(count: number): void {
    for (let i = 0; i < count; i++) {
      const side: BookSideName = this.prng.next() < 0.5 ? 'bid' : 'ask';
      const levels = this.sorted(side);
      if (levels.length === 0) continue;
      // squared draw: most changes hit the first levels
      const r = this.prng.next();
      const at = levels[Math.floor(r * r * levels.length)] as TickLevel;
      this.set(side, at[0], this.prng.next() < 0.1 ? 0 : this.lots());
    }
  }

  /**
   * `count` random size changes (a tenth of them removals) within `depth` levels of a mid that
   * stays put, drawn like churn()'s (squared: most near the top) but by position rather than from
   * the sorted levels: a missing level at the drawn position is added back. No sorting, so a burst
   * of many thousands of events is cheap to generate; the book stays at most `depth` deep.
   */
  churnAround(count: number, midTicks: number): void {
    const s = this.spacing;
    const bestBid = Math.floor((midTicks - 1) / s) * s;
    const bestAsk = bestBid + s;
    for (let i = 0; i < count; i++) {
      const side: BookSideName = this.prng.next() < 0.5 ? 'bid' : 'ask';
      const r = this.prng.next();
      const k = Math.floor(r * r * this.options.depth);
      const ticks = side === 'bid' ? bestBid - k * s : bestAsk + k * s;
      const lots = this.prng.next() < 0.1 ? 0 : this.lots();
      if (ticks > 0) this.set(side, ticks, lots);
    }
  }

  /** a trade of `lots` taking liquidity from `side` (a buy takes asks), best level first */
  take(side: BookSideName, lots: number): void {
    let left = lots;
    for (const [ticks, size] of this.sorted(side)) {
      if (left <= 0) break;
      const used = Math.min(size, left);
      this.set(side, ticks, size - used);
      left -= used;
    }
  }

  /** levels of a side, best first */
  sorted(side: BookSideName): TickLevel[] {
    const out = [...(side === 'bid' ? this.bids : this.asks)];
    return out.sort(side === 'bid' ? (x, y) => y[0] - x[0] : (x, y) => x[0] - y[0]);
  }

  /** the changes since the last call, as one diff; ids are contiguous across calls */
  takeDiff(): BookDiff {
    const diff: BookDiff = {
      firstId: this.diffFirst,
      lastId: this.updateId,
      bids: [...this.changedBids].sort((x, y) => y[0] - x[0]),
      asks: [...this.changedAsks].sort((x, y) => x[0] - y[0]),
    };
    this.changedBids = new Map();
    this.changedAsks = new Map();
    this.diffFirst = this.updateId + 1;
    return diff;
  }
}
