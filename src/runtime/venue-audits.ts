/**
 * Starts the REST audit (src/audit/) of every venue whose configuration asks for it, on the
 * venue's own adapter, pipeline and the shared store, inside the audits' share of the REST pace.
 */
import { auditOptionsFor } from '../audit/audit-options.js';
import { createAuditBudget } from '../audit/audit-budget.js';
import { VenueAuditor, type AuditRow } from '../audit/venue-auditor.js';
import type { TickvisorConfig } from '../config/schema.js';
import type { RestClient } from '../exchanges/types.js';
import { backgroundClock } from '../time/clock.js';
import type { ExchangeId, Market, Trade } from '../records.js';
import { realSleep } from '../rest/sleep.js';
import type { HistoryStore } from '../store/index.js';
import type { AuditPositions } from '../store/audit-positions.js';
import type { VenueRuntime } from './venue-io.js';
import { walk, type ActorNode } from './state-tree.js';

export interface VenueAudits {
  /** per-symbol audit counters of every audited venue */
  stats(): AuditRow[];
  /** resolves once no audit is running any more (bounded: a store that hangs does not hold up a stop) */
  stop(): Promise<void>;
}

export interface VenueAuditsOptions {
  config: TickvisorConfig;
  venues: ReadonlyMap<string, VenueRuntime>;
  store: Pick<HistoryStore, 'readRange'>;
  rest: RestClient;
  /** closes the audits' waits with the REST client */
  signal: AbortSignal;
  /** the venue's symbols whose coins are Subscribed now, and those on their way back (see coinReader) */
  coins(exchange: ExchangeId, market: Market): VenueCoins;
  log: { child(bindings: object): { warn(obj: object, msg: string): void; info(obj: object, msg: string): void } };
  /** where each symbol's audit stood when the last process stopped, kept in the store */
  positions?: AuditPositions;
}

/** how long a stop waits for an audit in flight (its REST call is aborted; a store read is quick) */
const STOP_WAIT_MS = 2_000;
/**
 * How far back a restarted process resumes a symbol's audit: a store left for days would otherwise
 * have its audits page through days of REST history before reaching the present.
 */
const RESUME_MAX_AGE_MS = 24 * 3_600_000;

export function startVenueAudits(options: VenueAuditsOptions): VenueAudits {
  const { config, venues, store, signal } = options;
  const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  const budget = createAuditBudget(options.rest, {
    requestsPerSecond: config.rest.requestsPerSecond,
    now: Date.now,
    sleep: (ms) => Promise.race([realSleep(ms), aborted]),
  });
  const auditors: VenueAuditor[] = [];
  for (const e of config.exchanges) {
    const audit = auditOptionsFor(e, config.audit);
    const exchange = e.exchange as ExchangeId;
    const market = e.market as Market;
    const venue = venues.get(`${exchange}:${market}`);
    if (audit === undefined || venue === undefined) continue;
    const rest = budget.clientFor(audit.share);
    const positions = options.positions;
    const resumeFrom = Date.now() - RESUME_MAX_AGE_MS;
    const initial = new Map<string, number>();
    for (const [symbol, from] of positions?.load(exchange, market) ?? []) initial.set(symbol, Math.max(from, resumeFrom));
    const auditor = new VenueAuditor({
      exchange,
      market,
      options: audit,
      clock: backgroundClock,
      log: options.log.child({ module: 'audit', exchange, market }),
      subscribed: () => options.coins(exchange, market).subscribed,
      returning: () => options.coins(exchange, market).returning,
      backfillBusy: () => !venue.filler.idle,
      clockOffsetMs: () => venue.pipeline.clockOffsetMs(),
      ...(positions ? { positions: { initial, save: afterCommit(() => venue.pipeline.flush(), (symbol, from) => positions.save(exchange, market, symbol, from)) } } : {}),
      io: {
        recentTrades: async (symbol, from, beforeId) => {
          const instrument = venue.instrument(symbol);
          if (instrument === undefined) return undefined;
          const request = { instrument, from, to: Number.MAX_SAFE_INTEGER, maxTrades: audit.maxTrades, ...(beforeId !== undefined ? { beforeId } : {}) };
          return venue.adapter.backfillTrades(rest, request, venue.restUrl);
        },
        storedIds: async (symbol, from, to) => {
          // what the pipeline already accepted is as good as stored: commit it before looking
          await venue.pipeline.flush();
          const ids = new Set<string>();
          for await (const r of store.readRange({ exchange, market, symbol, type: 'trade', from, to })) ids.add((r as Trade).id);
          return ids;
        },
        backfill: (trades) => {
          // push is synchronous: what its counters moved by is exactly what it refused of these
          const before = venue.pipeline.stats();
          venue.pipeline.push(trades, 'backfill');
          const after = venue.pipeline.stats();
          return trades.length - (after.dedupDropped - before.dedupDropped) - (after.rejectedTotal - before.rejectedTotal);
        },
      },
    });
    auditor.start();
    auditors.push(auditor);
  }
  return {
    stats: () => auditors.flatMap((a) => a.stats()),
    stop: async () => {
      const settled = Promise.all(auditors.map((a) => a.stop()));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_WAIT_MS);
        timer.unref();
      });
      await Promise.race([settled, bound]);
      clearTimeout(timer);
    },
  };
}

/**
 * A position is written only once what the audit backfilled before it is committed: a process
 * killed between the two must audit that window again, not skip trades that never reached the
 * store. One flush at a time; positions asked for meanwhile wait for the next (only the latest per
 * symbol is kept). A flush that fails writes nothing: the window is audited again after a restart.
 */
export function afterCommit(flush: () => Promise<void>, write: (symbol: string, from: number) => void): (symbol: string, from: number) => void {
  let waiting = new Map<string, number>();
  let running = false;
  const run = async () => {
    running = true;
    try {
      while (waiting.size > 0) {
        const batch = waiting;
        waiting = new Map();
        await flush();
        for (const [symbol, from] of batch) write(symbol, from);
      }
    } catch {
      // the store is failing or closed: nothing is written until a later flush succeeds
    } finally {
      running = false;
    }
  };
  return (symbol, from) => {
    waiting.set(symbol, from);
    if (!running) void run();
  };
}

/** One venue's coins as the audit sees them. */
export interface VenueCoins {
  /** coins in state Subscribed */
  subscribed: string[];
  /** coins neither Subscribed nor Stopped: reconnecting, resubscribing, or not yet subscribed */
  returning: string[];
}

const NO_COINS: VenueCoins = { subscribed: [], returning: [] };

/**
 * The coins of every venue, read off the live state tree. One tree read serves every venue asking
 * within `maxAgeMs`.
 */
export function coinReader(readTree: () => ActorNode, now: () => number = Date.now, maxAgeMs = 500): (exchange: ExchangeId, market: Market) => VenueCoins {
  let at = Number.NEGATIVE_INFINITY;
  let byVenue = new Map<string, VenueCoins>();
  return (exchange, market) => {
    const t = now();
    if (t - at > maxAgeMs) {
      byVenue = new Map();
      for (const n of walk(readTree())) {
        if (n.kind !== 'coin' || n.state === 'Stopped') continue;
        // coin:<exchange>:<market>:<symbol>, and a futures symbol has a colon of its own
        const [, ex, mk, ...rest] = n.id.split(':');
        const key = `${ex}:${mk}`;
        let coins = byVenue.get(key);
        if (coins === undefined) byVenue.set(key, (coins = { subscribed: [], returning: [] }));
        (n.state === 'Subscribed' ? coins.subscribed : coins.returning).push(rest.join(':'));
      }
      at = t;
    }
    return byVenue.get(`${exchange}:${market}`) ?? NO_COINS;
  };
}
