/**
 * Drops trades already seen, per (exchange, market, symbol, trade id), in bounded memory.
 *
 * Each symbol keeps a window of the last `windowPerSymbol` entries it admitted (a ring for
 * eviction order). A numeric entry is a run of consecutive ids: Binance's ids count up by one per
 * symbol, so a live stream is one run however long it gets, where a ring of single ids grew to
 * 32 KB per symbol (160 MB at 5,000 symbols) and forgot everything older than 4,096 trades.
 * For canonical integer ids (Binance, Upbit, OKX) it also keeps the high-water mark. With
 * `floor` the largest id evicted so far:
 *   id > highWater            → new, no lookup needed (the common live case)
 *   floor < id ≤ highWater    → exact answer from the runs: every admitted id above floor is in one
 *   id ≤ floor                → too old to know: admitted, and the store (same key → duplicate) decides
 * String ids (Bybit UUIDs) have no order: a Set answers for the window, older ids are admitted
 * for the store to decide. So a REST-backfilled trade passes when the live stream never delivered
 * it and is dropped when it did, and an id outside the window can cost a store lookup, never a loss.
 * Remembering more than the last N ids is safe: an admitted trade is never dropped later in the
 * pipeline (it is stored or the process dies, and a new process starts with an empty window).
 */
import type { Trade } from '../records.js';
import { idPart } from '../store/keys.js';
import { SymbolTable } from './symbol-table.js';
import { RunIndex } from './run-index.js';

export interface TradeDedupOptions {
  /** entries remembered per symbol (default 4096): single ids, or runs of consecutive numeric ids */
  windowPerSymbol?: number;
}

/** A canonical non-negative integer id as a number, or -1: the store's key rule, so both agree on what is numeric. */
export function numericId(id: string): number {
  const part = idPart(id);
  return typeof part === 'number' ? part : -1;
}

/**
 * A live stream's window is one run (one slot) for as long as it stays in order, and most of a
 * large collector's symbols are such: two slots keep both typed arrays small enough for V8 to hold
 * them inside the heap (no ArrayBuffer object and malloc'ed store each), ~450 bytes a symbol less
 * than sixteen did (docs/architecture.md#memory).
 */
const INITIAL_SLOTS = 2;
/** a run's length is kept in a Uint32Array slot */
const MAX_SPAN = 0xffff_fffe;

/**
 * One symbol's window: a ring of the last `capacity` admitted entries, numeric runs as (first id,
 * extra ids) in typed arrays (no boxed number per id) and string ids beside them, each slot holding
 * one or the other.
 *
 * String ids are looked up in a Set kept in step with the ring. Numeric ids need a lookup only at
 * or under the high-water mark, which a live stream almost never sends; so their sorted index
 * (run-index.ts) is built from the ring on the first such lookup and kept in step only while
 * lookups keep coming, then dropped after `capacity` in-order ids. Keeping one always cost
 * ~0.25 µs per trade; rebuilding costs one sort of the ring's entries, amortised.
 */
class SymbolWindow {
  /**
   * The ring grows by doubling up to capacity instead of being allocated whole: 5,000 quiet
   * symbols × 4096 slots × 8 bytes would be 160 MB before a single trade. Slots hold -1 when empty.
   */
  private starts = new Float64Array(INITIAL_SLOTS).fill(-1);
  /** ids after the start of each numeric run; created with the first run (non-dense ids never need it) */
  private spans: Uint32Array | undefined;
  /** created with the first string id (most venues have none), always as long as `starts` */
  private strings: (string | undefined)[] | undefined;
  /** the numeric runs sorted, while lookups need them */
  private index: RunIndex | undefined;
  /** created with the first string id, like `strings` */
  private seenStrings: Set<string> | undefined;
  /** numeric ids covered by the runs */
  private numberCount = 0;
  private entryCount = 0;
  private head = 0;
  /** the slot of the newest entry when it is numeric (a run the next id may extend), else -1 */
  private newest = -1;
  /**
   * the slot of the numeric entry made before the newest, else -1: a second run the next id may
   * extend. The live stream and a REST backfill arrive interleaved, each in order; with one run to
   * extend, every switch between them began a new entry, and every backfilled id below the
   * high-water mark took one of its own: a long backfill filled the window towards its 4,096 slots
   * (48 KB a symbol) and pushed the live stream's older ids out of it
   */
  private other = -1;
  private highWater = -1;
  /** in-order numeric admits since the last lookup */
  private quiet = 0;

  constructor(private readonly capacity: number) {}

  admit(id: string): boolean {
    const n = numericId(id);
    if (n >= 0) {
      if (n > this.highWater) {
        this.highWater = n;
        if (this.index !== undefined && ++this.quiet >= this.capacity) this.index = undefined;
        if (this.extendNewest(n)) return true;
      } else {
        this.quiet = 0;
        const index = (this.index ??= RunIndex.from(this.starts, this.spans));
        if (index.has(n)) return false;
        if (this.extendNewest(n)) return true;
      }
      this.makeRoom();
      this.starts[this.head] = n;
      if (this.spans !== undefined) this.spans[this.head] = 0;
      this.index?.insert(n, n);
      this.numberCount++;
      if (this.newest !== this.head) this.other = this.newest;
      this.newest = this.head;
    } else {
      const seen = (this.seenStrings ??= new Set<string>());
      if (seen.has(id)) return false;
      seen.add(id);
      this.makeRoom();
      (this.strings ??= new Array<string | undefined>(this.starts.length).fill(undefined))[this.head] = id;
      this.newest = -1;
      this.other = -1;
    }
    this.entryCount++;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    // (a numeric id ≤ floor, or a string id outside the window, is not known here: admitted)
    return true;
  }

  /**
   * The next id after the newest run, or after the run before it, joins that run: a live stream
   * costs no slot per trade, nor does a backfill interleaved with it (see `other`). Only for an id
   * not seen (above the high-water mark, or not in any run).
   */
  private extendNewest(n: number): boolean {
    return this.extend(this.newest, n) || this.extend(this.other, n);
  }

  private extend(slot: number, n: number): boolean {
    if (slot < 0) return false;
    const start = this.starts[slot] as number;
    if (start < 0) return false;
    const span = this.spans?.[slot] ?? 0;
    if (start + span + 1 !== n || span >= MAX_SPAN) return false;
    (this.spans ??= new Uint32Array(this.starts.length))[slot] = span + 1;
    this.index?.extend(start, n);
    this.numberCount++;
    return true;
  }

  /** makes the slot at head free: grows the ring while it is short of capacity, else evicts the oldest entry */
  private makeRoom(): void {
    const i = this.head;
    if (i === this.starts.length) {
      // not wrapped yet (head only reaches length before the first wrap): double, keeping order
      const length = Math.min(this.capacity, i * 2);
      const starts = new Float64Array(length).fill(-1);
      starts.set(this.starts);
      this.starts = starts;
      if (this.spans !== undefined) {
        const spans = new Uint32Array(length);
        spans.set(this.spans);
        this.spans = spans;
      }
      if (this.strings !== undefined) {
        const strings = new Array<string | undefined>(length).fill(undefined);
        for (let k = 0; k < i; k++) strings[k] = this.strings[k];
        this.strings = strings;
      }
      return;
    }
    if (i === this.newest) this.newest = -1;
    if (i === this.other) this.other = -1;
    const start = this.starts[i] as number;
    if (start >= 0) {
      this.index?.remove(start);
      this.numberCount -= (this.spans?.[i] ?? 0) + 1;
      this.starts[i] = -1;
      if (this.spans !== undefined) this.spans[i] = 0;
      this.entryCount--;
      return;
    }
    const s = this.strings?.[i];
    if (s !== undefined) {
      this.seenStrings?.delete(s);
      (this.strings as (string | undefined)[])[i] = undefined;
      this.entryCount--;
    }
  }

  /** ids remembered (a run counts every id in it) */
  get size(): number {
    return this.numberCount + (this.seenStrings?.size ?? 0);
  }

  /** entries held: what the memory is proportional to, at most the capacity */
  get entries(): number {
    return this.entryCount;
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

  /** ids remembered across all symbols (a run of consecutive ids counts each of them) */
  get tracked(): number {
    let n = 0;
    for (const [, , , w] of this.windows.entries()) n += w.size;
    return n;
  }

  /** entries held across all symbols, what memory grows with: bounded by symbols × windowPerSymbol */
  get entries(): number {
    let n = 0;
    for (const [, , , w] of this.windows.entries()) n += w.entries;
    return n;
  }
}
