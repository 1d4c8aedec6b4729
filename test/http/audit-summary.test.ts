/**
 * The REST audit's per-coin completeness, as /metrics and the status page show it: the audit
 * counters of a running system reach both, per coin and summed per collector.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { Subject } from 'rxjs';
import type { AuditRow } from '../../src/audit/venue-auditor.js';
import { serveTickvisor } from '../../src/http/serve-tickvisor.js';
import type { StatusPayload } from '../../src/http/server.js';
import type { MarketRecord } from '../../src/records.js';
import { coin, collector, connector, connectorCounters, manager } from '../metrics/fake-tree.js';
import { parseExposition, pipelineStats, series } from '../metrics/exposition.js';

const fetchText = (url: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });

describe('REST audit figures on /metrics and the status summary', () => {
  test('per coin: windows audited, trades found missing and filled, unfilled windows; per collector: their sums', async () => {
    const at = 1_700_000_000_000;
    let rows: AuditRow[] = [
      { exchange: 'bybit', market: 'futures', symbol: 'BTC/USDT:USDT', windows: 12, missing: 5, filled: 5, unfilled: 1, failures: 0, auditedUntil: at - 6_000 },
      { exchange: 'bybit', market: 'futures', symbol: 'ETH/USDT:USDT', windows: 11, missing: 0, filled: 0, unfilled: 0, failures: 2, auditedUntil: at - 9_000 },
    ];
    const tv = {
      batches$: new Subject<readonly MarketRecord[]>(),
      state: () =>
        manager([
          collector('bybit', 'futures', 'Running', [
            connector('bybit', 'futures', 0, 'Connected', connectorCounters(), [coin('bybit', 'futures', 'BTC/USDT:USDT'), coin('bybit', 'futures', 'ETH/USDT:USDT')]),
          ]),
        ]),
      pipelineStats: () => ({ 'bybit:futures': pipelineStats() }),
      auditStats: () => rows,
    };
    const http = await serveTickvisor(tv, { port: 0, now: () => at });
    try {
      const BTC = { exchange: 'bybit', market: 'futures', symbol: 'BTC/USDT:USDT' };
      let m = parseExposition((await fetchText(`${http.url}metrics`)).body);
      assert.equal(m.samples.get(series('tickvisor_coin_audit_windows_total', BTC)), 12);
      assert.equal(m.samples.get(series('tickvisor_coin_audit_missing_total', BTC)), 5);
      assert.equal(m.samples.get(series('tickvisor_coin_audit_filled_total', BTC)), 5);
      assert.equal(m.samples.get(series('tickvisor_coin_audit_unfilled_total', BTC)), 1);
      assert.equal(m.samples.get(series('tickvisor_coin_audited_until_timestamp_seconds', BTC)), (at - 6_000) / 1000);
      assert.equal(m.type.get('tickvisor_coin_audit_missing_total'), 'counter');

      const body = JSON.parse((await fetchText(`${http.url}health`)).body) as StatusPayload;
      assert.deepEqual(body.summary?.coins['coin:bybit:futures:BTC/USDT:USDT']?.audit, { windows: 12, missing: 5, filled: 5, unfilled: 1, failures: 0, auditedUntil: at - 6_000 });
      assert.deepEqual(body.summary?.audits?.['collector:bybit:futures'], { windows: 23, missing: 5, filled: 5, unfilled: 1, failures: 2, auditedUntil: at - 9_000 });

      // the audit goes on: the series follow its counters
      rows = rows.map((r) => ({ ...r, windows: r.windows + 1 }));
      m = parseExposition((await fetchText(`${http.url}metrics`)).body);
      assert.equal(m.samples.get(series('tickvisor_coin_audit_windows_total', BTC)), 13);
    } finally {
      await http.close();
    }
  });

  test('a system without audits has no audit series and no audit figures', async () => {
    const tv = {
      batches$: new Subject<readonly MarketRecord[]>(),
      state: () => manager([collector('binance', 'spot', 'Running', [])]),
      pipelineStats: () => ({ 'binance:spot': pipelineStats() }),
    };
    const http = await serveTickvisor(tv, { port: 0 });
    try {
      const text = (await fetchText(`${http.url}metrics`)).body;
      assert.doesNotMatch(text, /^tickvisor_coin_audit\w*\{/m);
      const body = JSON.parse((await fetchText(`${http.url}health`)).body) as StatusPayload;
      assert.deepEqual(body.summary?.audits, {});
    } finally {
      await http.close();
    }
  });
});
