/**
 * Wires the observability edge to a running tickvisor: the coin activity table fed from the
 * record batches, the metrics registry updated on each scrape and each status push, and the
 * HTTP server over both. One call for `tickvisor run` and for library users.
 */
import type { UnitLease } from '../cluster/node.js';
import type { PublisherStats } from '../cluster/publisher.js';
import type { Observable } from '../rx.js';
import type { Registry } from 'prom-client';
import { CoinActivity } from '../metrics/coin-activity.js';
import { createMetrics, type QuarantineRow, type TickvisorMetrics } from '../metrics/registry.js';
import type { PipelineStats } from '../ingest/pipeline.js';
import type { MarketRecord } from '../records.js';
import type { ActorNode } from '../runtime/state-tree.js';
import type { AuditRow } from '../audit/venue-auditor.js';
import type { VenueStats } from '../rest/weight-budget.js';
import { startHttpServer, type HttpServer } from './server.js';
import { buildStatusSummary } from './summary.js';
import type { AlertSummary } from '../runtime/tickvisor.js';
import type { Throughput } from '../runtime/throughput.js';
import type { BookMetricRow } from '../metrics/book-metrics.js';

/** The part of `Tickvisor` (src/runtime/tickvisor.ts) this needs. */
export interface ObservableTickvisor {
  state(): ActorNode;
  pipelineStats(): Record<string, PipelineStats>;
  readonly batches$: Observable<readonly MarketRecord[]>;
  /** the REST audit per audited symbol, when the system runs one */
  auditStats?(): readonly AuditRow[];
  /** each venue's REST budget (weight used, waits, bans) */
  restBudgetStats?(): readonly VenueStats[];
  /** frames quarantined per exchange, market and reason, when the system counts them */
  quarantineStats?(): readonly QuarantineRow[];
  /** one row per coin with an order book (state, counters, age, levels) */
  bookRows?(): readonly BookMetricRow[];
  /** cluster mode: leases per unit and the publisher's totals (src/metrics/cluster-metrics.ts) */
  clusterLeases?(): readonly UnitLease[];
  clusterPublished?(): PublisherStats | undefined;
  /** alerts raised so far and what stands now, when the system routes alerts */
  alertSummary?(): AlertSummary;
  /** records committed and their rate, when the system meters them: the page then shows the same figures as `tickvisor run`'s status line */
  throughput?(): Throughput;
  /** when the system already keeps one, the server reads it instead of building its own */
  readonly activity?: CoinActivity;
}

export interface ServeTickvisorOptions {
  host?: string;
  /** 0: any free port */
  port: number;
  /** config.alerts.silentCoinMs (default 5 min) */
  silentCoinMs?: number;
  /** fill this registry instead of a fresh one */
  registry?: Registry;
  /** /events period (default 1 s) */
  intervalMs?: number;
  now?: () => number;
}

export interface TickvisorHttp extends HttpServer {
  readonly metrics: TickvisorMetrics;
  /** per-coin receive activity; `activity.silentFor(now)` feeds the silent-coin alert */
  readonly activity: CoinActivity;
}

export async function serveTickvisor(tv: ObservableTickvisor, options: ServeTickvisorOptions): Promise<TickvisorHttp> {
  const now = options.now ?? Date.now;
  const own = tv.activity === undefined;
  const activity = tv.activity ?? new CoinActivity(options.silentCoinMs !== undefined ? { silentAfterMs: options.silentCoinMs } : {});
  const metrics = createMetrics(options.registry ? { registry: options.registry } : {});
  // the data path: one call per delivered batch; every record of a batch comes from one pipeline
  const subscription = tv.batches$.subscribe((batch) => {
    const first = batch[0];
    if (own && first) activity.record(first.exchange, first.market, batch, now());
  });
  const update = () => {
    const tree = tv.state();
    const figures = metrics.update(tree, tv.pipelineStats(), activity, now());
    const audits = tv.auditStats?.() ?? [];
    metrics.updateAudits(audits);
    metrics.updateRestBudgets(tv.restBudgetStats?.() ?? []);
    metrics.updateQuarantine(tv.quarantineStats?.() ?? []);
    metrics.updateBooks(tv.bookRows?.() ?? [], now());
    metrics.updateCluster(tv.clusterLeases?.() ?? [], tv.clusterPublished?.());
    return { tree, figures, audits };
  };
  let server: HttpServer;
  try {
    server = await startHttpServer({
      ...(options.host !== undefined ? { host: options.host } : {}),
      port: options.port,
      ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
      now,
      tree: () => tv.state(),
      metrics: async () => {
        update();
        return metrics.registry.metrics();
      },
      summary: () => {
        const { tree, figures, audits } = update();
        return buildStatusSummary(tree, figures, activity, audits, tv.alertSummary?.(), tv.throughput?.(), tv.clusterLeases?.() ?? []);
      },
    });
  } catch (error) {
    subscription.unsubscribe();
    throw error;
  }
  // read the counters every period even when nobody scrapes or watches: what an actor counted
  // between the last reading and its crash is lost, so the readings must be frequent
  const reader = setInterval(() => {
    try {
      update();
    } catch {
      // not started yet
    }
  }, options.intervalMs ?? 1_000);
  reader.unref();
  return {
    url: server.url,
    port: server.port,
    host: server.host,
    get eventClients() {
      return server.eventClients;
    },
    metrics,
    activity,
    async close() {
      clearInterval(reader);
      subscription.unsubscribe();
      await server.close();
    },
  };
}
