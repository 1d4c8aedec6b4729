/**
 * The tickvisor under test in a scripted run, as the run sees it: its coins, whether its gap
 * windows are all closed, its alerts and commit latencies, and how to drain and stop it. Two
 * implementations: in this process (in-process.ts), or in a child process that a scenario can
 * SIGKILL and restart on the same store (child-process.ts). Everything here is plain JSON, so
 * the child can send it over IPC.
 */
import type { Alert } from '../alerts/index.js';
import type { CollectorBooks } from './book-sampler.js';
import type { ActorNode } from '../runtime/state-tree.js';
import { walk } from '../runtime/state-tree.js';

export interface CoinStatus {
  exchange: string;
  market: string;
  symbol: string;
  state: string;
}

export interface GapTotals {
  detected: number;
  merged: number;
  filled: number;
  unfilled: number;
  backfilledTrades: number;
}

export interface CollectorStatus {
  coins: CoinStatus[];
  /** every gap window closed and every backfill queue idle */
  gapsSettled: boolean;
  /** records committed to the store by this process */
  committed: number;
  /**
   * how far the REST audit has checked every audited coin (ms, the least over them); null when no
   * venue of the run is audited
   */
  auditedUntil: number | null;
  /** REST audit totals: windows judged, trades found missing and filled, windows not fully checked */
  audit: { windows: number; missing: number; filled: number; unfilled: number };
  gaps: GapTotals;
  /** whole-actor restarts by their supervisor, by actor */
  restarts: Record<string, number>;
  /** connector reconnections (own recovery), by connector */
  recoveries: Record<string, number>;
}

export interface CollectorUnderTest {
  /** the latest status (a child's is at most one status interval old) */
  status(): CollectorStatus;
  /** every alert raised so far, by every process of this collector */
  readonly alerts: readonly Alert[];
  /**
   * every trade committed so far as a pair: its exchange timestamp, then the wall time of its
   * commit (ms). The runner measures latency from the wall time the exchange published at
   * (run-common.ts ExchangeWalls): the simulated exchange's clock falls behind the wall clock on
   * a loaded machine, and `commit − timestamp` would count that drift as latency.
   */
  readonly commits: readonly number[];
  /** resolves once every queued backfill ran and every pipeline committed what it holds */
  drain(): Promise<void>;
  /** graceful stop: subscriptions closed, store flushed and closed; idempotent, never rejects */
  stop(): Promise<void>;
  /** every store commit fails until `untilMs` (Date.now clock), as on a full disk (`store-full`) */
  failStore(untilMs: number): void;
  /** SIGKILL the collector process and, `downMs` later, start a fresh one on the same store (child process only) */
  killAndRestart?(downMs: number): Promise<void>;
  /** its live order books (tv.book, tv.bookCounters): read in this process, or a child's latest reading of the books it was told to watch */
  readonly books?: CollectorBooks;
  /** gap and restart figures summed over every process this collector ran as */
  totals(): Pick<CollectorStatus, 'gaps' | 'restarts' | 'recoveries'>;
}

/** adds one set of gap figures to a running total (per venue, or per process of a killed collector) */
function addGapTotals(into: GapTotals, g: GapTotals): void {
  into.detected += g.detected;
  into.merged += g.merged;
  into.filled += g.filled;
  into.unfilled += g.unfilled;
  into.backfilledTrades += g.backfilledTrades;
}

/** `coin:EX:MKT:SYMBOL` — the symbol may itself contain ':' (BTC/USDT:USDT) */
function coinOf(node: ActorNode): CoinStatus {
  const [, exchange = '', market = '', ...rest] = node.id.split(':');
  return { exchange, market, symbol: rest.join(':'), state: node.state };
}

export function statusFromTree(
  tree: ActorNode,
  gapStats: ReadonlyArray<GapTotals & { openWindows: number; idle: boolean }>,
  committed: number,
  audits: ReadonlyArray<{ windows: number; missing: number; filled: number; unfilled: number; auditedUntil?: number }> = [],
): CollectorStatus {
  const coins: CoinStatus[] = [];
  const restarts: Record<string, number> = {};
  const recoveries: Record<string, number> = {};
  for (const n of walk(tree)) {
    if (n.kind === 'coin') coins.push(coinOf(n));
    if ((n.counters.restartAttempts ?? 0) > 0) restarts[n.id] = n.counters.restartAttempts!;
    if ((n.counters.recoveryAttempts ?? 0) > 0) recoveries[n.id] = n.counters.recoveryAttempts!;
  }
  const gaps = { detected: 0, merged: 0, filled: 0, unfilled: 0, backfilledTrades: 0 };
  for (const g of gapStats) addGapTotals(gaps, g);
  const audit = { windows: 0, missing: 0, filled: 0, unfilled: 0 };
  let auditedUntil: number | null = null;
  for (const a of audits) {
    audit.windows += a.windows;
    audit.missing += a.missing;
    audit.filled += a.filled;
    audit.unfilled += a.unfilled;
    auditedUntil = Math.min(auditedUntil ?? Infinity, a.auditedUntil ?? 0);
  }
  return { coins, gapsSettled: gapStats.every((g) => g.openWindows === 0 && g.idle), committed, auditedUntil, audit, gaps, restarts, recoveries };
}

export function emptyStatus(): CollectorStatus {
  return { coins: [], gapsSettled: false, committed: 0, auditedUntil: null, audit: { windows: 0, missing: 0, filled: 0, unfilled: 0 }, gaps: { detected: 0, merged: 0, filled: 0, unfilled: 0, backfilledTrades: 0 }, restarts: {}, recoveries: {} };
}

/** figures of several processes added up (a killed collector's last status plus its successor's) */
export function addTotals(parts: ReadonlyArray<Pick<CollectorStatus, 'gaps' | 'restarts' | 'recoveries'>>): Pick<CollectorStatus, 'gaps' | 'restarts' | 'recoveries'> {
  const out = { gaps: { detected: 0, merged: 0, filled: 0, unfilled: 0, backfilledTrades: 0 }, restarts: {} as Record<string, number>, recoveries: {} as Record<string, number> };
  for (const p of parts) {
    addGapTotals(out.gaps, p.gaps);
    for (const [k, v] of Object.entries(p.restarts)) out.restarts[k] = (out.restarts[k] ?? 0) + v;
    for (const [k, v] of Object.entries(p.recoveries)) out.recoveries[k] = (out.recoveries[k] ?? 0) + v;
  }
  return out;
}
