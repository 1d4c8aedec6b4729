/** The order-book series: one per coin with a book; counters from the venue's totals; age and levels only while live. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { createBookMetrics, type BookMetricRow } from '../../src/metrics/book-metrics.js';

const row = (over: Partial<BookMetricRow>): BookMetricRow => ({
  exchange: 'okx', market: 'futures', symbol: 'BTC/USDT:USDT', state: 'live',
  counters: { resyncs: 2, sequenceGaps: 1, checksumFailures: 1, overflowed: 0 },
  timestamp: 9_000, bidLevels: 400, askLevels: 398, ...over,
});

describe('book metrics', () => {
  test('state codes, monotonic totals, age and levels of a live book; no age nor levels while resyncing', async () => {
    const registry = new Registry();
    const update = createBookMetrics(registry);
    update([row({}), row({ symbol: 'ETH/USDT:USDT', state: 'resyncing', timestamp: NaN, bidLevels: 0, askLevels: 0 })], 10_000);
    const text = await registry.metrics();
    const l = 'exchange="okx",market="futures",symbol="BTC/USDT:USDT"';
    const e = 'exchange="okx",market="futures",symbol="ETH/USDT:USDT"';
    assert.match(text, new RegExp(`tickvisor_book_state\\{${l}\\} 1\\n`));
    assert.match(text, new RegExp(`tickvisor_book_state\\{${e}\\} 2\\n`));
    assert.match(text, new RegExp(`tickvisor_book_resyncs_total\\{${l}\\} 2\\n`));
    assert.match(text, new RegExp(`tickvisor_book_checksum_failures_total\\{${l}\\} 1\\n`));
    assert.match(text, new RegExp(`tickvisor_book_age_seconds\\{${l}\\} 1\\n`));
    assert.match(text, new RegExp(`tickvisor_book_levels\\{${l},side="bid"\\} 400\\n`));
    assert.doesNotMatch(text, new RegExp(`tickvisor_book_age_seconds\\{${e}\\}`));
    assert.doesNotMatch(text, new RegExp(`tickvisor_book_levels\\{${e}`));
    update([row({ counters: { resyncs: 3, sequenceGaps: 2, checksumFailures: 1, overflowed: 0 } })], 10_000);
    assert.match(await registry.metrics(), new RegExp(`tickvisor_book_resyncs_total\\{${l}\\} 3\\n`));
  });
});
