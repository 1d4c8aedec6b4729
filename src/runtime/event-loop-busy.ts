/**
 * The event loop's recent busy fraction (Node's event-loop utilisation), for the batch writers'
 * delay (ingest/batch-delay.ts). Sampled at most once per window, so asking once per batch costs
 * nothing; one meter serves every pipeline of a process, since they share its one thread.
 */
import { performance } from 'node:perf_hooks';

/** `windowMs`: how much wall time one reading covers at least */
export function eventLoopBusy(windowMs = 100, now: () => number = () => performance.now()): () => number {
  let last = performance.eventLoopUtilization();
  let at = now();
  let value = 0;
  return () => {
    const t = now();
    if (t - at >= windowMs) {
      const current = performance.eventLoopUtilization();
      value = performance.eventLoopUtilization(current, last).utilization;
      last = current;
      at = t;
    }
    return value;
  };
}
