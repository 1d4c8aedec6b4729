/**
 * One REST budget per venue, shared by every caller of the REST client (listing, gap backfill,
 * audits, later book snapshots). Pure logic: the clock and the sleep are injected.
 *
 * Each venue has one or more pools (Binance: request weight per minute; OKX: one per endpoint;
 * Upbit: one per group). A pool is a sliding window: a request may go once what was spent in the
 * last `windowMs`, plus its own weight, fits in `share` of the venue's limit. A sliding window
 * never lets a window of the venue's (aligned to its clock or rolling, whatever its clock says)
 * hold more than the limit, so a mass reconnect of a thousand backfills is spread over minutes
 * instead of tripping a 429 and then a ban.
 *
 * The venue's own accounting corrects ours upwards: when an answer says more was used than we
 * counted (other processes on the same IP, requests we did not see), the difference is booked
 * until the venue's window ends. It never corrects downwards: a window we counted full stays full.
 *
 * Until the venue has answered once, a pool whose venue reports its accounting (Binance, Bybit,
 * Upbit) lets one request go at a time (`firstAnswerWaitMs`): a process started again within the
 * venue's window (after a crash) does not know what its previous life spent there, and the first
 * answer tells it. Without that, a restart on Binance could spend up to the whole minute's budget
 * on top of what the dead process had spent, and take a 429 (repeated, a ban).
 *
 * Waiters queue per pool, first come first served, and one pump per pool serves them: a thousand
 * waiters cost one timer, not a thousand wake-ups a turn. A block of the host (429, ban) holds the
 * pump too, so a spend is booked at the moment its request really goes out.
 */
import type { ExchangeId } from '../records.js';
import type { PoolSpec, ReportedUsage, VenueProfile } from './venue-limits.js';

export interface WeightBudgetOptions {
  /** the part of each venue's limit we allow ourselves (room for other clients on the IP); default 0.9 */
  share?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** ms until the block on this key (429, ban) ends; 0 when none */
  blockedMs?: (key: string) => number;
  /** true once the client is closed: waiters are released at once (the client then refuses them) */
  closed?: () => boolean;
  /** called once when a ban starts (not again while it lasts, nor when it is extended) */
  onBan?: (ban: BanEvent) => void;
  /**
   * on a venue that reports its accounting, one request at a time per pool until the first answer
   * (or this long without one: the request failed, the venue says nothing); 0 or absent: off
   */
  firstAnswerWaitMs?: number;
}

export interface BanEvent {
  exchange: ExchangeId;
  /** the budget key: host and path prefix */
  host: string;
  /** ms since epoch */
  until: number;
  status: number;
  url: string;
}

export interface PoolStats {
  exchange: ExchangeId;
  host: string;
  pool: string;
  /** the venue's documented limit per window */
  limit: number;
  /** what we allow ourselves: share × limit */
  budget: number;
  windowMs: number;
  /** booked in the last window, corrections included */
  used: number;
  requests: number;
  /** requests that had to wait for room in the pool */
  waits: number;
  waitSeconds: number;
  /** corrections booked from the venue's own figures */
  corrections: number;
}

export interface VenueStats {
  exchange: ExchangeId;
  host: string;
  pools: PoolStats[];
  /** 429s and their equivalents */
  rateLimited: number;
  bans: number;
  /** ms since epoch; 0 when no ban was ever in force */
  bannedUntil: number;
}

export interface WeightBudget {
  /** waits until `profile`'s pool has room, then books its weight; resolves with the time waited (ms) */
  acquire(profile: VenueProfile): Promise<number>;
  /** reads the venue's accounting off an answer and corrects the pool upwards */
  observe(profile: VenueProfile, headers: Readonly<Record<string, string | undefined>>): void;
  /** the venue limited or banned us until `until` (counted; a ban starting raises onBan once) */
  noteBlock(profile: VenueProfile, until: number, reason: 'rate-limited' | 'banned', status: number, url: string): void;
  stats(): VenueStats[];
}

interface Entry {
  expiresAt: number;
  weight: number;
}

interface Waiter {
  weight: number;
  waited: number;
  resolve: (waited: number) => void;
  reject: (error: unknown) => void;
}

interface Pool {
  spec: PoolSpec;
  budget: number;
  /** sorted by expiresAt */
  entries: Entry[];
  total: number;
  queue: Waiter[];
  pumping: boolean;
  requests: number;
  waits: number;
  waitMs: number;
  corrections: number;
  /** the venue answered a request of this pool (or we stopped waiting for it to) */
  answered: boolean;
  /** when the first request went out, while no answer has come */
  probeAt: number | undefined;
}

interface Venue {
  exchange: ExchangeId;
  key: string;
  pools: Map<string, Pool>;
  rateLimited: number;
  bans: number;
  bannedUntil: number;
}

/** how often a pool waiting for the venue's first answer looks again */
const FIRST_ANSWER_POLL_MS = 20;

export function createWeightBudget(options: WeightBudgetOptions): WeightBudget {
  const share = options.share ?? 0.9;
  if (!(share > 0 && share <= 1)) throw new RangeError(`budget share must be in (0, 1], got ${share}`);
  const { now, sleep } = options;
  const blockedMs = options.blockedMs ?? (() => 0);
  const closed = options.closed ?? (() => false);
  const venues = new Map<string, Venue>();
  const firstAnswerWaitMs = options.firstAnswerWaitMs ?? 0;

  function venueOf(profile: VenueProfile): Venue {
    let v = venues.get(profile.key);
    if (v === undefined) {
      const pools = new Map<string, Pool>();
      for (const spec of profile.pools) {
        pools.set(spec.name, {
          spec,
          budget: Math.max(1, Math.floor(spec.limit * share)),
          entries: [],
          total: 0,
          queue: [],
          pumping: false,
          requests: 0,
          waits: 0,
          waitMs: 0,
          corrections: 0,
          answered: firstAnswerWaitMs <= 0 || !profile.reportsUsage,
          probeAt: undefined,
        });
      }
      v = { exchange: profile.exchange, key: profile.key, pools, rateLimited: 0, bans: 0, bannedUntil: 0 };
      venues.set(profile.key, v);
    }
    return v;
  }

  function poolOf(profile: VenueProfile): Pool | undefined {
    return venueOf(profile).pools.get(profile.pool);
  }

  function prune(p: Pool, t: number): void {
    let drop = 0;
    while (drop < p.entries.length && p.entries[drop]!.expiresAt <= t) p.total -= p.entries[drop++]!.weight;
    if (drop > 0) p.entries.splice(0, drop);
  }

  function book(p: Pool, expiresAt: number, weight: number): void {
    const last = p.entries[p.entries.length - 1];
    if (last !== undefined && last.expiresAt === expiresAt) last.weight += weight;
    else {
      // spends arrive in time order; only corrections (which end with the venue's window) go earlier
      let i = p.entries.length;
      while (i > 0 && p.entries[i - 1]!.expiresAt > expiresAt) i--;
      p.entries.splice(i, 0, { expiresAt, weight });
    }
    p.total += weight;
  }

  /** ms until `weight` fits; a weight over the whole budget goes alone, once the pool is empty */
  function roomIn(p: Pool, weight: number, t: number): number {
    const need = p.total + Math.min(weight, p.budget) - p.budget;
    if (need <= 0) return 0;
    let freed = 0;
    for (const e of p.entries) {
      freed += e.weight;
      if (freed >= need) return Math.max(0, e.expiresAt - t);
    }
    return 0; // unreachable: the entries sum to total
  }

  async function pump(p: Pool, key: string): Promise<void> {
    p.pumping = true;
    try {
      while (p.queue.length > 0) {
        const head = p.queue[0]!;
        // a closed client's sleeps return at once: without this the loop would spin
        if (closed()) {
          for (const w of p.queue.splice(0)) w.resolve(w.waited);
          return;
        }
        const t = now();
        prune(p, t);
        const wait = Math.max(roomIn(p, head.weight, t), blockedMs(key));
        if (wait > 0) {
          await sleep(wait);
          head.waited += wait;
          continue;
        }
        if (!p.answered && p.probeAt !== undefined) {
          const left = p.probeAt + firstAnswerWaitMs - t;
          if (left > 0) {
            // short steps rather than one wait to be woken from: no timer outlives the answer
            await sleep(Math.min(left, FIRST_ANSWER_POLL_MS));
            head.waited += now() - t;
            continue;
          }
          p.answered = true; // no answer in time: the documented limits are all we go by
        }
        if (!p.answered) p.probeAt = t;
        p.queue.shift();
        book(p, t + p.spec.windowMs, head.weight);
        p.requests++;
        if (head.waited > 0) {
          p.waits++;
          p.waitMs += head.waited;
        }
        head.resolve(head.waited);
      }
    } catch (error) {
      // the injected sleep failed: nobody queued may hang on it
      for (const w of p.queue.splice(0)) w.reject(error);
    } finally {
      p.pumping = false;
    }
  }

  return {
    acquire(profile) {
      const p = poolOf(profile);
      if (p === undefined) return Promise.resolve(0);
      return new Promise<number>((resolve, reject) => {
        p.queue.push({ weight: Math.max(0, profile.weight), waited: 0, resolve, reject });
        if (!p.pumping) void pump(p, profile.key);
      });
    },

    observe(profile, headers) {
      const t = now();
      const pools = venueOf(profile).pools;
      const spent = pools.get(profile.pool);
      if (spent !== undefined) spent.answered = true;
      const reported: ReportedUsage | undefined = profile.readUsage(headers, t);
      if (reported === undefined) return;
      const p = pools.get(reported.pool);
      if (p === undefined) return;
      prune(p, t);
      const missing = reported.used - p.total;
      if (!(missing > 0)) return;
      const until = reported.resetAt !== undefined && reported.resetAt > t ? Math.min(reported.resetAt, t + p.spec.windowMs) : t + p.spec.windowMs;
      book(p, until, missing);
      p.corrections++;
    },

    noteBlock(profile, until, reason, status, url) {
      const v = venueOf(profile);
      if (reason === 'rate-limited') {
        v.rateLimited++;
        return;
      }
      const t = now();
      const starts = !(v.bannedUntil > t);
      v.bannedUntil = Math.max(v.bannedUntil, until);
      if (starts) {
        v.bans++;
        options.onBan?.({ exchange: v.exchange, host: v.key, until: v.bannedUntil, status, url });
      }
    },

    stats() {
      const t = now();
      return [...venues.values()].map((v) => ({
        exchange: v.exchange,
        host: v.key,
        rateLimited: v.rateLimited,
        bans: v.bans,
        bannedUntil: v.bannedUntil,
        pools: [...v.pools.values()].map((p) => {
          prune(p, t);
          return {
            exchange: v.exchange,
            host: v.key,
            pool: p.spec.name,
            limit: p.spec.limit,
            budget: p.budget,
            windowMs: p.spec.windowMs,
            used: p.total,
            requests: p.requests,
            waits: p.waits,
            waitSeconds: p.waitMs / 1000,
            corrections: p.corrections,
          };
        }),
      }));
    },
  };
}
