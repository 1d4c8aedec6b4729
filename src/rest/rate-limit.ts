/**
 * Client-side pacing per host, so we stay under an exchange's REST limits instead of
 * discovering them (a 418 ban on Binance can last days).
 *
 * A token bucket in its GCRA form: each host keeps a "theoretical arrival time" (tat); a request
 * may start once `tat - burstTolerance` has passed. Reservations are taken synchronously, so
 * concurrent callers queue up without a lock. When a server says "wait" (429/418), `block()`
 * holds every request to that host until then, and the bucket restarts empty so the requests
 * that queued up during the block do not all fire at the same instant.
 */

import { RestError } from './errors.js';

export type BlockReason = 'rate-limited' | 'banned';

export interface HostThrottleOptions {
  /** requests per second per host; undefined (or Infinity) paces nothing but still honours blocks */
  requestsPerSecond?: number;
  /** requests that may go back to back after a quiet spell; default max(1, requestsPerSecond) */
  burst?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface HostThrottle {
  /** waits for this host's turn; resolves with the time waited (ms) */
  acquire(host: string): Promise<number>;
  /** no request to this host starts before `until` (ms since epoch; must be finite, else TV_ERR_REST_INVALID_OPTIONS) */
  block(host: string, until: number, reason: BlockReason): void;
  /** the block in force on this host now, if any */
  blocked(host: string): { remainingMs: number; reason: BlockReason } | undefined;
}

interface HostState {
  tat: number;
  blockedUntil: number;
  reason: BlockReason;
}

/**
 * A clock that answers NaN (a detached method, a Date passed by mistake...) would make every
 * `start`/`wait` comparison false; fail loudly instead of computing a schedule from it.
 */
function readClock(now: () => number): number {
  const t = now();
  if (!Number.isFinite(t)) {
    throw new RestError('TV_ERR_REST_INVALID_OPTIONS', `now() must return a finite number of ms, got ${String(t)}`);
  }
  return t;
}

export function createHostThrottle(options: HostThrottleOptions): HostThrottle {
  const rps = options.requestsPerSecond;
  if (rps !== undefined && !(rps > 0)) {
    throw new RestError('TV_ERR_REST_INVALID_OPTIONS', `requestsPerSecond must be > 0, got ${rps}`);
  }
  const paced = rps !== undefined && Number.isFinite(rps);
  const interval = paced ? 1000 / rps : 0;
  const burst = paced ? Math.max(1, Math.floor(options.burst ?? rps)) : 1;
  if (!Number.isFinite(burst)) {
    throw new RestError('TV_ERR_REST_INVALID_OPTIONS', `burst must be a finite number, got ${options.burst}`);
  }
  const tolerance = (burst - 1) * interval;
  const hosts = new Map<string, HostState>();
  const { now, sleep } = options;

  function state(host: string): HostState {
    let s = hosts.get(host);
    if (s === undefined) {
      s = { tat: -Infinity, blockedUntil: -Infinity, reason: 'rate-limited' };
      hosts.set(host, s);
    }
    return s;
  }

  return {
    async acquire(host) {
      const s = state(host);
      let waited = 0;
      // Every pass either returns or sleeps a positive, finite time; it passes again only when a
      // block that ends later than the turn it slept for arrived during that sleep. A pass that
      // does not sleep returns, so the loop can never spin without awaiting (nor on NaN).
      for (;;) {
        const t = readClock(now);
        const start = Math.max(t, s.tat - tolerance, s.blockedUntil);
        s.tat = Math.max(s.tat, start) + interval;
        const wait = start - t;
        if (!(wait > 0)) return waited;
        await sleep(wait);
        waited += wait;
        // A block that arrived while we slept for our turn overrides the turn: queue again.
        if (!(s.blockedUntil > start)) return waited;
      }
    },

    block(host, until, reason) {
      // NaN would poison every later comparison of this host; Infinity would be slept out as a
      // 1 ms timer (setTimeout's overflow rule). Callers bound waits before they get here.
      if (!Number.isFinite(until)) {
        throw new RestError('TV_ERR_REST_INVALID_OPTIONS', `block until must be a finite time, got ${until}`);
      }
      const s = state(host);
      if (until > s.blockedUntil) {
        s.blockedUntil = until;
        s.reason = reason;
      } else if (reason === 'banned') {
        s.reason = reason;
      }
      // Restart the bucket empty at the end of the block: one request, then the paced rate.
      s.tat = Math.max(s.tat, s.blockedUntil + tolerance);
    },

    blocked(host) {
      const s = hosts.get(host);
      if (s === undefined) return undefined;
      const remainingMs = s.blockedUntil - readClock(now);
      return remainingMs > 0 ? { remainingMs, reason: s.reason } : undefined;
    },
  };
}
