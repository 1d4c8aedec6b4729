/**
 * Threshold detectors: pure functions from observations to the alerts they justify. The runtime
 * calls them on its stats tick (once a second is plenty — never per tick) and hands the result to
 * an AlertWatch (watch.ts), which raises the new ones and resolves the ones that cleared.
 */
import type { Alert } from './types.js';

export interface CoinActivity {
  exchange: string;
  market: string;
  symbol: string;
  /** last record received, ms since epoch; undefined: nothing yet */
  lastAt: number | undefined;
  /** when collection of this coin began: a coin that never sent anything is silent since then */
  since?: number;
}

export const coinKey = (a: Pick<CoinActivity, 'exchange' | 'market' | 'symbol'>) => `${a.exchange}:${a.market}:${a.symbol}`;

/** one `coin-silent` alert per coin whose last record is older than `thresholdMs` */
export function silentCoins(activity: readonly CoinActivity[], now: number, thresholdMs: number): Alert[] {
  const alerts: Alert[] = [];
  for (const coin of activity) {
    const reference = coin.lastAt ?? coin.since;
    if (reference === undefined) continue;
    const silentForMs = now - reference;
    if (silentForMs <= thresholdMs) continue;
    alerts.push({
      kind: 'coin-silent',
      key: coinKey(coin),
      severity: 'warning',
      message: `${coin.symbol} on ${coin.exchange} ${coin.market}: no data for ${Math.round(silentForMs / 1000)} s (threshold ${Math.round(thresholdMs / 1000)} s)`,
      details: { exchange: coin.exchange, market: coin.market, symbol: coin.symbol, lastAt: coin.lastAt ?? null, silentForMs, thresholdMs },
      at: now,
    });
  }
  return alerts;
}

/**
 * One reading of a cumulative error counter (e.g. a collector's malformed frames + rejected
 * records). Counters, not rates: a missed reading loses nothing, and a counter that goes down
 * (a restarted collector) is read as a fresh counter from zero.
 */
export interface ErrorSample {
  /** whose counter: e.g. the collector `exchange:market` */
  key: string;
  at: number;
  errors: number;
}

/**
 * One `error-rate` alert per key whose errors per second, over the newest `windowMs` of its
 * samples, exceed `thresholdPerSecond`. A key needs two samples in the window to have a rate.
 */
export function errorRate(samples: readonly ErrorSample[], windowMs: number, thresholdPerSecond: number): Alert[] {
  const byKey = new Map<string, ErrorSample[]>();
  for (const s of samples) {
    const list = byKey.get(s.key);
    if (list) list.push(s);
    else byKey.set(s.key, [s]);
  }
  const alerts: Alert[] = [];
  for (const [key, list] of byKey) {
    list.sort((a, b) => a.at - b.at);
    const newest = list[list.length - 1]!;
    const inWindow = list.filter((s) => s.at >= newest.at - windowMs);
    const first = inWindow[0]!;
    const elapsedMs = newest.at - first.at;
    if (inWindow.length < 2 || elapsedMs <= 0) continue;
    let errors = 0;
    for (let i = 1; i < inWindow.length; i += 1) {
      const delta = inWindow[i]!.errors - inWindow[i - 1]!.errors;
      errors += delta >= 0 ? delta : inWindow[i]!.errors;
    }
    const perSecond = errors / (elapsedMs / 1000);
    if (perSecond <= thresholdPerSecond) continue;
    alerts.push({
      kind: 'error-rate',
      key,
      severity: 'warning',
      message: `${key}: ${perSecond.toFixed(1)} errors/s over the last ${Math.round(elapsedMs / 1000)} s (threshold ${thresholdPerSecond}/s)`,
      details: { errors, elapsedMs, perSecond, thresholdPerSecond },
      at: newest.at,
    });
  }
  return alerts;
}

/** appends a reading and forgets those too old to matter for any key (pure; bounded history) */
export function appendSample(samples: readonly ErrorSample[], sample: ErrorSample, windowMs: number): ErrorSample[] {
  const oldest = sample.at - windowMs;
  return [...samples.filter((s) => s.at >= oldest), sample];
}
