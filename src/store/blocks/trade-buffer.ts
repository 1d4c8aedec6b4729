/**
 * A growable run of trade rows in one set of columns, for the writer's tail memo (block-store.ts
 * TailMemo): the rows of a symbol's unsealed tail blocks, appended batch by batch, read back as
 * views of any trailing run (no copy, no concatenation), and cut down after a compaction.
 *
 * One set of large arrays per symbol on purpose: keeping each batch's own columns instead (a few
 * dozen rows each, six typed arrays per part) left ~100k small ArrayBuffers alive under a burst,
 * and the garbage collector spent more on tracking them than the memo saved.
 */
import type { RowBuffer } from './row-kind.js';
import type { TradeColumns } from './columns.js';

const MIN_CAPACITY = 64;
/** below this capacity a buffer only grows when full: small growths cost little, and many symbols hold small tails */
const GROW_AHEAD_MIN_ROWS = 2_048;
/** bytes per row allocated: five float64 columns (four and the numeric ids) and the sides */
const ROW_BYTES = 41;

export class TradeRowBuffer implements RowBuffer<TradeColumns> {
  length = 0;
  private timestamps: Float64Array = new Float64Array(0);
  private localTimestamps: Float64Array = new Float64Array(0);
  private prices: Float64Array = new Float64Array(0);
  private amounts: Float64Array = new Float64Array(0);
  private sides: Uint8Array = new Uint8Array(0);
  /** numeric ids; a tail of string ids keeps them in `strings` instead */
  private numbers: Float64Array = new Float64Array(0);
  private strings: string[] = [];
  /** the id kind this buffer holds, fixed by its first rows */
  private kind: 'numeric' | 'string' | undefined;
  /** the most rows held since the last keepFrom: what the next cycle of appends is likely to need */
  private peak = 0;

  get bytes(): number {
    return this.timestamps.length * ROW_BYTES + this.strings.length * 8;
  }

  append(rows: TradeColumns): boolean {
    const n = rows.length;
    if (n === 0) return true;
    if (this.kind === undefined || this.length === 0) this.kind = rows.ids.kind;
    else if (rows.ids.kind !== this.kind) return false;
    this.reserve(this.length + n);
    const at = this.length;
    this.timestamps.set(rows.timestamps, at);
    this.localTimestamps.set(rows.localTimestamps, at);
    this.prices.set(rows.prices, at);
    this.amounts.set(rows.amounts, at);
    this.sides.set(rows.sides, at);
    if (rows.ids.kind === 'numeric') this.numbers.set(rows.ids.values, at);
    else for (let i = 0; i < n; i++) this.strings[at + i] = rows.ids.values[i] as string;
    this.length += n;
    if (this.length > this.peak) this.peak = this.length;
    return true;
  }

  view(start: number, end: number): TradeColumns {
    return {
      length: end - start,
      timestamps: this.timestamps.subarray(start, end),
      localTimestamps: this.localTimestamps.subarray(start, end),
      ids: this.kind === 'string' ? { kind: 'string', values: this.strings.slice(start, end) } : { kind: 'numeric', values: this.numbers.subarray(start, end) },
      prices: this.prices.subarray(start, end),
      amounts: this.amounts.subarray(start, end),
      sides: this.sides.subarray(start, end),
    };
  }

  keepFrom(start: number): void {
    const n = this.length - start;
    if (start > 0) {
      this.timestamps.copyWithin(0, start, this.length);
      this.localTimestamps.copyWithin(0, start, this.length);
      this.prices.copyWithin(0, start, this.length);
      this.amounts.copyWithin(0, start, this.length);
      this.sides.copyWithin(0, start, this.length);
      if (this.kind === 'string') this.strings = this.strings.slice(start, this.length);
      else this.numbers.copyWithin(0, start, this.length);
    }
    this.length = n;
    const peak = this.peak;
    this.peak = n;
    // A tail that was long once need not keep its memory, but one that is as long again by the next
    // compaction would only grow back through every doubling, each a new set of arrays zeroed and
    // copied: when keepFrom shrank to what was left, that was 2.4% of a burst's CPU, and every
    // symbol of an even stream grew in the same commit (a 100 ms stall at 50k trades/s over 50
    // symbols). So the capacity follows what the last cycle held, with a quarter to spare.
    const capacity = this.timestamps.length;
    if (capacity > MIN_CAPACITY && capacity > peak * 1.5) this.resize(Math.max(MIN_CAPACITY, n * 2, Math.ceil(peak * 1.25)));
  }

  /**
   * Symbols written at even rates fill their buffers in step, so every one of them doubled in the
   * same commit: fresh pages, touched for the first time, at a cost the copy alone does not explain
   * (docs/architecture.md, the tail). A large buffer three quarters full grows now if the batch's
   * budget allows; the others wait for a later batch, and they have a quarter of a buffer to fill first.
   */
  growAhead(budget: { growBytes?: number }): void {
    const capacity = this.timestamps.length;
    if (capacity < GROW_AHEAD_MIN_ROWS || this.length * 4 < capacity * 3 || !((budget.growBytes ?? 0) > 0)) return;
    this.resize(capacity * 2);
    budget.growBytes = (budget.growBytes as number) - capacity * 2 * ROW_BYTES;
  }

  private reserve(need: number): void {
    if (need > this.timestamps.length) this.resize(Math.max(need, this.timestamps.length * 2, MIN_CAPACITY));
  }

  private resize(capacity: number): void {
    const n = this.length;
    const f64 = (old: Float64Array): Float64Array => {
      const a = new Float64Array(capacity);
      a.set(old.subarray(0, n));
      return a;
    };
    this.timestamps = f64(this.timestamps);
    this.localTimestamps = f64(this.localTimestamps);
    this.prices = f64(this.prices);
    this.amounts = f64(this.amounts);
    const sides = new Uint8Array(capacity);
    sides.set(this.sides.subarray(0, n));
    this.sides = sides;
    this.numbers = f64(this.numbers);
  }
}
