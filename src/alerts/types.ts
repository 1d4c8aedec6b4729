/**
 * The alert contract (docs/architecture.md#supervision-rules): what the router deduplicates and rate-limits, and what every sink
 * (log, webhook) receives. One shape for all kinds so a sink never needs to know where an alert
 * came from.
 */

/**
 * `suppressed` is the router's own summary ("N more alerts suppressed") sent when a rate-limit
 * window closes with alerts held back: the excess is summarized, never silently lost.
 * `store-failed`: commits to the history store fail (disk full, I/O error); batches are kept and
 * retried, intake is slowed, and the alert is resolved once a write succeeds again.
 * `rest-banned`: a venue banned our IP from its REST API (Binance/Upbit 418); no REST request goes
 * to it (no backfill, no audit, no listing) until the ban ends, which the alert tells.
 * `format-drift`: frames of one exchange × market are quarantined for one reason faster than
 * `alerts.quarantinePerMinute` (see format-drift.ts).
 * `symbol-delisted`: a configured symbol disappeared from a later listing of its venue.
 */
export type AlertKind =
  | 'recovery-failed'
  | 'coin-silent'
  | 'error-rate'
  | 'subscription-refused'
  | 'suppressed'
  | 'store-failed'
  | 'rest-banned'
  | 'format-drift'
  | 'symbol-delisted';

/** critical: an operator must act (logged at `error`); warning: worth a look (logged at `warn`) */
export type AlertSeverity = 'critical' | 'warning';

export interface Alert {
  kind: AlertKind;
  /**
   * What the alert is about, for deduplication: an actor's systemId, `exchange:market:symbol`, a
   * collector's `exchange:market`. The router dedups on (kind, key), so keys of different kinds
   * never collide.
   */
  key: string;
  severity: AlertSeverity;
  /** one line for a human */
  message: string;
  /** JSON-serializable facts (thresholds, counts, last error) */
  details: Readonly<Record<string, unknown>>;
  /** when the condition was observed, ms since epoch */
  at: number;
}

/** Where alerts go. `send` may be async; the router never awaits it on the caller's path. */
export interface AlertSink {
  readonly name: string;
  send(alert: Alert): void | Promise<void>;
  /** waits for deliveries in flight (bounded by the sink's own timeouts) */
  close?(): Promise<void>;
}
