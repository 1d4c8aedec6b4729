/**
 * Keeps repetitive log lines off the hot path: at most one line per key per interval, and the line
 * that does get through says how many were held back. For things that can happen per frame
 * (a malformed frame, a rejected record) where one line per occurrence would cost more than the
 * work itself and bury everything else.
 *
 *   const malformed = throttle.take(`malformed:${connectorId}`);
 *   if (malformed !== undefined) log.warn({ suppressed: malformed, reason }, 'malformed frame');
 */

export interface LogThrottle {
  /** undefined: stay quiet; a number: log now, that many were suppressed since the last line */
  take(key: string): number | undefined;
}

export interface LogThrottleOptions {
  intervalMs: number;
  now?: () => number;
  /** distinct keys remembered; past this the oldest is forgotten (its next line passes at once) */
  maxKeys?: number;
}

export function createLogThrottle(options: LogThrottleOptions): LogThrottle {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 1_000;
  const state = new Map<string, { lastAt: number; suppressed: number }>();
  return {
    take(key) {
      const at = now();
      const entry = state.get(key);
      if (entry && at - entry.lastAt < options.intervalMs) {
        entry.suppressed += 1;
        return undefined;
      }
      const suppressed = entry?.suppressed ?? 0;
      state.delete(key); // re-insert: Map order is then oldest-first for eviction
      state.set(key, { lastAt: at, suppressed: 0 });
      if (state.size > maxKeys) state.delete(state.keys().next().value!);
      return suppressed;
    },
  };
}
