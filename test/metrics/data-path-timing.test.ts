import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoinActivity } from '../../src/metrics/coin-activity.js';
import { createMetrics } from '../../src/metrics/registry.js';
import { collector, manager } from './fake-tree.js';
import { parseExposition, pipelineStats, series } from './exposition.js';

const T0 = 1_700_000_000_000;
const BINANCE = { exchange: 'binance', market: 'spot' };
const OKX = { exchange: 'okx', market: 'spot' };

describe('metrics: late records and each venue clock offset', () => {
  test('late records are a monotonic counter per collector; the clock offset a gauge in seconds, absent until measured', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const activity = new CoinActivity({ silentAfterMs: 60_000 });
    const tree = manager([collector('binance', 'spot', 'Running', []), collector('okx', 'spot', 'Running', [])], 0);
    const scrape = async (p: Record<string, ReturnType<typeof pipelineStats>>, now: number) => parseExposition(await metrics.scrape(tree, p, activity, now));

    let e = await scrape({ 'binance:spot': pipelineStats({ late: 12, clockOffsetMs: 8_250 }), 'okx:spot': pipelineStats() }, T0);
    assert.equal(e.samples.get(series('tickvisor_collector_records_late_total', BINANCE)), 12);
    assert.equal(e.samples.get(series('tickvisor_collector_clock_offset_seconds', BINANCE)), 8.25);
    assert.equal(e.samples.get(series('tickvisor_collector_records_late_total', OKX)), 0);
    assert.equal(e.samples.get(series('tickvisor_collector_clock_offset_seconds', OKX)), undefined, 'no frames yet: no offset, never 0');
    assert.equal(e.type.get('tickvisor_collector_records_late_total'), 'counter');
    assert.equal(e.type.get('tickvisor_collector_clock_offset_seconds'), 'gauge');

    // the exchange clock runs 90 s ahead; the pipeline's count went on
    e = await scrape({ 'binance:spot': pipelineStats({ late: 20, clockOffsetMs: -90_000 }), 'okx:spot': pipelineStats() }, T0 + 5_000);
    assert.equal(e.samples.get(series('tickvisor_collector_records_late_total', BINANCE)), 20);
    assert.equal(e.samples.get(series('tickvisor_collector_clock_offset_seconds', BINANCE)), -90);
  });
});
