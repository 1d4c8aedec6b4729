/**
 * The numeric runs of one dedup window (dedup.ts), sorted by first id, for the lookups an
 * out-of-order or backfilled id needs. Runs are disjoint (an id is admitted at most once while
 * remembered), so the run that may hold `n` is the last one starting at or before it.
 * Kept as two plain arrays: a window holds at most a few thousand runs, and inserting by splice
 * there is cheaper than any tree.
 */
export class RunIndex {
  private readonly firsts: number[] = [];
  private readonly lasts: number[] = [];

  /** the index of a ring: `starts` (−1 for a free or string slot) and each run's extra ids */
  static from(starts: Float64Array, spans: Uint32Array | undefined): RunIndex {
    const order: number[] = [];
    for (let i = 0; i < starts.length; i++) if ((starts[i] as number) >= 0) order.push(i);
    order.sort((a, b) => (starts[a] as number) - (starts[b] as number));
    const index = new RunIndex();
    for (const i of order) {
      const first = starts[i] as number;
      index.firsts.push(first);
      index.lasts.push(first + (spans?.[i] ?? 0));
    }
    return index;
  }

  get size(): number {
    return this.firsts.length;
  }

  has(n: number): boolean {
    const k = this.lastAtOrBefore(n);
    return k >= 0 && n <= (this.lasts[k] as number);
  }

  insert(first: number, last: number): void {
    const k = this.lastAtOrBefore(first) + 1;
    this.firsts.splice(k, 0, first);
    this.lasts.splice(k, 0, last);
  }

  /** the run starting at `first` now ends at `last` */
  extend(first: number, last: number): void {
    const k = this.lastAtOrBefore(first);
    if (k >= 0 && this.firsts[k] === first) this.lasts[k] = last;
  }

  remove(first: number): void {
    const k = this.lastAtOrBefore(first);
    if (k >= 0 && this.firsts[k] === first) {
      this.firsts.splice(k, 1);
      this.lasts.splice(k, 1);
    }
  }

  /** the position of the last run starting at or before n, −1 when none does */
  private lastAtOrBefore(n: number): number {
    let lo = 0;
    let hi = this.firsts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.firsts[mid] as number) <= n) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
