/**
 * Once a second, the standing conditions that deserve an operator's attention: coins silent past
 * their threshold, and collectors whose error rate (malformed frames + rejected records) is over
 * its threshold. Raised and resolved through the alert router (dedup and rate limit live there).
 */
import {
  appendDriftSample, appendSample, createAlertWatch, errorRate, formatDrift, silentCoins, type Alerting, type DriftSample, type ErrorSample,
} from '../alerts/index.js';
import type { CoinActivity } from '../metrics/coin-activity.js';
import type { VenueRuntime } from './venue-io.js';

const ERROR_WINDOW_MS = 60_000;

export function startAlertWatch(options: {
  alerting: Alerting;
  activity: CoinActivity;
  venues: () => Iterable<[string, VenueRuntime]>;
  silentCoinMs: number;
  errorRatePerSecond: number;
  /** frames quarantined per minute, per exchange, market and reason, that raise `format-drift` */
  quarantinePerMinute?: number;
  intervalMs?: number;
  now?: () => number;
}): () => void {
  const watch = createAlertWatch(options.alerting);
  let samples: ErrorSample[] = [];
  let drift: DriftSample[] = [];
  const tick = () => {
    const now = (options.now ?? Date.now)();
    const silent = options.activity.silentFor(now, options.silentCoinMs).map((c) => ({
      exchange: c.exchange,
      market: c.market,
      symbol: c.symbol,
      lastAt: c.lastAt,
      since: now - c.silentMs,
    }));
    watch.update('coin-silent', silentCoins(silent, now, options.silentCoinMs));
    for (const [key, v] of options.venues()) {
      const errors = v.counters.malformed + v.pipeline.stats().rejectedTotal;
      samples = appendSample(samples, { key, at: now, errors }, ERROR_WINDOW_MS);
    }
    watch.update('error-rate', errorRate(samples, ERROR_WINDOW_MS, options.errorRatePerSecond));
    for (const [, v] of options.venues()) {
      for (const [reason, t] of v.quarantined) {
        const frame = (typeof t.lastFrame === 'string' ? t.lastFrame.slice(0, 200) : t.lastFrame.subarray(0, 200).toString('utf8'));
        const sample = { exchange: v.adapter.exchange, market: v.adapter.market, reason, at: now, count: t.count, example: { message: t.lastMessage, frame } };
        drift = appendDriftSample(drift, sample, ERROR_WINDOW_MS);
      }
    }
    watch.update('format-drift', formatDrift(drift, ERROR_WINDOW_MS, options.quarantinePerMinute ?? 10));
  };
  const timer = setInterval(tick, options.intervalMs ?? 1_000);
  timer.unref();
  return () => clearInterval(timer);
}
