/**
 * How late committed trades reach the publisher: local time at hand-over minus the trade's exchange
 * time, as a high quantile of each of the last ten seconds, the lowest of them (graceMs). The window batcher holds a window open for
 * this long past its end (docs/cluster.md#data), so nearly every trade of a window is in it when
 * it goes out, whatever the venue's distance: a fixed grace was either latency spent for nothing
 * (loopback: trades arrive within a few ms) or too short (a venue 200 ms away: every window cut
 * twice, and two redundant nodes no longer cut the same batches). A trade later than the grace
 * still goes out, in a window of its own; the archive's id guard keeps one copy of each trade.
 *
 * Pure: times come in as arguments. Lateness past MAX_LATENESS_MS (a REST backfill, a store
 * republish) is not counted: no grace could cover it, and it must not hold every live window.
 */

/** lateness bins, in ms each */
const BIN_MS = 5;
/** lateness counted up to this; later trades are not counted */
export const MAX_LATENESS_MS = 2_000;
const BINS = MAX_LATENESS_MS / BIN_MS;
/** one bucket of counts per this much local time; the quantile reads the last BUCKETS of them */
const BUCKET_MS = 1_000;
const BUCKETS = 10;
/** a second with fewer trades than this says too little and is left out; with none left, the fallback holds */
const MIN_SAMPLES = 100;

export interface LatenessOptions {
  /** the quantile of lateness a window waits for (default 0.99) */
  quantile?: number;
  /** added to the quantile: a trade as late as the quantile's bin still makes it (default 10 ms) */
  marginMs?: number;
  /** the grace never goes under this (default 20 ms) */
  minMs?: number;
  /** the grace before enough trades were seen (default 100 ms) */
  fallbackMs?: number;
}

export class LatenessWindow {
  private readonly counts = new Uint32Array(BINS * BUCKETS);
  /** each bucket's index in local time (Math.floor(t / BUCKET_MS)), -1 while empty */
  private readonly bucketAt = new Float64Array(BUCKETS).fill(-1);
  private readonly quantile: number;
  private readonly marginMs: number;
  private readonly minMs: number;
  private readonly fallbackMs: number;

  constructor(options: LatenessOptions = {}) {
    this.quantile = options.quantile ?? 0.99;
    this.marginMs = options.marginMs ?? 10;
    this.minMs = options.minMs ?? 20;
    this.fallbackMs = options.fallbackMs ?? 100;
  }

  /** trades with exchange times `timestamps[0, length)` handed over at local time `now` */
  observe(now: number, timestamps: ArrayLike<number>, length: number): void {
    const base = this.bucket(now) * BINS;
    const counts = this.counts;
    for (let i = 0; i < length; i++) {
      const late = now - (timestamps[i] as number);
      if (late >= MAX_LATENESS_MS) continue;
      counts[base + (late > 0 ? Math.floor(late / BIN_MS) : 0)]!++;
    }
  }

  /**
   * how long past its end a window stays open at local time `now`, ms: the lowest of the recent
   * seconds' quantiles. A distance that lasts (a venue 200 ms away) is in every second and sets
   * it; lateness of our own making that passes (a backlog drained after a burst, a pause of the
   * process) is in some seconds only, and holding every window longer would not bring those
   * trades sooner: it would only add the same delay to all the others.
   */
  graceMs(now: number): number {
    const current = Math.floor(now / BUCKET_MS);
    let lowest = Number.POSITIVE_INFINITY;
    for (let b = 0; b < BUCKETS; b++) {
      const at = this.bucketAt[b] as number;
      if (at < 0 || current - at >= BUCKETS) continue;
      const q = this.bucketQuantileMs(b);
      if (q !== undefined && q < lowest) lowest = q;
    }
    return Number.isFinite(lowest) ? Math.max(this.minMs, lowest + this.marginMs) : this.fallbackMs;
  }

  /** the quantile of one second's lateness (the upper edge of its bin), or undefined: too few trades */
  private bucketQuantileMs(b: number): number | undefined {
    const counts = this.counts;
    const base = b * BINS;
    let total = 0;
    for (let k = 0; k < BINS; k++) total += counts[base + k] as number;
    if (total < MIN_SAMPLES) return undefined;
    const wanted = Math.ceil(total * this.quantile);
    let seen = 0;
    for (let k = 0; k < BINS; k++) {
      seen += counts[base + k] as number;
      if (seen >= wanted) return (k + 1) * BIN_MS;
    }
    return MAX_LATENESS_MS;
  }

  /** the bucket of local time `now`, emptied first when it last held an older second */
  private bucket(now: number): number {
    const at = Math.floor(now / BUCKET_MS);
    const b = at % BUCKETS;
    if (this.bucketAt[b] !== at) {
      this.counts.fill(0, b * BINS, (b + 1) * BINS);
      this.bucketAt[b] = at;
    }
    return b;
  }
}
