/**
 * One L2 order book: price levels per side, best first, kept sorted by price.
 *
 * A level on the wire becomes a `[price, amount]` tuple (amount in base units: OKX swap sizes are
 * contracts × contract size) — the very shape a BookRecord carries, so the record of an update can
 * take the frame's levels as they are. OKX's checksum is computed over the exchange's own strings
 * ("0.10" and "0.1" differ there, and its sizes are contracts), so its levels carry the wire texts
 * too (`[price, amount, priceText, sizeText]`) and its books keep them; no other venue needs them,
 * and not making those strings was a good part of a book update's cost.
 *
 * A side keeps its levels in parallel arrays of numbers (and texts where kept) rather than one
 * object per level: applying a level copies two numbers in, making no garbage. The arrays run from
 * the worst level to the best: books are hundreds of levels deep and most updates land near the
 * top, so with the best level last an insert or a removal moves only the few levels above it (best
 * first, each one moved the whole book). Levels are found by binary search.
 */
import type { BookLevelTuple } from '../records.js';

/** levels from the top looked at one by one before a binary search (see BookSide.find) */
const NEAR_TOP = 8;

/** elements moved one by one at most; a longer move is left to splice (see removeIndex) */
const FAR_MOVE = 32;

/**
 * Removes element `i` of `a` in place. Array.prototype.splice returns a new array of what it
 * removed, garbage on every level removed or inserted (most of a book update's level changes);
 * near the best level (the arrays' end), where most changes land, this moves only a few elements.
 */
function removeIndex<T>(a: T[], i: number): void {
  const last = a.length - 1;
  // deep in the book, splice's native move outruns a loop and its garbage is the lesser cost
  if (last - i > FAR_MOVE) a.splice(i, 1);
  else {
    for (let j = i; j < last; j++) a[j] = a[j + 1] as T;
    a.pop();
  }
}

/** inserts `v` at index `i` of `a` in place (at the end, a new best level: no move): see removeIndex */
function insertIndex<T>(a: T[], i: number, v: T): void {
  let j = a.length;
  if (i === j) {
    a.push(v);
    return;
  }
  if (j - i > FAR_MOVE) {
    a.splice(i, 0, v);
    return;
  }
  a.push(a[j - 1] as T);
  for (j--; j > i; j--) a[j] = a[j - 1] as T;
  a[i] = v;
}

/** a level as read off the wire: price, amount in base units, and (OKX) the price and size as the exchange wrote them */
export type BookLevel = [price: number, amount: number, priceText?: string, sizeText?: string];

/** what one set() replaced, so a frame that fails its checksum can be undone */
export interface LevelChange {
  side: BookSide;
  price: number;
  /** whether a level was at `price` before, and if so its amount and texts */
  had: boolean;
  amount: number;
  priceText: string | undefined;
  sizeText: string | undefined;
}

export class BookSide {
  /** prices, worst first and best last (see above) */
  readonly prices: number[] = [];
  /** amounts in base units, aligned with prices */
  readonly amounts: number[] = [];
  /** the wire texts, aligned with prices; only on a side that keeps them (OKX) */
  readonly priceTexts: string[] | undefined;
  readonly sizeTexts: string[] | undefined;

  /** bids: highest price best; asks: lowest best */
  constructor(
    readonly descending: boolean,
    keepTexts = false,
  ) {
    this.priceTexts = keepTexts ? [] : undefined;
    this.sizeTexts = keepTexts ? [] : undefined;
  }

  get length(): number {
    return this.prices.length;
  }

  /**
   * The index of `price` in the worst-to-best arrays, or where it would be inserted. Most updates
   * land near the top, which is the arrays' end: a few levels from there are looked at one by one
   * before a binary search of the rest.
   */
  private find(price: number): number {
    const prices = this.prices;
    const n = prices.length;
    const stop = n > NEAR_TOP ? n - NEAR_TOP : 0;
    let hi = stop;
    if (this.descending) {
      // bids: stored ascending
      for (let i = n - 1; i >= stop; i--) {
        const p = prices[i] as number;
        if (p <= price) return p === price ? i : i + 1;
      }
      let lo = 0;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((prices[mid] as number) < price) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }
    // asks: stored descending
    for (let i = n - 1; i >= stop; i--) {
      const p = prices[i] as number;
      if (p >= price) return p === price ? i : i + 1;
    }
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((prices[mid] as number) > price) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** sets a level of a side without texts, nothing recorded for undo (the common case, kept lean) */
  setAmount(price: number, amount: number): void {
    const i = this.find(price);
    const prices = this.prices;
    const here = i < prices.length && prices[i] === price;
    if (amount === 0) {
      if (here) {
        removeIndex(prices, i);
        removeIndex(this.amounts, i);
      }
    } else if (here) this.amounts[i] = amount;
    else {
      insertIndex(prices, i, price);
      insertIndex(this.amounts, i, amount);
    }
  }

  /** sets a level; an amount of 0 removes it. `changes` (when given) is told what was there before. */
  set(price: number, amount: number, priceText?: string, sizeText?: string, changes?: LevelChange[]): void {
    const i = this.find(price);
    const here = i < this.prices.length && this.prices[i] === price;
    if (changes !== undefined) {
      changes.push({
        side: this,
        price,
        had: here,
        amount: here ? (this.amounts[i] as number) : 0,
        priceText: here ? this.priceTexts?.[i] : undefined,
        sizeText: here ? this.sizeTexts?.[i] : undefined,
      });
    }
    if (amount === 0) {
      if (here) this.removeAt(i);
    } else if (here) {
      this.amounts[i] = amount;
      if (this.priceTexts !== undefined) {
        this.priceTexts[i] = priceText ?? String(price);
        (this.sizeTexts as string[])[i] = sizeText ?? String(amount);
      }
    } else this.insertAt(i, price, amount, priceText, sizeText);
  }

  /** takes back one set() */
  restore(c: LevelChange): void {
    const i = this.find(c.price);
    const here = i < this.prices.length && this.prices[i] === c.price;
    if (!c.had) {
      if (here) this.removeAt(i);
    } else if (here) {
      this.amounts[i] = c.amount;
      if (this.priceTexts !== undefined) {
        this.priceTexts[i] = c.priceText as string;
        (this.sizeTexts as string[])[i] = c.sizeText as string;
      }
    } else this.insertAt(i, c.price, c.amount, c.priceText, c.sizeText);
  }

  private removeAt(i: number): void {
    removeIndex(this.prices, i);
    removeIndex(this.amounts, i);
    if (this.priceTexts !== undefined) {
      removeIndex(this.priceTexts, i);
      removeIndex(this.sizeTexts as string[], i);
    }
  }

  private insertAt(i: number, price: number, amount: number, priceText: string | undefined, sizeText: string | undefined): void {
    insertIndex(this.prices, i, price);
    insertIndex(this.amounts, i, amount);
    if (this.priceTexts !== undefined) {
      insertIndex(this.priceTexts, i, priceText ?? String(price));
      insertIndex(this.sizeTexts as string[], i, sizeText ?? String(amount));
    }
  }

  replace(levels: readonly BookLevel[]): void {
    this.truncate(0);
    // venues list a whole book best first: from its end, each level is a new best, appended
    for (let k = levels.length - 1; k >= 0; k--) {
      const l = levels[k] as BookLevel;
      if (l[1] !== 0) this.set(l[0], l[1], l[2], l[3]);
    }
  }

  /** keeps the best `max` levels */
  truncate(max: number): void {
    const drop = this.prices.length - max;
    if (drop <= 0) return;
    // the worst levels are the arrays' front
    this.prices.splice(0, drop);
    this.amounts.splice(0, drop);
    this.priceTexts?.splice(0, drop);
    this.sizeTexts?.splice(0, drop);
  }

  /** the best `n` levels, best first, as fresh `[price, amount]` tuples */
  top(n: number): BookLevelTuple[] {
    const count = Math.min(n, this.prices.length);
    const last = this.prices.length - 1;
    const out: BookLevelTuple[] = new Array(count);
    for (let k = 0; k < count; k++) out[k] = [this.prices[last - k] as number, this.amounts[last - k] as number];
    return out;
  }

  /** the best `n` levels, best first, with their texts (where kept), to put back with replace() */
  levels(n = this.prices.length): BookLevel[] {
    const count = Math.min(n, this.prices.length);
    const last = this.prices.length - 1;
    const out: BookLevel[] = new Array(count);
    for (let k = 0; k < count; k++) {
      const i = last - k;
      out[k] = this.priceTexts === undefined
        ? [this.prices[i] as number, this.amounts[i] as number]
        : [this.prices[i] as number, this.amounts[i] as number, this.priceTexts[i] as string, (this.sizeTexts as string[])[i] as string];
    }
    return out;
  }
}

export class OrderBook {
  readonly bids: BookSide;
  readonly asks: BookSide;
  /** exchange time of the last frame applied (ms) */
  timestamp = NaN;

  /** `keepTexts`: keep each level's wire texts (OKX's checksum needs them) */
  constructor(keepTexts = false) {
    this.bids = new BookSide(true, keepTexts);
    this.asks = new BookSide(false, keepTexts);
  }

  replace(bids: readonly BookLevel[], asks: readonly BookLevel[], timestamp: number): void {
    this.bids.replace(bids);
    this.asks.replace(asks);
    this.timestamp = timestamp;
  }

  /** applies levels; `changes` (when given) gets what each replaced, newest last (see undo) */
  apply(bids: readonly BookLevel[], asks: readonly BookLevel[], timestamp: number, changes?: LevelChange[]): void {
    const b = this.bids;
    const a = this.asks;
    if (changes === undefined && b.priceTexts === undefined) {
      for (let i = 0; i < bids.length; i++) {
        const l = bids[i] as BookLevel;
        b.setAmount(l[0], l[1]);
      }
      for (let i = 0; i < asks.length; i++) {
        const l = asks[i] as BookLevel;
        a.setAmount(l[0], l[1]);
      }
      this.timestamp = timestamp;
      return;
    }
    for (let i = 0; i < bids.length; i++) {
      const l = bids[i] as BookLevel;
      b.set(l[0], l[1], l[2], l[3], changes);
    }
    for (let i = 0; i < asks.length; i++) {
      const l = asks[i] as BookLevel;
      a.set(l[0], l[1], l[2], l[3], changes);
    }
    this.timestamp = timestamp;
  }

  /** takes back `changes` (newest first) and the timestamp they replaced */
  undo(changes: readonly LevelChange[], timestamp: number): void {
    for (let i = changes.length - 1; i >= 0; i--) {
      const c = changes[i] as LevelChange;
      c.side.restore(c);
    }
    this.timestamp = timestamp;
  }

  get empty(): boolean {
    return this.bids.length === 0 && this.asks.length === 0;
  }
}
