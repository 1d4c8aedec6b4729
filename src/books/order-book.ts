/**
 * One L2 order book: price levels per side, best first, kept sorted by price.
 *
 * A level keeps the wire texts of its price and size beside the numbers: OKX's checksum is computed
 * over the exchange's own strings ("0.10" and "0.1" differ there), and the size on the wire may be
 * contracts while `amount` is in base units. Sides are sorted arrays with binary search: books are
 * a few hundred levels deep and most updates land near the top, where an insert moves little.
 */
export interface BookLevel {
  price: number;
  /** base units (OKX swap: contracts × contract size) */
  amount: number;
  /** the price as the exchange wrote it */
  priceText: string;
  /** the size as the exchange wrote it (contracts on OKX swaps) */
  sizeText: string;
}

/** what one set() replaced, so a frame that fails its checksum can be undone */
export interface LevelChange {
  side: BookSide;
  price: number;
  before: BookLevel | undefined;
}

export class BookSide {
  readonly levels: BookLevel[] = [];

  /** bids: highest price first; asks: lowest first */
  constructor(readonly descending: boolean) {}

  /** the index of `price`, or where it would be inserted */
  private find(price: number): number {
    const levels = this.levels;
    let lo = 0;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = (levels[mid] as BookLevel).price;
      if (this.descending ? p > price : p < price) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** sets a level; an amount of 0 removes it. Returns what was there before. */
  set(level: BookLevel): BookLevel | undefined {
    const i = this.find(level.price);
    const at = this.levels[i];
    const here = at !== undefined && at.price === level.price ? at : undefined;
    if (level.amount === 0) {
      if (here !== undefined) this.levels.splice(i, 1);
    } else if (here !== undefined) this.levels[i] = level;
    else this.levels.splice(i, 0, level);
    return here;
  }

  /** puts `before` back at `price` (undefined: no level there) */
  restore(price: number, before: BookLevel | undefined): void {
    const i = this.find(price);
    const at = this.levels[i];
    const here = at !== undefined && at.price === price;
    if (before === undefined) {
      if (here) this.levels.splice(i, 1);
    } else if (here) this.levels[i] = before;
    else this.levels.splice(i, 0, before);
  }

  replace(levels: readonly BookLevel[]): void {
    this.levels.length = 0;
    for (const l of levels) if (l.amount !== 0) this.set(l);
  }

  top(n: number): BookLevel[] {
    return this.levels.slice(0, n);
  }
}

export class OrderBook {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
  /** exchange time of the last frame applied (ms) */
  timestamp = NaN;

  replace(bids: readonly BookLevel[], asks: readonly BookLevel[], timestamp: number): void {
    this.bids.replace(bids);
    this.asks.replace(asks);
    this.timestamp = timestamp;
  }

  /** applies levels and returns the changes made, newest last (see undo) */
  apply(bids: readonly BookLevel[], asks: readonly BookLevel[], timestamp: number, changes?: LevelChange[]): void {
    for (const l of bids) {
      const before = this.bids.set(l);
      changes?.push({ side: this.bids, price: l.price, before });
    }
    for (const l of asks) {
      const before = this.asks.set(l);
      changes?.push({ side: this.asks, price: l.price, before });
    }
    this.timestamp = timestamp;
  }

  /** takes back `changes` (newest first) and the timestamp they replaced */
  undo(changes: readonly LevelChange[], timestamp: number): void {
    for (let i = changes.length - 1; i >= 0; i--) {
      const c = changes[i] as LevelChange;
      c.side.restore(c.price, c.before);
    }
    this.timestamp = timestamp;
  }

  get empty(): boolean {
    return this.bids.levels.length === 0 && this.asks.levels.length === 0;
  }
}
