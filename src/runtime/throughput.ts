/**
 * Records committed and the rate of it, from one meter: the `tickvisor run` status line and the
 * status page read this same object, so they cannot disagree. (They used to compute the rate
 * apart: the line from the committed delta since its own previous tick, 5 s apart off a
 * terminal; the page from a 10 s sliding window sampled each second. After the feed stopped, or
 * between bursts of backfill commits, the page still averaged earlier commits — "13 rec/s" —
 * while the line said 0.)
 */
import { RateMeter } from '../metrics/rate-meter.js';

export interface Throughput {
  /** ms since epoch of this reading */
  at: number;
  /** records committed to the store since start, all collectors */
  committed: number;
  /** committed per second over the last RATE_WINDOW_MS */
  recordsPerSecond: number;
}

/** short enough that a stopped feed reads 0 within a few seconds, long enough to smooth batching */
export const RATE_WINDOW_MS = 5_000;

export class ThroughputMeter {
  private readonly meter = new RateMeter(RATE_WINDOW_MS);
  private last: Throughput | undefined;

  /** `committed`: the current total; readings at the same instant return the same figures */
  read(now: number, committed: number): Throughput {
    if (this.last && this.last.at === now && this.last.committed === committed) return this.last;
    this.last = { at: now, committed, recordsPerSecond: this.meter.sample(now, committed) };
    return this.last;
  }
}
