/**
 * The figures the status page shows beside the tree: records/s per collector, age of each
 * coin's last record, totals of restarts, alerts and silent coins. Built from what the metrics
 * update computed (so the page and /metrics agree) and from the coin activity table.
 */
import { statusFigures, type StatusFigures } from '../runtime/status-figures.js';
import type { AlertSummary } from '../runtime/tickvisor.js';
import type { CoinActivity } from '../metrics/coin-activity.js';
import type { CollectorFigures, MetricsFigures } from '../metrics/registry.js';
import type { ActorNode } from '../runtime/state-tree.js';
import type { AuditCounters, AuditRow } from '../audit/venue-auditor.js';
import type { Throughput } from '../runtime/throughput.js';
import type { UnitLease } from '../cluster/node.js';

/** The REST audit of one coin, or the sum over a collector's coins. */
export type AuditFigures = Omit<AuditCounters, 'auditedUntil'> & { auditedUntil?: number };

export interface CoinFigures {
  /** ms since epoch of the last record */
  lastAt?: number;
  meanIntervalMs?: number;
  records: number;
  /** present for audited coins (venues without dense trade ids) */
  audit?: AuditFigures;
}

export interface StatusSummary {
  /** ms since epoch, server clock: ages on the page are `at - lastAt` */
  at: number;
  recordsPerSecond: number;
  committed: number;
  /** by collector actor id */
  collectors: Record<string, CollectorFigures>;
  /** by coin actor id (`coin:binance:spot:BTC/USDT`) */
  coins: Record<string, CoinFigures>;
  silentCoins: number;
  silentAfterMs: number;
  /** REST audit totals by collector actor id, for audited collectors only */
  audits?: Record<string, AuditFigures>;
  counts: StatusFigures;
  /** alerts raised so far (every kind) and whether the store is failing now */
  alerts?: AlertSummary;
  /** cluster mode: this node's lease of each collector's unit, by collector actor id */
  leases?: Record<string, { held: boolean; slot?: number; state: string }>;
}

/**
 * `throughput`: the system's own committed count and rate (what `tickvisor run` prints); without
 * it, the metrics' figures.
 */
export function buildStatusSummary(
  tree: ActorNode,
  figures: MetricsFigures,
  activity: CoinActivity,
  auditRows: readonly AuditRow[] = [],
  alerts?: AlertSummary,
  throughput?: Throughput,
  leases: readonly UnitLease[] = [],
): StatusSummary {
  const coins: Record<string, CoinFigures> = {};
  for (const a of activity.entries()) {
    coins[`coin:${a.exchange}:${a.market}:${a.symbol}`] = {
      ...(a.lastAt !== undefined ? { lastAt: a.lastAt } : {}),
      ...(a.meanIntervalMs !== undefined ? { meanIntervalMs: a.meanIntervalMs } : {}),
      records: a.count,
    };
  }
  const audits: Record<string, AuditFigures> = {};
  for (const r of auditRows) {
    const { exchange, market, symbol, ...counters } = r;
    const id = `coin:${exchange}:${market}:${symbol}`;
    coins[id] = { ...(coins[id] ?? { records: 0 }), audit: counters };
    const key = `collector:${exchange}:${market}`;
    const sum = (audits[key] ??= { windows: 0, missing: 0, filled: 0, unfilled: 0, failures: 0 });
    sum.windows += r.windows;
    sum.missing += r.missing;
    sum.filled += r.filled;
    sum.unfilled += r.unfilled;
    sum.failures += r.failures;
    // the collector is audited up to where its least audited coin is
    if (r.auditedUntil !== undefined) sum.auditedUntil = Math.min(sum.auditedUntil ?? r.auditedUntil, r.auditedUntil);
  }
  return {
    at: figures.at,
    recordsPerSecond: throughput?.recordsPerSecond ?? figures.recordsPerSecond,
    committed: throughput?.committed ?? figures.committed,
    collectors: figures.collectors,
    coins,
    silentCoins: figures.silentCoins.length,
    silentAfterMs: activity.silentAfterMs,
    audits,
    counts: statusFigures(tree),
    ...(alerts !== undefined ? { alerts } : {}),
    ...(leases.length > 0 ? { leases: Object.fromEntries(leases.map(({ unit, ...l }) => [unit, l])) } : {}),
  };
}
