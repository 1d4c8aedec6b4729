/**
 * Latency samples from a start (the exchange's timestamp) to an end (stored, archived), split at a
 * point between them (the frame's arrival at the collector): the whole and each leg, in SampleLogs.
 * Every consumer child that reports latency keeps its samples here.
 */
import { quantiles } from './quantiles.js';
import { SampleLog } from './sample-log.js';

export interface LegQuantiles {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class SplitLatency {
  private readonly whole = new SampleLog();
  private readonly first = new SampleLog();
  private readonly second = new SampleLog();

  push(start: number, mid: number, end: number): void {
    this.whole.push(end - start);
    this.first.push(mid - start);
    this.second.push(end - mid);
  }

  /** the whole's sample count and quantiles, and each leg's */
  result(): { whole: ReturnType<typeof quantiles>; first: LegQuantiles; second: LegQuantiles } {
    const leg = (s: SampleLog): LegQuantiles => {
      const { p50Ms, p99Ms, maxMs } = quantiles(s);
      return { p50Ms, p99Ms, maxMs };
    };
    return { whole: quantiles(this.whole), first: leg(this.first), second: leg(this.second) };
  }
}
