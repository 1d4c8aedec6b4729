/**
 * Cluster mode on /metrics (docs/cluster.md): one series per work unit for this node's lease
 * (labels `unit`: the collector's id, bounded by the configuration), and the publisher's totals.
 * Absent when the node runs alone. Counters are the publisher's own totals since start, set at each
 * scrape, so they stay monotonic.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { UnitLease } from '../cluster/node.js';
import type { PublisherStats } from '../cluster/publisher.js';

export function createClusterMetrics(registry: Registry): (leases: readonly UnitLease[], published: PublisherStats | undefined) => void {
  const registers = [registry];
  const m = {
    held: new Gauge({ name: 'tickvisor_cluster_lease_held', help: 'This node holds the lease of the work unit and may collect it (1) or not (0)', labelNames: ['unit'], registers }),
    batches: new Counter({ name: 'tickvisor_cluster_published_batches_total', help: 'Trade batches the stream acknowledged from this node', registers }),
    trades: new Counter({ name: 'tickvisor_cluster_published_trades_total', help: 'Trades the stream acknowledged from this node', registers }),
    tickers: new Counter({ name: 'tickvisor_cluster_published_tickers_total', help: 'Tickers the stream acknowledged from this node', registers }),
    books: new Counter({ name: 'tickvisor_cluster_published_book_records_total', help: 'Order-book records (snapshots, updates, resyncs) the stream acknowledged from this node', registers }),
    duplicates: new Counter({ name: 'tickvisor_cluster_duplicates_dropped_total', help: 'Messages (trade batches, ticker and book messages) the stream already had (a retry, or a redundant node\'s copy): not stored again', registers }),
    failed: new Counter({ name: 'tickvisor_cluster_publish_failures_total', help: 'Publish attempts that failed and were retried', registers }),
    backlog: new Gauge({ name: 'tickvisor_cluster_publish_backlog_trades', help: 'Committed trades not yet acknowledged by the stream', registers }),
  };
  return (leases, published) => {
    for (const metric of Object.values(m)) metric.reset();
    for (const l of leases) m.held.set({ unit: l.unit }, l.held ? 1 : 0);
    if (published === undefined) return;
    m.batches.inc(published.batches);
    m.trades.inc(published.trades);
    m.tickers.inc(published.tickers);
    m.books.inc(published.bookRecords);
    m.duplicates.inc(published.duplicatesDropped);
    m.failed.inc(published.failedAttempts);
    m.backlog.set(published.backlog);
  };
}
