/**
 * The audits' share of the REST budget. Every REST request (listing, gap backfill, audit) goes
 * through the one paced client (src/rest/http-client.ts), which spends `requestsPerSecond` per
 * host in the order requests ask. Audits pass first through their own lane per host: one audit
 * request at a time, the next one no sooner than 1 / (share × requestsPerSecond) after the previous
 * one *answered*. Pacing from the answer, not from the ask, matters: had audits queued up behind a
 * burst of backfill pages, they would otherwise leave the shared queue back to back, at the full
 * pace. So audits take at most `share` of a host's pace, at most one audit request ever waits in
 * the shared queue, and gap backfills always keep the rest.
 *
 * Underneath, the client also spends each request's weight from the venue's one REST budget
 * (src/rest/weight-budget.ts), shared with listing and backfill; lanes are kept per venue the same
 * way that budget is (host, plus the simulator's per-venue path prefix).
 */
import type { RestClient, RestResponse } from '../exchanges/types.js';
import { venueProfileOf } from '../rest/venue-limits.js';

export interface AuditBudgetOptions {
  /** the shared client's pace per host (config.rest.requestsPerSecond) */
  requestsPerSecond: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface AuditBudget {
  /**
   * A RestClient for audits that spend at most `share` of the pace. Venues asking with the same
   * share get the same lanes, so two venues on one host (spot and futures) share one, not double it.
   */
  clientFor(share: number): RestClient;
}

interface Lane {
  /** the last request queued in this lane (settled, never rejected) */
  tail: Promise<unknown>;
  /** the next request may start at this time */
  nextAt: number;
}

function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return venueProfileOf(parsed)?.key ?? parsed.host;
  } catch {
    return url; // the shared client rejects it with its own coded error
  }
}

export function createAuditBudget(rest: RestClient, options: AuditBudgetOptions): AuditBudget {
  const { now, sleep } = options;
  if (!(options.requestsPerSecond > 0) || !Number.isFinite(options.requestsPerSecond)) {
    throw new RangeError(`requestsPerSecond must be a positive number, got ${options.requestsPerSecond}`);
  }
  const lanesByShare = new Map<number, Map<string, Lane>>();
  return {
    clientFor(share) {
      if (!(share > 0 && share <= 1)) throw new RangeError(`audit share must be in (0, 1], got ${share}`);
      const gapMs = 1_000 / (share * options.requestsPerSecond);
      let lanes = lanesByShare.get(share);
      if (lanes === undefined) lanesByShare.set(share, (lanes = new Map()));
      const laneMap = lanes;
      return (url) => {
        const host = hostOf(url);
        let lane = laneMap.get(host);
        if (lane === undefined) laneMap.set(host, (lane = { tail: Promise.resolve(), nextAt: Number.NEGATIVE_INFINITY }));
        const own = lane;
        const run = own.tail.then(async (): Promise<RestResponse> => {
          const wait = own.nextAt - now();
          if (wait > 0) await sleep(wait);
          try {
            return await rest(url);
          } finally {
            own.nextAt = now() + gapMs;
          }
        });
        own.tail = run.catch(() => undefined);
        return run;
      };
    },
  };
}
