/**
 * How long a partial batch waits before it is written, from how busy the process is.
 *
 * Why it varies: each commit costs about the same per symbol it touches whatever that symbol's
 * row count (a small block encoded and put, the cursor put, the pages LMDB writes and syncs), so
 * the store's cost per trade falls as batches grow. At moderate rates the process has CPU to spare
 * and the base delay (2 ms by default) keeps the time to durable short. When the process is
 * saturated, a commit starts as soon as the last one ends and batches shrink to what arrived
 * meanwhile (~800 trades over 50 symbols at ~200k trades/s, 16 rows a symbol), which made the store
 * half of the collector's CPU; waiting up to `busyMs` then lets batches grow about tenfold while the
 * queue, not the delay, sets how long a record waits (measured: bench/micro/trade-path.ts, 4.3 →
 * 3.0 CPU-s per million trades). See docs/architecture.md, section 4 (Batch delay).
 */

/** below this fraction of busy time the base delay holds */
export const BUSY_FROM = 0.8;
/** at and above this fraction the longest delay holds; between the two it rises linearly */
export const BUSY_FULL = 0.95;

/** `busy`: the fraction of recent wall time the event loop was busy (0–1) */
export function batchDelayMs(baseMs: number, busyMs: number, busy: number): number {
  if (!(busy > BUSY_FROM) || busyMs <= baseMs) return baseMs;
  const f = Math.min(1, (busy - BUSY_FROM) / (BUSY_FULL - BUSY_FROM));
  return baseMs + (busyMs - baseMs) * f;
}
