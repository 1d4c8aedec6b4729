/**
 * The figures the status page shows beside the tree: records/s per collector, age of each
 * coin's last record, totals of restarts, alerts and silent coins. Built from what the metrics
 * update computed (so the page and /metrics agree) and from the coin activity table.
 */
import { statusFigures, type StatusFigures } from '../runtime/status-figures.js';
import type { CoinActivity } from '../metrics/coin-activity.js';
import type { CollectorFigures, MetricsFigures } from '../metrics/registry.js';
import type { ActorNode } from '../runtime/state-tree.js';

export interface CoinFigures {
  /** ms since epoch of the last record */
  lastAt?: number;
  meanIntervalMs?: number;
  records: number;
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
  counts: StatusFigures;
}

export function buildStatusSummary(tree: ActorNode, figures: MetricsFigures, activity: CoinActivity): StatusSummary {
  const coins: Record<string, CoinFigures> = {};
  for (const a of activity.entries()) {
    coins[`coin:${a.exchange}:${a.market}:${a.symbol}`] = {
      ...(a.lastAt !== undefined ? { lastAt: a.lastAt } : {}),
      ...(a.meanIntervalMs !== undefined ? { meanIntervalMs: a.meanIntervalMs } : {}),
      records: a.count,
    };
  }
  return {
    at: figures.at,
    recordsPerSecond: figures.recordsPerSecond,
    committed: figures.committed,
    collectors: figures.collectors,
    coins,
    silentCoins: figures.silentCoins.length,
    silentAfterMs: activity.silentAfterMs,
    counts: statusFigures(tree),
  };
}
