import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createAlertRouter } from '../../src/alerts/alert-router.js';
import { recoveryFailedAlert } from '../../src/alerts/from-manager.js';
import { createLogSink } from '../../src/alerts/log-sink.js';
import type { Alert } from '../../src/alerts/types.js';
import { createWebhookSink, webhookRetryDelay } from '../../src/alerts/webhook-sink.js';
import { createLogger } from '../../src/log/logger.js';
import { fakeTime } from './fake-time.js';
import { startReceiver } from './webhook-receiver.js';
import { sparePort } from '../spare-port.js';

const noSleep = async () => {};

function escalation(actor: string, restarts = 3) {
  return recoveryFailedAlert(
    { kind: 'recovery-failed', message: 'recovery failed: operator action needed', actor, supervisor: 'manager', lastError: 'socket closed', restarts },
    1_700_000_000_000,
  );
}

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('debug', { destination, pretty: false }) };
}


describe('webhook alerts', () => {
  test('a receiver gets exactly one alert per escalated actor during a fault storm', async (t) => {
    const receiver = await startReceiver();
    t.after(() => receiver.close());
    const time = fakeTime();
    const webhook = createWebhookSink({ url: receiver.url, sleep: noSleep });
    const router = createAlertRouter({ sinks: [webhook], dedupWindowMs: 15 * 60_000, maxPerWindow: 20, windowMs: 60_000, clock: time.clock });
    const actors = ['binance:spot', 'upbit:spot', 'okx:futures'];
    // the storm: collector binance:spot escalates over and over, two others a few times each
    for (let i = 0; i < 500; i += 1) {
      router.raise(escalation('binance:spot', i));
      if (i % 100 === 0) for (const other of actors.slice(1)) router.raise(escalation(other));
      time.advance(500);
    }
    await router.close();
    assert.equal(receiver.bodies.length, 3);
    assert.deepEqual(receiver.bodies.map((b) => b.key).sort(), [...actors].sort());
    const first = receiver.bodies.find((b) => b.key === 'binance:spot')!;
    assert.equal(first.kind, 'recovery-failed');
    assert.equal(first.severity, 'critical');
    assert.equal(first.source, 'tickvisor');
    assert.match(String(first.text), /recovery failed: operator action needed/);
    assert.deepEqual(first.details, { actor: 'binance:spot', supervisor: 'manager', restarts: 0, lastError: 'socket closed' });
    assert.equal(first.time, new Date(1_700_000_000_000).toISOString());
    assert.equal(router.stats().deduplicated, 500 - 1 + 2 * 5 - 2);
    assert.deepEqual({ delivered: webhook.stats().delivered, failed: webhook.stats().failed }, { delivered: 3, failed: 0 });
  });

  test('retries a 500 with exponential backoff, then succeeds', async (t) => {
    const receiver = await startReceiver((i) => (i < 2 ? { status: 500 } : { status: 204 }));
    t.after(() => receiver.close());
    const delays: number[] = [];
    const { lines, logger } = captureLogger();
    const sink = createWebhookSink({
      url: receiver.url,
      retries: 3,
      backoff: { minDelayMs: 100, maxDelayMs: 10_000, factor: 2 },
      sleep: async (ms) => void delays.push(ms),
      logger,
    });
    await sink.send(escalation('collector-a'));
    assert.equal(receiver.bodies.length, 3);
    assert.deepEqual(delays, [100, 200]);
    assert.deepEqual(sink.stats(), { delivered: 1, failed: 0, dropped: 0, attempts: 3, inFlight: 0 });
    const warnings = lines.filter((l) => l.level === 40);
    assert.equal(warnings.length, 2);
    assert.equal(warnings[0]!.code, 'TV_ERR_ALERT_WEBHOOK');
    assert.equal(warnings[0]!.status, 500);
    // the URL's path may carry a token: only the origin is logged
    assert.ok(!JSON.stringify(lines).includes('secret-token'));
  });

  test('gives up after the last retry without throwing, and logs the failure', async (t) => {
    const receiver = await startReceiver(() => ({ status: 503 }));
    t.after(() => receiver.close());
    const { lines, logger } = captureLogger();
    const sink = createWebhookSink({ url: receiver.url, retries: 2, sleep: noSleep, logger });
    await sink.send(escalation('collector-a'));
    assert.equal(receiver.bodies.length, 3);
    assert.equal(sink.stats().failed, 1);
    assert.equal(lines.filter((l) => l.level === 50 && l.code === 'TV_ERR_ALERT_WEBHOOK').length, 1);
  });

  test('does not retry a 4xx that says the request itself is wrong', async (t) => {
    const receiver = await startReceiver(() => ({ status: 404 }));
    t.after(() => receiver.close());
    const sink = createWebhookSink({ url: receiver.url, retries: 5, sleep: noSleep });
    await sink.send(escalation('collector-a'));
    assert.equal(receiver.bodies.length, 1);
    assert.equal(sink.stats().failed, 1);
  });

  test('honours Retry-After on a 429, within the backoff ceiling', async (t) => {
    const receiver = await startReceiver((i) => (i === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
    t.after(() => receiver.close());
    const delays: number[] = [];
    const sink = createWebhookSink({ url: receiver.url, sleep: async (ms) => void delays.push(ms), backoff: { minDelayMs: 100, maxDelayMs: 60_000, factor: 2 } });
    await sink.send(escalation('collector-a'));
    assert.deepEqual(delays, [2_000]);
    assert.equal(sink.stats().delivered, 1);
    assert.equal(webhookRetryDelay({ minDelayMs: 100, maxDelayMs: 1_000, factor: 2 }, 0, '120'), 1_000);
    assert.equal(webhookRetryDelay({ minDelayMs: 100, maxDelayMs: 1_000, factor: 3 }, 5), 1_000);
    assert.equal(webhookRetryDelay({ minDelayMs: 100, maxDelayMs: 1_000, factor: 3 }, 2), 900);
  });

  test('a receiver that never answers does not block the caller; the attempt times out and is counted', async (t) => {
    const receiver = await startReceiver(() => 'hang');
    t.after(() => receiver.close());
    const time = fakeTime();
    const webhook = createWebhookSink({ url: receiver.url, timeoutMs: 800, retries: 1, sleep: noSleep });
    const router = createAlertRouter({ sinks: [webhook], dedupWindowMs: 60_000, maxPerWindow: 10, windowMs: 60_000, clock: time.clock });
    const started = performance.now();
    for (let i = 0; i < 5; i += 1) assert.equal(router.raise(escalation(`collector-${i}`)), 'sent');
    assert.ok(performance.now() - started < 400, 'raise() returns without waiting for the webhook (timeout 800 ms)');
    assert.equal(webhook.stats().inFlight, 5);
    await router.close();
    assert.deepEqual(webhook.stats(), { delivered: 0, failed: 5, dropped: 0, attempts: 10, inFlight: 0 });
  });

  test('nothing listening: connection refused is retried, then counted as failed; send never rejects', async () => {
    const port = await sparePort();
    const delays: number[] = [];
    const sink = createWebhookSink({ url: `http://127.0.0.1:${port}/hook`, retries: 2, sleep: async (ms) => void delays.push(ms), backoff: { minDelayMs: 10, maxDelayMs: 100, factor: 2 } });
    await sink.send(escalation('collector-a'));
    assert.deepEqual(delays, [10, 20]);
    assert.equal(sink.stats().failed, 1);
  });

  test('past maxInFlight deliveries an alert is dropped and counted, not queued without bound', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sink = createWebhookSink({ url: 'http://127.0.0.1:1/x', maxInFlight: 2, post: async () => (await gate, { status: 200 }) });
    const jobs = [1, 2, 3].map((i) => sink.send(escalation(`c${i}`)));
    assert.equal(sink.stats().dropped, 1);
    release();
    await Promise.all(jobs);
    assert.equal(sink.stats().delivered, 2);
  });

  test('close() cuts a backoff wait short and abandons the remaining retries', async () => {
    let attempts = 0;
    const sink = createWebhookSink({
      url: 'http://127.0.0.1:1/x',
      retries: 5,
      sleep: () => new Promise<void>(() => {}), // a wait that would never end
      post: async () => (attempts++, { status: 500 }),
    });
    const job = sink.send(escalation('c'));
    await new Promise((r) => setImmediate(r));
    await sink.close();
    await job;
    assert.equal(attempts, 1);
    assert.equal(sink.stats().failed, 1);
  });
});

describe('log sink', () => {
  test('writes one line per alert: error for critical, warn for warning, with kind, key and details', () => {
    const { lines, logger } = captureLogger();
    const sink = createLogSink(logger);
    const silent: Alert = { kind: 'coin-silent', key: 'upbit:spot:BTC/KRW', severity: 'warning', message: 'BTC/KRW silent', details: { silentForMs: 400_000 }, at: 5 };
    sink.send(escalation('binance:spot'));
    sink.send(silent);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.level, 50);
    assert.equal((lines[0]!.alert as Record<string, unknown>).key, 'binance:spot');
    assert.match(String(lines[0]!.msg), /recovery failed/);
    assert.equal(lines[1]!.level, 40);
    assert.deepEqual(lines[1]!.alert, { kind: 'coin-silent', key: 'upbit:spot:BTC/KRW', severity: 'warning', at: 5, details: { silentForMs: 400_000 } });
  });
});
