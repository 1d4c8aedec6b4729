/**
 * The alert router: between the things that notice trouble (Manager escalations, detectors) and
 * the sinks (log, webhook). A storm of faults must not become a storm of alerts:
 *
 * - dedup: an alert with the same (kind, key) as one sent less than `dedupWindowMs` ago is dropped,
 *   unless `resolve(kind, key)` was called in between (the condition cleared and came back);
 * - rate limit across keys: at most `maxPerWindow` alerts per fixed window of `windowMs` (the
 *   window opens with the first alert); the excess is held back and summarized in ONE
 *   `suppressed` alert ("N more alerts suppressed") when the window ends — never silently lost.
 *
 * Pure logic: the clock and the one timer are injected, so tests run on fake time. `raise` never
 * waits for a sink and never throws; sink failures are counted and reported to `onSinkError`.
 */
import { backgroundClock, type Clock } from '../time/clock.js';
import type { Alert, AlertKind, AlertSeverity, AlertSink } from './types.js';

export interface AlertRouterOptions {
  sinks: readonly AlertSink[];
  /** the same (kind, key) is not re-sent within this long, unless resolved in between */
  dedupWindowMs: number;
  /** at most this many alerts (all keys together) per window */
  maxPerWindow: number;
  windowMs: number;
  /** default: real time whose timers do not keep the process alive (close() flushes a pending summary) */
  clock?: Clock;
  /** a sink threw or rejected (the router itself never throws) */
  onSinkError?: (sink: string, error: unknown, alert: Alert) => void;
}

export type RaiseOutcome = 'sent' | 'deduplicated' | 'suppressed' | 'closed';

export interface AlertRouterStats {
  raised: number;
  /** individual alerts handed to the sinks (summaries not included) */
  sent: number;
  deduplicated: number;
  /** held back by the rate limit (each one is counted in a summary) */
  suppressed: number;
  /** summary alerts sent */
  summaries: number;
  sinkErrors: number;
  sentByKind: Readonly<Partial<Record<AlertKind, number>>>;
}

export interface AlertRouter {
  raise(alert: Alert): RaiseOutcome;
  /** the condition behind (kind, key) cleared: the next alert for it is sent at once */
  resolve(kind: AlertKind, key: string): void;
  stats(): AlertRouterStats;
  /** sends a pending summary now, then waits for the sinks' deliveries in flight */
  close(): Promise<void>;
}

export const DEFAULT_ALERT_ROUTING = { dedupWindowMs: 15 * 60_000, maxPerWindow: 20, windowMs: 60_000 } as const;

/** suppressed keys remembered per window (beyond this they are only counted) */
const MAX_TRACKED_SUPPRESSED = 10_000;
/** keys listed in a summary */
const SUMMARY_KEY_SAMPLE = 20;
/** prune the dedup table when it grows past this */
const DEDUP_PRUNE_AT = 10_000;

interface Window {
  start: number;
  sent: number;
  timer: unknown;
  suppressed: number;
  /** dedup keys held back in this window: a repeat is a duplicate, not one more suppressed */
  suppressedKeys: Set<string>;
  byKind: Partial<Record<AlertKind, number>>;
  keys: string[];
  severity: AlertSeverity;
}

const dedupKey = (kind: AlertKind, key: string) => `${kind}\u0000${key}`;

export function createAlertRouter(options: AlertRouterOptions): AlertRouter {
  const clock = options.clock ?? backgroundClock;
  const now = (): number => clock.now();
  const lastSent = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  const stats = { raised: 0, sent: 0, deduplicated: 0, suppressed: 0, summaries: 0, sinkErrors: 0 };
  const sentByKind: Partial<Record<AlertKind, number>> = {};
  let window: Window | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;

  function sinkFailed(sink: AlertSink, error: unknown, alert: Alert): void {
    stats.sinkErrors += 1;
    try {
      options.onSinkError?.(sink.name, error, alert);
    } catch {
      // an error reporter that throws must not break alerting
    }
  }

  function deliver(alert: Alert): void {
    for (const sink of options.sinks) {
      try {
        const pending = sink.send(alert) as Promise<void> | undefined;
        if (pending && typeof pending.then === 'function') {
          const tracked: Promise<void> = pending.then(
            () => undefined,
            (error: unknown) => sinkFailed(sink, error, alert),
          );
          inFlight.add(tracked);
          void tracked.finally(() => inFlight.delete(tracked));
        }
      } catch (error) {
        sinkFailed(sink, error, alert);
      }
    }
  }

  function prune(at: number): void {
    for (const [k, sentAt] of lastSent) if (at - sentAt >= options.dedupWindowMs) lastSent.delete(k);
  }

  function endWindow(): void {
    const w = window;
    if (!w) return;
    clock.clearTimeout(w.timer);
    window = undefined;
    const at = now();
    prune(at);
    if (w.suppressed === 0) return;
    stats.summaries += 1;
    deliver({
      kind: 'suppressed',
      key: 'rate-limit',
      severity: w.severity,
      message: `${w.suppressed} more alert${w.suppressed === 1 ? '' : 's'} suppressed (rate limit: ${options.maxPerWindow} per ${options.windowMs} ms)`,
      details: {
        suppressed: w.suppressed,
        byKind: { ...w.byKind },
        keys: w.keys,
        moreKeys: Math.max(0, w.suppressedKeys.size - w.keys.length),
        windowStart: w.start,
        windowEnd: at,
      },
      at,
    });
  }

  function openWindow(at: number): Window {
    const w: Window = {
      start: at,
      sent: 0,
      timer: undefined,
      suppressed: 0,
      suppressedKeys: new Set(),
      byKind: {},
      keys: [],
      severity: 'warning',
    };
    w.timer = clock.setTimeout(endWindow, options.windowMs);
    return w;
  }

  function raise(alert: Alert): RaiseOutcome {
    if (closed) return 'closed';
    stats.raised += 1;
    const at = now();
    const k = dedupKey(alert.kind, alert.key);
    const sentAt = lastSent.get(k);
    if (sentAt !== undefined && at - sentAt < options.dedupWindowMs) {
      stats.deduplicated += 1;
      return 'deduplicated';
    }
    window ??= openWindow(at);
    const w = window;
    if (w.suppressedKeys.has(k)) {
      stats.deduplicated += 1;
      return 'deduplicated';
    }
    if (w.sent >= options.maxPerWindow) {
      stats.suppressed += 1;
      w.suppressed += 1;
      w.byKind[alert.kind] = (w.byKind[alert.kind] ?? 0) + 1;
      if (alert.severity === 'critical') w.severity = 'critical';
      if (w.suppressedKeys.size < MAX_TRACKED_SUPPRESSED) w.suppressedKeys.add(k);
      if (w.keys.length < SUMMARY_KEY_SAMPLE) w.keys.push(`${alert.kind}:${alert.key}`);
      return 'suppressed';
    }
    w.sent += 1;
    stats.sent += 1;
    sentByKind[alert.kind] = (sentByKind[alert.kind] ?? 0) + 1;
    lastSent.set(k, at);
    if (lastSent.size > DEDUP_PRUNE_AT) prune(at);
    deliver(alert);
    return 'sent';
  }

  return {
    raise,
    resolve(kind, key) {
      lastSent.delete(dedupKey(kind, key));
    },
    stats: () => ({ ...stats, sentByKind: { ...sentByKind } }),
    close() {
      closing ??= (async () => {
        endWindow();
        closed = true;
        while (inFlight.size > 0) await Promise.all([...inFlight]);
        await Promise.all(
          options.sinks.map(async (sink) => {
            try {
              await sink.close?.();
            } catch {
              stats.sinkErrors += 1;
            }
          }),
        );
      })();
      return closing;
    },
  };
}
