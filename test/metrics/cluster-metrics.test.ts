/** The cluster series: a lease gauge per unit, the publisher's totals; nothing about a publisher when alone. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { createClusterMetrics } from '../../src/metrics/cluster-metrics.js';

describe('cluster metrics', () => {
  test('lease held per unit, publisher totals set as given, series follow the leases', async () => {
    const registry = new Registry();
    const update = createClusterMetrics(registry);
    update(
      [
        { unit: 'collector:binance:spot', held: true, slot: 0, state: 'held' },
        { unit: 'collector:okx:spot', held: false, state: 'waiting' },
      ],
      { batches: 12, trades: 340, tickers: 25, bookRecords: 0, bookRecordsDropped: 0, duplicatesDropped: 5, failedAttempts: 1, backlog: 7 },
    );
    const text = await registry.metrics();
    assert.match(text, /tickvisor_cluster_lease_held\{unit="collector:binance:spot"\} 1\n/);
    assert.match(text, /tickvisor_cluster_lease_held\{unit="collector:okx:spot"\} 0\n/);
    assert.match(text, /tickvisor_cluster_published_trades_total 340\n/);
    assert.match(text, /tickvisor_cluster_published_tickers_total 25\n/);
    assert.match(text, /tickvisor_cluster_duplicates_dropped_total 5\n/);
    assert.match(text, /tickvisor_cluster_publish_backlog_trades 7\n/);
    update([{ unit: 'collector:binance:spot', held: false, state: 'lost' }], { batches: 13, trades: 360, tickers: 26, bookRecords: 0, bookRecordsDropped: 0, duplicatesDropped: 5, failedAttempts: 1, backlog: 0 });
    const later = await registry.metrics();
    assert.match(later, /tickvisor_cluster_published_trades_total 360\n/);
    assert.match(later, /tickvisor_cluster_lease_held\{unit="collector:binance:spot"\} 0\n/);
    assert.doesNotMatch(later, /collector:okx:spot/);
  });

  test('alone: no lease series, publisher counters at zero', async () => {
    const registry = new Registry();
    createClusterMetrics(registry)([], undefined);
    const text = await registry.metrics();
    assert.doesNotMatch(text, /tickvisor_cluster_lease_held\{/);
    assert.match(text, /tickvisor_cluster_published_trades_total 0\n/);
  });
});
