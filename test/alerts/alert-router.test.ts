import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAlertRouter } from '../../src/alerts/alert-router.js';
import type { Alert, AlertKind, AlertSink } from '../../src/alerts/types.js';
import { fakeTime } from './fake-time.js';

function alert(kind: AlertKind, key: string, at = 0): Alert {
  return { kind, key, severity: kind === 'recovery-failed' ? 'critical' : 'warning', message: `${kind} ${key}`, details: {}, at };
}

function memorySink(): AlertSink & { received: Alert[] } {
  const received: Alert[] = [];
  return { name: 'memory', received, send: (a) => void received.push(a) };
}

function setup(opts: { dedupWindowMs?: number; maxPerWindow?: number; windowMs?: number } = {}) {
  const time = fakeTime();
  const sink = memorySink();
  const router = createAlertRouter({
    sinks: [sink],
    dedupWindowMs: opts.dedupWindowMs ?? 10 * 60_000,
    maxPerWindow: opts.maxPerWindow ?? 5,
    windowMs: opts.windowMs ?? 60_000,
    clock: time.clock,
  });
  return { time, sink, router };
}

describe('alert router', () => {
  test('sends the first alert of a key and drops repeats of it within the dedup window', () => {
    const { sink, router, time } = setup();
    assert.equal(router.raise(alert('recovery-failed', 'collector-a')), 'sent');
    for (let i = 0; i < 100; i += 1) {
      time.advance(1_000);
      assert.equal(router.raise(alert('recovery-failed', 'collector-a')), 'deduplicated');
    }
    assert.deepEqual(sink.received.map((a) => a.key), ['collector-a']);
    const s = router.stats();
    assert.equal(s.raised, 101);
    assert.equal(s.sent, 1);
    assert.equal(s.deduplicated, 100);
    assert.equal(s.suppressed, 0);
  });

  test('sends the same key again once the dedup window has passed', () => {
    const { sink, router, time } = setup({ dedupWindowMs: 30_000 });
    router.raise(alert('coin-silent', 'binance:spot:BTC/USDT'));
    time.advance(29_999);
    assert.equal(router.raise(alert('coin-silent', 'binance:spot:BTC/USDT')), 'deduplicated');
    time.advance(1);
    assert.equal(router.raise(alert('coin-silent', 'binance:spot:BTC/USDT')), 'sent');
    assert.equal(sink.received.length, 2);
  });

  test('sends a key again at once after it was resolved in between', () => {
    const { sink, router, time } = setup();
    router.raise(alert('coin-silent', 'k'));
    time.advance(1_000);
    router.resolve('coin-silent', 'k');
    time.advance(1_000);
    assert.equal(router.raise(alert('coin-silent', 'k')), 'sent');
    assert.equal(sink.received.length, 2);
  });

  test('dedups on kind and key together, so equal keys of different kinds both go out', () => {
    const { sink, router } = setup();
    router.raise(alert('error-rate', 'binance:spot'));
    router.raise(alert('coin-silent', 'binance:spot'));
    assert.equal(sink.received.length, 2);
  });

  test('rate-limits across keys and summarizes the excess in one alert when the window ends', () => {
    const { sink, router, time } = setup({ maxPerWindow: 5, windowMs: 60_000 });
    const outcomes = Array.from({ length: 30 }, (_, i) => router.raise(alert('coin-silent', `okx:spot:C${i}/USDT`)));
    assert.equal(outcomes.filter((o) => o === 'sent').length, 5);
    assert.equal(outcomes.filter((o) => o === 'suppressed').length, 25);
    assert.equal(sink.received.length, 5, 'nothing more until the window ends');
    // repeats of a held-back key are duplicates, not more suppressed alerts
    assert.equal(router.raise(alert('coin-silent', 'okx:spot:C29/USDT')), 'deduplicated');

    time.advance(59_999);
    assert.equal(sink.received.length, 5);
    time.advance(1);
    assert.equal(sink.received.length, 6);
    const summary = sink.received[5]!;
    assert.equal(summary.kind, 'suppressed');
    assert.match(summary.message, /^25 more alerts suppressed/);
    assert.equal(summary.details.suppressed, 25);
    assert.deepEqual(summary.details.byKind, { 'coin-silent': 25 });
    assert.equal((summary.details.keys as string[])[0], 'coin-silent:okx:spot:C5/USDT');
    const s = router.stats();
    assert.equal(s.suppressed, 25);
    assert.equal(s.summaries, 1);
    assert.equal(s.sent, 5);
  });

  test('a summary takes the highest severity it holds back', () => {
    const { sink, router, time } = setup({ maxPerWindow: 1 });
    router.raise(alert('coin-silent', 'a'));
    router.raise(alert('coin-silent', 'b'));
    router.raise(alert('recovery-failed', 'collector-x'));
    time.advance(60_000);
    const summary = sink.received.at(-1)!;
    assert.equal(summary.kind, 'suppressed');
    assert.equal(summary.severity, 'critical');
    assert.equal(summary.details.suppressed, 2);
  });

  test('a new window opens with the next alert after one ends, with a fresh allowance', () => {
    const { sink, router, time } = setup({ maxPerWindow: 2, windowMs: 10_000 });
    router.raise(alert('coin-silent', 'a'));
    router.raise(alert('coin-silent', 'b'));
    assert.equal(router.raise(alert('coin-silent', 'c')), 'suppressed');
    time.advance(10_000);
    assert.equal(time.pending(), 0, 'no timer while idle');
    // c was held back, not sent: it is not deduplicated and goes out in the new window
    assert.equal(router.raise(alert('coin-silent', 'c')), 'sent');
    assert.equal(router.raise(alert('coin-silent', 'd')), 'sent');
    assert.equal(router.raise(alert('coin-silent', 'e')), 'suppressed');
    assert.deepEqual(sink.received.map((a) => a.key), ['a', 'b', 'rate-limit', 'c', 'd']);
  });

  test('a window without suppressed alerts ends without a summary', () => {
    const { sink, router, time } = setup();
    router.raise(alert('coin-silent', 'a'));
    time.advance(120_000);
    assert.equal(sink.received.length, 1);
  });

  test('close() sends a pending summary at once: held-back alerts are never silently lost', async () => {
    const { sink, router, time } = setup({ maxPerWindow: 1 });
    router.raise(alert('coin-silent', 'a'));
    router.raise(alert('coin-silent', 'b'));
    await router.close();
    assert.equal(sink.received.at(-1)!.kind, 'suppressed');
    assert.equal(time.pending(), 0);
    assert.equal(router.raise(alert('coin-silent', 'z')), 'closed');
  });

  test('a sink that throws or rejects is counted and reported; other sinks still receive', async () => {
    const time = fakeTime();
    const good = memorySink();
    const errors: string[] = [];
    const router = createAlertRouter({
      sinks: [
        { name: 'throws', send: () => { throw new Error('boom'); } },
        { name: 'rejects', send: () => Promise.reject(new Error('later')) },
        good,
      ],
      dedupWindowMs: 1_000,
      maxPerWindow: 10,
      windowMs: 1_000,
      clock: time.clock,
      onSinkError: (sink, error) => errors.push(`${sink}: ${(error as Error).message}`),
    });
    assert.equal(router.raise(alert('recovery-failed', 'x')), 'sent');
    await router.close();
    assert.equal(good.received.length, 1);
    assert.deepEqual(errors.sort(), ['rejects: later', 'throws: boom']);
    assert.equal(router.stats().sinkErrors, 2);
  });

  test('close() waits for deliveries in flight', async () => {
    const time = fakeTime();
    let release: () => void = () => {};
    let delivered = false;
    const slow: AlertSink = {
      name: 'slow',
      send: () => new Promise<void>((resolve) => (release = () => { delivered = true; resolve(); })),
    };
    const router = createAlertRouter({ sinks: [slow], dedupWindowMs: 1, maxPerWindow: 1, windowMs: 1, clock: time.clock });
    router.raise(alert('recovery-failed', 'x'));
    const closing = router.close();
    let closed = false;
    void closing.then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(closed, false);
    release();
    await closing;
    assert.equal(delivered, true);
  });
});
