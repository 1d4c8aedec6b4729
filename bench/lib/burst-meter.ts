/**
 * Measures one burst inside a consumer process: trades counted (however the consumer defines
 * "delivered"), wall time and this process's CPU (process.cpuUsage: every thread, user + system)
 * from arming until the last progress seen. Sampling on a short timer keeps the measurement out
 * of the consumer's hot path.
 */
import { threadCpu, threadCpuLine } from './thread-cpu.js';

export interface BurstOptions {
  /** trades the simulator will send */
  count: number;
  /** stop once nothing new arrived for this long (a consumer that loses trades never reaches count) */
  quietMs: number;
  timeoutMs: number;
}

export interface BurstResult {
  sent: number;
  delivered: number;
  seconds: number;
  tradesPerSec: number;
  cpuSeconds: number;
  cpuSecPerMillion: number;
  deliveredPct: number;
  complete: boolean;
  peakRssMB: number;
}

const SAMPLE_MS = 2;
const SHOW_THREADS = process.env['BENCH_THREADS'] === '1';

export function measureBurst(counter: () => number, options: BurstOptions): { done: Promise<BurstResult> } {
  const base = counter();
  const cpu0 = process.cpuUsage();
  const threads0 = SHOW_THREADS ? threadCpu() : undefined;
  const t0 = performance.now();
  let last = { t: t0, n: 0, cpu: cpu0 };
  let peakRss = process.memoryUsage.rss();
  let ticks = 0;
  const done = new Promise<BurstResult>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const n = counter() - base;
      if (n !== last.n) last = { t: now, n, cpu: process.cpuUsage(cpu0) };
      if (++ticks % 25 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
      const finished = n >= options.count || (n > 0 && now - last.t > options.quietMs) || now - t0 > options.timeoutMs;
      if (!finished) return;
      clearInterval(timer);
      if (threads0) process.stderr.write(`threads (pid ${process.pid}): ${threadCpuLine(threads0, threadCpu())}\n`);
      const seconds = (last.t - t0) / 1000;
      const cpuSeconds = last.n === 0 ? 0 : (last.cpu.user + last.cpu.system) / 1e6;
      resolve({
        sent: options.count,
        delivered: last.n,
        seconds: round(seconds, 3),
        tradesPerSec: seconds > 0 ? Math.round(last.n / seconds) : 0,
        cpuSeconds: round(cpuSeconds, 3),
        cpuSecPerMillion: last.n > 0 ? round((cpuSeconds / last.n) * 1e6, 2) : NaN,
        deliveredPct: round((last.n / options.count) * 100, 2),
        complete: last.n >= options.count,
        peakRssMB: Math.round(peakRss / 2 ** 20),
      });
    }, SAMPLE_MS);
  });
  return { done };
}

export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
