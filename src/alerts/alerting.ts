/**
 * The assembled alerting of one Tickvisor: a router over the log sink (always) and the webhook
 * sink (when `alerts.webhook` is configured). This is what the runtime holds; detectors and the
 * Manager's alerts go in through `raise` (or a watch), `close()` on shutdown.
 */
import type { Logger } from '../log/logger.js';
import { createAlertRouter, DEFAULT_ALERT_ROUTING, type AlertRouter } from './alert-router.js';
import { createLogSink } from './log-sink.js';
import type { AlertSink } from './types.js';
import type { Clock } from '../time/clock.js';
import { createWebhookSink, type WebhookSink, type WebhookSinkOptions } from './webhook-sink.js';

export interface AlertingOptions {
  logger: Logger;
  /** a URL, or the full webhook options */
  webhook?: string | Omit<WebhookSinkOptions, 'logger'>;
  dedupWindowMs?: number;
  maxPerWindow?: number;
  windowMs?: number;
  clock?: Clock;
  /** extra sinks (tests, an in-process subscriber) */
  sinks?: readonly AlertSink[];
}

export interface Alerting extends AlertRouter {
  readonly webhook: WebhookSink | undefined;
}

export function createAlerting(options: AlertingOptions): Alerting {
  const log = options.logger.child({ module: 'alerts' });
  const webhookOptions = typeof options.webhook === 'string' ? { url: options.webhook } : options.webhook;
  const webhook = webhookOptions ? createWebhookSink({ ...webhookOptions, logger: log }) : undefined;
  const router = createAlertRouter({
    sinks: [createLogSink(log), ...(webhook ? [webhook] : []), ...(options.sinks ?? [])],
    dedupWindowMs: options.dedupWindowMs ?? DEFAULT_ALERT_ROUTING.dedupWindowMs,
    maxPerWindow: options.maxPerWindow ?? DEFAULT_ALERT_ROUTING.maxPerWindow,
    windowMs: options.windowMs ?? DEFAULT_ALERT_ROUTING.windowMs,
    ...(options.clock ? { clock: options.clock } : {}),
    onSinkError: (sink, error, alert) =>
      log.error({ code: 'TV_ERR_ALERT_SINK', sink, alert: { kind: alert.kind, key: alert.key }, err: error }, 'alert sink failed'),
  });
  return { ...router, webhook };
}
