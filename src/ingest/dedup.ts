/**
 * Drops trades already seen, per (exchange, market, symbol, trade id), in bounded memory.
 *
 * Each symbol keeps a window of the last `windowPerSymbol` ids it admitted (a ring for eviction
 * order plus a Set for lookup). For canonical integer ids (Binance, Upbit, OKX) it also keeps the
 * high-water mark. With `floor` the largest id evicted so far:
 *   id > highWater            → new, no lookup needed (the common live case)
 *   floor < id ≤ highWater    → exact answer from the Set: every admitted id above floor is still in it
 *   id ≤ floor                → too old to know: admitted, and the store (same key → duplicate) decides
 * (the last two are the same Set lookup; floor only explains why its answer is exact)
 * String ids (Bybit UUIDs) have no order: the Set answers for the window, older ids are admitted
 * for the store to decide. So a REST-backfilled trade passes when the live stream never delivered
 * it and is dropped when it did, and an id outside the window can cost a store lookup, never a loss.
 */
import type { Trade } from '../records.js';
import { idPart } from '../store/keys.js';
import { SymbolTable } from './symbol-table.js';

export interface TradeDedupOptions {
  /** ids remembered per symbol (default 4096) */
  windowPerSymbol?: number;
}

/** A canonical non-negative integer id as a number, or -1: the store's key rule, so both agree on what is numeric. */
export function numericId(id: string): number {
  const part = idPart(id);
  return typeof part === 'number' ? part : -1;
}

const INITIAL_SLOTS = 16;

/**
 * One symbol's window: a ring of the last `capacity` admitted ids, numbers in a Float64Array (no
 * boxed number per id) and strings beside them, each slot holding one or the other.
 *
 * String ids are looked up in a Set kept in step with the ring. Numeric ids need a lookup only
 * at or under the high-water mark, which a live stream almost never sends; so their Set is built
 * from the ring on the first such lookup and kept in step only while lookups keep coming, then
 * dropped after `capacity` in-order ids. Keeping it always cost ~0.25 µs per trade in a hash
 * table of 4096 × symbols entries (twice that under a burst's cache pressure); rebuilding costs
 * at most one Set insert per admitted id, amortised. The answers are exactly the same.
 */
class SymbolWindow {
  /**
   * The ring grows by doubling up to capacity instead of being allocated whole: 5,000 quiet
   * symbols × 4096 slots × 8 bytes would be 160 MB before a single trade. Slots hold -1 when empty.
   */
  private numbers = new Float64Array(INITIAL_SLOTS).fill(-1);
  /** created with the first string id (most venues have none), always as long as `numbers` */
  private strings: (string | undefined)[] | undefined;
  /** numeric ids in the ring, when a lookup needed them lately */
  private seenNumbers: Set<number> | undefined;
  private readonly seenStrings = new Set<string>();
  private numberCount = 0;
  private head = 0;
  private highWater = -1;
  /** in-order numeric admits since the last lookup */
  private quiet = 0;

  constructor(private readonly capacity: number) {}

  admit(id: string): boolean {
    const n = numericId(id);
    if (n >= 0) {
      if (n > this.highWater) {
        this.highWater = n;
        if (this.seenNumbers !== undefined && ++this.quiet >= this.capacity) this.seenNumbers = undefined;
      } else {
        this.quiet = 0;
        const seen = (this.seenNumbers ??= this.indexNumbers());
        if (seen.has(n)) return false;
      }
      this.seenNumbers?.add(n);
      this.makeRoom();
      this.numbers[this.head] = n;
      this.numberCount++;
    } else {
      if (this.seenStrings.has(id)) return false;
      this.seenStrings.add(id);
      this.makeRoom();
      (this.strings ??= new Array<string | undefined>(this.numbers.length).fill(undefined))[this.head] = id;
    }
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    // (a numeric id ≤ floor, or a string id outside the window, is not known here: admitted)
    return true;
  }

  /** makes the slot at head free: grows the ring while it is short of capacity, else evicts the oldest id */
  private makeRoom(): void {
    const i = this.head;
    if (i === this.numbers.length) {
      // not wrapped yet (head only reaches length before the first wrap): double, keeping order
      const length = Math.min(this.capacity, i * 2);
      const numbers = new Float64Array(length).fill(-1);
      numbers.set(this.numbers);
      this.numbers = numbers;
      if (this.strings !== undefined) {
        const strings = new Array<string | undefined>(length).fill(undefined);
        for (let k = 0; k < i; k++) strings[k] = this.strings[k];
        this.strings = strings;
      }
      return;
    }
    const n = this.numbers[i] as number;
    if (n >= 0) {
      this.seenNumbers?.delete(n);
      this.numbers[i] = -1;
      this.numberCount--;
      return;
    }
    const s = this.strings?.[i];
    if (s !== undefined) {
      this.seenStrings.delete(s);
      (this.strings as (string | undefined)[])[i] = undefined;
    }
  }

  private indexNumbers(): Set<number> {
    const seen = new Set<number>();
    for (let i = 0; i < this.numbers.length; i++) {
      const n = this.numbers[i] as number;
      if (n >= 0) seen.add(n);
    }
    return seen;
  }

  get size(): number {
    return this.numberCount + this.seenStrings.size;
  }
}

export class TradeDedup {
  private readonly windows = new SymbolTable<SymbolWindow>();
  /** made once: a closure per admit() would be garbage per record */
  private readonly newWindow: () => SymbolWindow;

  constructor(options: TradeDedupOptions = {}) {
    const capacity = Math.max(1, options.windowPerSymbol ?? 4096);
    this.newWindow = () => new SymbolWindow(capacity);
  }

  /** true when the trade is new here (and is now remembered), false for a duplicate */
  admit(t: Trade): boolean {
    return this.windows.getOrCreate(t.exchange, t.market, t.symbol, this.newWindow).admit(t.id);
  }

  /** ids remembered across all symbols: bounded by symbols × windowPerSymbol */
  get tracked(): number {
    let n = 0;
    for (const [, , , w] of this.windows.entries()) n += w.size;
    return n;
  }
}
