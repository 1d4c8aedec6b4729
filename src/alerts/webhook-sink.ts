/**
 * Webhook sink: POSTs each alert as JSON to an operator's URL (Slack-style incoming webhooks take
 * the `text` field; anything else reads the structured fields). got's own retry is off — the retry
 * loop is ours, with exponential backoff and an injectable sleep — and HTTP errors do not throw,
 * so the status decides: 2xx delivered; 408/429/5xx, network errors and timeouts retried; any
 * other 4xx is a configuration mistake and not retried.
 *
 * `send` never rejects: failures are logged (code TV_ERR_ALERT_WEBHOOK) and counted. Deliveries run
 * concurrently up to `maxInFlight`; past that an alert is dropped, logged and counted rather than
 * queued without bound (the log sink still has it). The URL may hold a secret token, so logs show
 * only its origin.
 */
import type { Logger } from '../log/logger.js';
import type { Alert, AlertSink } from './types.js';

export const WEBHOOK_ERROR_CODE = 'TV_ERR_ALERT_WEBHOOK';

export interface WebhookResponse {
  status: number;
  /** the Retry-After header, when present */
  retryAfter?: string;
}

/** One POST; rejects only for network errors and timeouts. */
export type WebhookPost = (url: string, body: unknown, timeoutMs: number) => Promise<WebhookResponse>;

/** got, imported on the first alert only: its import alone costs ~19 MB of resident memory (rest/node-transport.ts) */
export const gotWebhookPost: WebhookPost = async (url, body, timeoutMs) => {
  const { default: got } = await import('got');
  const response = await got.post(url, {
    json: body,
    timeout: { request: timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    headers: { 'user-agent': 'tickvisor/0.1' },
  });
  const retryAfter = response.headers['retry-after'];
  return { status: response.statusCode, ...(retryAfter ? { retryAfter } : {}) };
};

export interface WebhookBackoff {
  minDelayMs: number;
  maxDelayMs: number;
  factor: number;
}

export interface WebhookSinkOptions {
  url: string;
  /** per attempt */
  timeoutMs?: number;
  /** attempts after the first */
  retries?: number;
  backoff?: WebhookBackoff;
  maxInFlight?: number;
  logger?: Pick<Logger, 'warn' | 'error'>;
  sleep?: (ms: number) => Promise<void>;
  post?: WebhookPost;
}

export interface WebhookSinkStats {
  delivered: number;
  /** gave up after the last retry (or on a non-retryable status) */
  failed: number;
  /** dropped because `maxInFlight` deliveries were already running */
  dropped: number;
  attempts: number;
  inFlight: number;
}

export interface WebhookSink extends AlertSink {
  stats(): WebhookSinkStats;
  /** cuts backoff waits short (remaining retries are abandoned), waits for requests in flight */
  close(): Promise<void>;
}

export const DEFAULT_WEBHOOK = {
  timeoutMs: 5_000,
  retries: 3,
  backoff: { minDelayMs: 500, maxDelayMs: 30_000, factor: 2 },
  maxInFlight: 16,
} as const;

/** the delay before retry number `retry` (0-based) */
export function webhookRetryDelay(backoff: WebhookBackoff, retry: number, retryAfter?: string): number {
  const exponential = Math.min(backoff.maxDelayMs, backoff.minDelayMs * backoff.factor ** retry);
  const seconds = retryAfter === undefined ? NaN : Number(retryAfter);
  // a server asking for a wait (429/503) gets it, within our ceiling
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(backoff.maxDelayMs, Math.max(exponential, seconds * 1000)) : exponential;
}

const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

export function webhookPayload(alert: Alert): Record<string, unknown> {
  return {
    source: 'tickvisor',
    text: `[${alert.severity}] ${alert.message} (${alert.kind}: ${alert.key})`,
    kind: alert.kind,
    key: alert.key,
    severity: alert.severity,
    message: alert.message,
    details: alert.details,
    at: alert.at,
    time: new Date(alert.at).toISOString(),
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid url)';
  }
}

function errorFacts(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { error: error.message, errorCode: (error as { code?: unknown }).code };
  return { error: String(error) };
}

export function createWebhookSink(options: WebhookSinkOptions): WebhookSink {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK.timeoutMs;
  const retries = options.retries ?? DEFAULT_WEBHOOK.retries;
  const backoff = options.backoff ?? DEFAULT_WEBHOOK.backoff;
  const maxInFlight = options.maxInFlight ?? DEFAULT_WEBHOOK.maxInFlight;
  const post = options.post ?? gotWebhookPost;
  // unref'd: a backoff wait alone must not hold the process open (close() cuts it short anyway)
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));
  const origin = originOf(options.url);
  const log = options.logger;
  const stats = { delivered: 0, failed: 0, dropped: 0, attempts: 0 };
  const running = new Set<Promise<void>>();
  let closing = false;
  /** resolves when close() starts, to cut short a backoff wait */
  let wakeOnClose: () => void = () => {};
  const closed = new Promise<void>((resolve) => (wakeOnClose = resolve));

  async function deliver(alert: Alert): Promise<void> {
    const body = webhookPayload(alert);
    const facts = { code: WEBHOOK_ERROR_CODE, webhook: origin, alert: { kind: alert.kind, key: alert.key } };
    for (let attempt = 0; ; attempt += 1) {
      stats.attempts += 1;
      let retryAfter: string | undefined;
      let failure: Record<string, unknown>;
      try {
        const response = await post(options.url, body, timeoutMs);
        if (response.status >= 200 && response.status < 300) {
          stats.delivered += 1;
          return;
        }
        failure = { status: response.status };
        if (!retryableStatus(response.status)) {
          stats.failed += 1;
          log?.error({ ...facts, ...failure, attempt }, 'alert webhook refused the alert; not retrying');
          return;
        }
        retryAfter = response.retryAfter;
      } catch (error) {
        failure = errorFacts(error);
      }
      if (attempt >= retries || closing) {
        stats.failed += 1;
        log?.error({ ...facts, ...failure, attempts: attempt + 1 }, closing ? 'alert webhook delivery abandoned at shutdown' : 'alert webhook delivery failed');
        return;
      }
      const delayMs = webhookRetryDelay(backoff, attempt, retryAfter);
      log?.warn({ ...facts, ...failure, attempt, retryInMs: delayMs }, 'alert webhook attempt failed; retrying');
      await Promise.race([sleep(delayMs), closed]);
      if (closing) {
        stats.failed += 1;
        log?.error({ ...facts, ...failure, attempts: attempt + 1 }, 'alert webhook delivery abandoned at shutdown');
        return;
      }
    }
  }

  return {
    name: 'webhook',
    send(alert) {
      if (running.size >= maxInFlight) {
        stats.dropped += 1;
        log?.error({ code: WEBHOOK_ERROR_CODE, webhook: origin, alert: { kind: alert.kind, key: alert.key }, maxInFlight }, 'alert webhook busy; alert dropped');
        return Promise.resolve();
      }
      // deliver() catches everything it can; this catch is the last guard of "never rejects"
      const job = deliver(alert).catch((error: unknown) => {
        stats.failed += 1;
        log?.error({ code: WEBHOOK_ERROR_CODE, webhook: origin, ...errorFacts(error) }, 'alert webhook delivery crashed');
      });
      running.add(job);
      void job.finally(() => running.delete(job));
      return job;
    },
    stats: () => ({ ...stats, inFlight: running.size }),
    async close() {
      closing = true;
      wakeOnClose();
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
