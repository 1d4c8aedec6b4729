/**
 * Per-second rate of a monotonic total, over a sliding window of samples.
 *
 * Samples come whenever someone reads (a Prometheus scrape, the status page's 1 s tick), so the
 * spacing is irregular: the rate is taken between the newest sample and the oldest one still
 * inside the window (keeping one just outside it), which smooths bursts without going stale.
 */
export class RateMeter {
  private readonly times: number[] = [];
  private readonly values: number[] = [];

  constructor(private readonly windowMs = 10_000) {}

  /** Adds a sample (`now` in ms) and returns the rate per second; 0 until two samples span time. */
  sample(now: number, total: number): number {
    const last = this.times.length - 1;
    if (last >= 0 && now <= this.times[last]!) {
      // same instant (or a clock stepping back): replace instead of dividing by zero
      this.values[last] = total;
    } else {
      this.times.push(now);
      this.values.push(total);
    }
    // drop samples older than the window, but keep one at or beyond its edge as the reference
    while (this.times.length > 2 && now - this.times[1]! >= this.windowMs) {
      this.times.shift();
      this.values.shift();
    }
    return this.rate();
  }

  rate(): number {
    const n = this.times.length;
    if (n < 2) return 0;
    const dt = this.times[n - 1]! - this.times[0]!;
    const dv = this.values[n - 1]! - this.values[0]!;
    return dt > 0 && dv > 0 ? (dv * 1000) / dt : 0;
  }
}
