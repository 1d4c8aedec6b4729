/**
 * The REST budget of each venue on /metrics (src/rest/weight-budget.ts): what is spent against
 * the venue's limit, how often callers waited for room, and bans. Labels are bounded: exchange,
 * host (the venue's budget key: a handful of API hosts, or the simulator's venues) and pool (a
 * fixed list per venue: Binance `weight`, Bybit `requests`, OKX its endpoints, Upbit its groups).
 * Set from the budget's own totals at each scrape, so counters stay monotonic as the budget's are.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { VenueStats } from '../rest/weight-budget.js';

const POOL = ['exchange', 'host', 'pool'] as const;
const VENUE = ['exchange', 'host'] as const;

export function createRestBudgetMetrics(registry: Registry): (venues: readonly VenueStats[]) => void {
  const registers = [registry];
  const m = {
    used: new Gauge({ name: 'tickvisor_rest_weight_used', help: 'REST weight (or requests) booked in the venue\'s current window, its own reported figures included', labelNames: POOL, registers }),
    limit: new Gauge({ name: 'tickvisor_rest_weight_limit', help: 'The venue\'s documented REST limit per window', labelNames: POOL, registers }),
    budget: new Gauge({ name: 'tickvisor_rest_weight_budget', help: 'The part of the limit tickvisor allows itself (rest.budgetShare x limit)', labelNames: POOL, registers }),
    windowSeconds: new Gauge({ name: 'tickvisor_rest_window_seconds', help: 'Length of the venue\'s REST limit window', labelNames: POOL, registers }),
    requests: new Counter({ name: 'tickvisor_rest_requests_total', help: 'REST requests sent to the venue (listing, backfill, audit)', labelNames: POOL, registers }),
    waits: new Counter({ name: 'tickvisor_rest_waits_total', help: 'REST requests that waited for room in the venue\'s budget', labelNames: POOL, registers }),
    waitSeconds: new Counter({ name: 'tickvisor_rest_wait_seconds_total', help: 'Time REST requests spent waiting for room in the venue\'s budget', labelNames: POOL, registers }),
    corrections: new Counter({ name: 'tickvisor_rest_corrections_total', help: 'Times the venue\'s own accounting headers said more was used than we counted', labelNames: POOL, registers }),
    rateLimited: new Counter({ name: 'tickvisor_rest_rate_limited_total', help: 'REST answers telling us to slow down (429, Bybit retCode 10006)', labelNames: VENUE, registers }),
    bans: new Counter({ name: 'tickvisor_rest_bans_total', help: 'REST IP bans by the venue (418): no request reaches it until the ban ends', labelNames: VENUE, registers }),
    bannedUntil: new Gauge({ name: 'tickvisor_rest_banned_until_timestamp_seconds', help: 'End of the venue\'s last REST ban, seconds since epoch (0: never banned)', labelNames: VENUE, registers }),
  };
  return (venues) => {
    for (const metric of Object.values(m)) metric.reset();
    for (const v of venues) {
      const venue = { exchange: v.exchange, host: v.host };
      m.rateLimited.inc(venue, v.rateLimited);
      m.bans.inc(venue, v.bans);
      m.bannedUntil.set(venue, v.bannedUntil / 1000);
      for (const p of v.pools) {
        const labels = { ...venue, pool: p.pool };
        m.used.set(labels, p.used);
        m.limit.set(labels, p.limit);
        m.budget.set(labels, p.budget);
        m.windowSeconds.set(labels, p.windowMs / 1000);
        m.requests.inc(labels, p.requests);
        m.waits.inc(labels, p.waits);
        m.waitSeconds.inc(labels, p.waitSeconds);
        m.corrections.inc(labels, p.corrections);
      }
    }
  };
}
