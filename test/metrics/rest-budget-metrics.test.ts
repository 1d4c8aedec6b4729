import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../src/metrics/registry.js';
import { venueProfileOf } from '../../src/rest/venue-limits.js';
import { createWeightBudget } from '../../src/rest/weight-budget.js';
import { fakeTime } from '../rest/fake-time.js';

test('each venue\'s REST budget is on /metrics: weight used vs limit, requests, waits, bans', async () => {
  const clock = fakeTime(1_700_000_040_000);
  const budget = createWeightBudget({ now: clock.now, sleep: clock.sleep, share: 1 });
  const page = venueProfileOf(new URL('https://api.binance.com/api/v3/historicalTrades?symbol=BTCUSDT'))!;
  for (let i = 0; i < 241; i++) await budget.acquire(page); // the 241st waits a minute
  budget.noteBlock(page, clock.now() + 120_000, 'banned', 418, 'https://api.binance.com/api/v3/historicalTrades');
  const metrics = createMetrics({ defaultMetrics: false });
  metrics.updateRestBudgets(budget.stats());
  const text = await metrics.registry.metrics();
  const value = (series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(series + ' '));
    assert.ok(line, `no ${series} in\n${text}`);
    return Number(line.slice(series.length + 1));
  };
  const pool = '{exchange="binance",host="api.binance.com",pool="weight"}';
  assert.equal(value(`tickvisor_rest_weight_used${pool}`), 25);
  assert.equal(value(`tickvisor_rest_weight_limit${pool}`), 6000);
  assert.equal(value(`tickvisor_rest_requests_total${pool}`), 241);
  assert.equal(value(`tickvisor_rest_waits_total${pool}`), 1);
  assert.equal(value(`tickvisor_rest_wait_seconds_total${pool}`), 60);
  const venue = '{exchange="binance",host="api.binance.com"}';
  assert.equal(value(`tickvisor_rest_bans_total${venue}`), 1);
  assert.equal(value(`tickvisor_rest_banned_until_timestamp_seconds${venue}`), (clock.now() + 120_000) / 1000);
});
