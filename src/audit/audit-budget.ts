/**
 * The audits' share of the REST budget. Every REST request (listing, gap backfill, audit) goes
 * through the one paced client (src/rest/http-client.ts), which spends `requestsPerSecond` per
 * host. Audits pass first through their own bucket paced at `share × requestsPerSecond` per host
 * (no burst), so however many venues and symbols are audited, audits take at most that share of a
 * host's pace and gap backfills always keep the rest. The waiting happens here, before the shared
 * client, so an audit never holds a place in the shared queue while it waits for its own turn.
 */
import type { RestClient } from '../exchanges/types.js';
import { createHostThrottle, type HostThrottle } from '../rest/rate-limit.js';

export interface AuditBudgetOptions {
  /** the shared client's pace per host (config.rest.requestsPerSecond) */
  requestsPerSecond: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface AuditBudget {
  /**
   * A RestClient for audits that spend at most `share` of the pace. Venues asking with the same
   * share get the same bucket, so two venues on one host (spot and futures) share it, not double it.
   */
  clientFor(share: number): RestClient;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url; // the shared client rejects it with its own coded error
  }
}

export function createAuditBudget(rest: RestClient, options: AuditBudgetOptions): AuditBudget {
  if (!(options.requestsPerSecond > 0)) throw new RangeError(`requestsPerSecond must be > 0, got ${options.requestsPerSecond}`);
  const buckets = new Map<number, HostThrottle>();
  return {
    clientFor(share) {
      if (!(share > 0 && share <= 1)) throw new RangeError(`audit share must be in (0, 1], got ${share}`);
      let throttle = buckets.get(share);
      if (throttle === undefined) {
        throttle = createHostThrottle({ requestsPerSecond: share * options.requestsPerSecond, burst: 1, now: options.now, sleep: options.sleep });
        buckets.set(share, throttle);
      }
      const bucket = throttle;
      return async (url) => {
        await bucket.acquire(hostOf(url));
        return rest(url);
      };
    },
  };
}
