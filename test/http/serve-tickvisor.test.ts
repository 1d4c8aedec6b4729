import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { Subject } from 'rxjs';
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

const trade = (symbol: string, id: string): MarketRecord => ({
  type: 'trade', exchange: 'binance', market: 'spot', symbol, id, price: 1, amount: 1, side: 'buy', timestamp: 1, localTimestamp: 1,
});

describe('serveTickvisor', () => {
  test('feeds coin activity from the record batches into /metrics and the status summary', async () => {
    let clock = 1_700_000_000_000;
    const batches$ = new Subject<readonly MarketRecord[]>();
    const tv = {
      batches$,
      state: () => manager([collector('binance', 'spot', 'Running', [connector('binance', 'spot', 0, 'Connected', connectorCounters(), [coin('binance', 'spot', 'BTC/USDT')])])]),
      pipelineStats: () => ({ 'binance:spot': pipelineStats({ committed: 3 }) }),
    };
    const http = await serveTickvisor(tv, { port: 0, now: () => clock, silentCoinMs: 10_000 });
    try {
      batches$.next([trade('BTC/USDT', '1'), trade('BTC/USDT', '2')]);
      clock += 400;
      batches$.next([trade('BTC/USDT', '3')]);
      const m = parseExposition((await fetchText(`${http.url}metrics`)).body);
      const BTC = { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' };
      assert.equal(m.samples.get(series('tickvisor_coin_records_received_total', BTC)), 3);
      assert.equal(m.samples.get(series('tickvisor_coin_last_receive_timestamp_seconds', BTC)), clock / 1000);
      assert.equal(m.samples.get(series('tickvisor_coin_mean_receive_interval_seconds', BTC)), 0.2);
      clock += 600;
      const health = await fetchText(`${http.url}health`);
      assert.equal(health.status, 200);
      const body = JSON.parse(health.body) as StatusPayload;
      assert.equal(body.summary?.coins['coin:binance:spot:BTC/USDT']?.lastAt, clock - 600);
      assert.equal(body.summary?.committed, 3);
      assert.equal(body.summary?.silentAfterMs, 10_000);
    } finally {
      await http.close();
    }
    assert.equal(batches$.observed, false, 'close() unsubscribes from the records');
  });
});
