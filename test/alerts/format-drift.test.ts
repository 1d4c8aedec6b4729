/** `format-drift`: raised when one reason's quarantine rate crosses the threshold, naming it and an example; deduped by the router. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAlertRouter } from '../../src/alerts/alert-router.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { appendDriftSample, formatDrift, type DriftSample } from '../../src/alerts/format-drift.js';
import { createAlertWatch } from '../../src/alerts/watch.js';
import type { Alert } from '../../src/alerts/types.js';

const MIN = 60_000;
const sample = (at: number, count: number, reason = 'unknown-kind'): DriftSample => ({
  exchange: 'okx', market: 'spot', reason, at, count, example: { message: 'channel books9', frame: '{"arg":{"channel":"books9"}}' },
});

function feed(counts: Array<[at: number, count: number]>, reason?: string): DriftSample[] {
  let samples: DriftSample[] = [];
  for (const [at, count] of counts) samples = appendDriftSample(samples, sample(at, count, reason), MIN);
  return samples;
}

describe('format-drift alert', () => {
  test('over the threshold per minute: one alert naming exchange, market, reason and an example', () => {
    const samples = feed([[0, 0], [20_000, 6], [40_000, 12]]);
    const alerts = formatDrift(samples, MIN, 10);
    assert.equal(alerts.length, 1);
    const a = alerts[0]!;
    assert.equal(a.kind, 'format-drift');
    assert.equal(a.key, 'okx:spot:unknown-kind');
    assert.match(a.message, /okx spot: 12 frames quarantined as unknown-kind/);
    assert.match(a.message, /channel books9/);
    assert.deepEqual(a.details.example, { message: 'channel books9', frame: '{"arg":{"channel":"books9"}}' });
  });

  test('at or under the threshold, nothing; a stray frame read a second apart is not 60 a minute', () => {
    assert.deepEqual(formatDrift(feed([[0, 0], [30_000, 5], [59_000, 10]]), MIN, 10), []);
    assert.deepEqual(formatDrift(feed([[0, 0], [1_000, 1]]), MIN, 10), []);
  });

  test('only the last minute counts: an old burst has aged out', () => {
    assert.deepEqual(formatDrift(feed([[0, 0], [1_000, 100], [120_000, 100], [150_000, 101]]), MIN, 10), []);
  });

  test('reasons are judged apart', () => {
    const samples = [...feed([[0, 0], [30_000, 50]], 'bad-field'), ...feed([[0, 0], [30_000, 2]], 'unknown-kind')];
    assert.deepEqual(formatDrift(samples, MIN, 10).map((a) => a.key), ['okx:spot:bad-field']);
  });

  test('through the watch and router: raised once while it holds, resolved when it clears', () => {
    const sent: Alert[] = [];
    const router = createAlertRouter({ sinks: [{ name: 't', send: (a) => void sent.push(a) }], dedupWindowMs: 10 * MIN, maxPerWindow: 100, windowMs: MIN, clock: new ManualClock(0) });
    const watch = createAlertWatch(router);
    const hot = formatDrift(feed([[0, 0], [30_000, 50]]), MIN, 10);
    watch.update('format-drift', hot);
    watch.update('format-drift', hot);
    assert.equal(sent.filter((a) => a.kind === 'format-drift').length, 1, 'deduped');
    watch.update('format-drift', []);
    assert.equal(watch.active('format-drift').size, 0);
  });
});
