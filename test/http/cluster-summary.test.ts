/** Cluster mode on a node's /metrics and status summary: its lease of each unit, and the publisher's totals. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { Subject } from 'rxjs';
import type { UnitLease } from '../../src/cluster/node.js';
import { serveTickvisor } from '../../src/http/serve-tickvisor.js';
import type { StatusPayload } from '../../src/http/server.js';
import type { MarketRecord } from '../../src/records.js';
import { collector, manager } from '../metrics/fake-tree.js';
import { parseExposition, pipelineStats, series } from '../metrics/exposition.js';

const fetchText = (url: string) =>
  new Promise<string>((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });

describe('cluster figures on /metrics and the status summary', () => {
  test('the lease of each unit as this node holds it, and what the stream acknowledged', async () => {
    let leases: UnitLease[] = [
      { unit: 'collector:binance:spot', held: true, slot: 1, state: 'held' },
      { unit: 'collector:okx:spot', held: false, state: 'waiting' },
    ];
    const tv = {
      batches$: new Subject<readonly MarketRecord[]>(),
      state: () => manager([collector('binance', 'spot', 'Running', []), collector('okx', 'spot', 'Ready', [])]),
      pipelineStats: () => ({ 'binance:spot': pipelineStats(), 'okx:spot': pipelineStats() }),
      clusterLeases: () => leases,
      clusterPublished: () => ({ batches: 4, trades: 90, tickers: 0, bookRecords: 0, bookRecordsDropped: 0, duplicatesDropped: 2, failedAttempts: 0, backlog: 3 }),
    };
    const http = await serveTickvisor(tv, { port: 0 });
    try {
      const m = parseExposition(await fetchText(`${http.url}metrics`));
      assert.equal(m.samples.get(series('tickvisor_cluster_lease_held', { unit: 'collector:binance:spot' })), 1);
      assert.equal(m.samples.get(series('tickvisor_cluster_lease_held', { unit: 'collector:okx:spot' })), 0);
      assert.equal(m.samples.get('tickvisor_cluster_published_trades_total'), 90);
      const body = JSON.parse(await fetchText(`${http.url}health`)) as StatusPayload;
      assert.deepEqual(body.summary?.leases, {
        'collector:binance:spot': { held: true, slot: 1, state: 'held' },
        'collector:okx:spot': { held: false, state: 'waiting' },
      });
      leases = [{ unit: 'collector:binance:spot', held: false, state: 'lost' }];
      const later = JSON.parse(await fetchText(`${http.url}health`)) as StatusPayload;
      assert.deepEqual(later.summary?.leases, { 'collector:binance:spot': { held: false, state: 'lost' } });
    } finally {
      await http.close();
    }
  });
});
