/**
 * `format-drift`: frames of one exchange × market are quarantined for one reason (unreadable JSON,
 * an unknown kind, a missing field…) faster than the threshold. That is how a venue's format change
 * shows: records stop while frames keep coming. The alert names the reason and quotes an example,
 * so the operator knows what to look at before opening `tickvisor quarantine`.
 *
 * Pure: readings of the cumulative per-reason counters in, alerts out (like detectors.ts). The
 * rate is frames over the window, never over less: one stray frame at start-up, read twice a
 * second apart, is not "60 a minute".
 */
import type { Alert } from './types.js';

export interface DriftSample {
  exchange: string;
  market: string;
  reason: string;
  at: number;
  /** cumulative frames quarantined for this reason */
  count: number;
  /** the last quarantined frame's message and text (already cut short) */
  example: { message: string; frame: string };
}

export const driftKey = (s: Pick<DriftSample, 'exchange' | 'market' | 'reason'>) => `${s.exchange}:${s.market}:${s.reason}`;

export function formatDrift(samples: readonly DriftSample[], windowMs: number, thresholdPerMinute: number): Alert[] {
  const byKey = new Map<string, DriftSample[]>();
  for (const s of samples) {
    const key = driftKey(s);
    const list = byKey.get(key);
    if (list) list.push(s);
    else byKey.set(key, [s]);
  }
  const alerts: Alert[] = [];
  for (const [key, list] of byKey) {
    list.sort((a, b) => a.at - b.at);
    const newest = list[list.length - 1]!;
    const inWindow = list.filter((s) => s.at >= newest.at - windowMs);
    let frames = 0;
    for (let i = 1; i < inWindow.length; i++) {
      const delta = inWindow[i]!.count - inWindow[i - 1]!.count;
      // a counter that went down was restarted: its value is what it counted since
      frames += delta >= 0 ? delta : inWindow[i]!.count;
    }
    const perMinute = frames / (windowMs / 60_000);
    if (perMinute <= thresholdPerMinute) continue;
    const { exchange, market, reason, example } = newest;
    alerts.push({
      kind: 'format-drift',
      key,
      severity: 'warning',
      message: `${exchange} ${market}: ${frames} frames quarantined as ${reason} in the last ${Math.round(windowMs / 1000)} s (threshold ${thresholdPerMinute}/min); e.g. ${example.message}: ${example.frame}`,
      details: { exchange, market, reason, frames, perMinute, thresholdPerMinute, example },
      at: newest.at,
    });
  }
  return alerts;
}

/** appends a reading and forgets those older than the window (pure; bounded history) */
export function appendDriftSample(samples: readonly DriftSample[], sample: DriftSample, windowMs: number): DriftSample[] {
  const oldest = sample.at - windowMs;
  return [...samples.filter((s) => s.at >= oldest), sample];
}
