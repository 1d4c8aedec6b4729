import { SampleLog } from './sample-log.js';

/** p50/p99/max of latency samples (ms); an array is sorted in place. */
export function quantiles(from: number[] | SampleLog): { samples: number; p50Ms: number; p99Ms: number; maxMs: number } {
  const samples = from instanceof SampleLog ? from.sorted() : from.sort((a, b) => a - b);
  const q = (p: number) => {
    const v = samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
    return v === undefined ? NaN : Math.round(v * 100) / 100;
  };
  return { samples: samples.length, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: q(1) };
}
