import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backoffDelay,
  classify,
  parseResetTimestamp,
  parseRetryAfter,
  serverWaitMs,
} from '../../src/rest/retry-policy.js';

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);

describe('parseRetryAfter', () => {
  test('reads delta-seconds', () => {
    assert.equal(parseRetryAfter('2', NOW), 2000);
    assert.equal(parseRetryAfter(' 0 ', NOW), 0);
    assert.equal(parseRetryAfter('1.5', NOW), 1500);
  });
  test('reads an HTTP date relative to now, and a past date as 0', () => {
    assert.equal(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW), 30_000);
    assert.equal(parseRetryAfter(new Date(NOW - 30_000).toUTCString(), NOW), 0);
  });
  test('ignores absent or unreadable values', () => {
    assert.equal(parseRetryAfter(undefined, NOW), undefined);
    assert.equal(parseRetryAfter('', NOW), undefined);
    assert.equal(parseRetryAfter('soon', NOW), undefined);
    assert.equal(parseRetryAfter('-5', NOW), undefined);
    assert.equal(parseRetryAfter('9'.repeat(400), NOW), undefined, 'parses to Infinity: unreadable, not forever');
  });
});

describe('parseResetTimestamp (Bybit X-Bapi-Limit-Reset-Timestamp)', () => {
  test('reads milliseconds since epoch, and seconds too', () => {
    assert.equal(parseResetTimestamp(String(NOW + 1500), NOW), 1500);
    assert.equal(parseResetTimestamp(String((NOW + 3000) / 1000), NOW), 3000);
    assert.equal(parseResetTimestamp(String(NOW - 10), NOW), 0);
    assert.equal(parseResetTimestamp('x', NOW), undefined);
    assert.equal(parseResetTimestamp('9'.repeat(400), NOW), undefined);
  });
  test('Retry-After wins over the Bybit header when both are present', () => {
    assert.equal(serverWaitMs({ 'retry-after': '1', 'x-bapi-limit-reset-timestamp': String(NOW + 9000) }, NOW), 1000);
    assert.equal(serverWaitMs({ 'x-bapi-limit-reset-timestamp': String(NOW + 9000) }, NOW), 9000);
    assert.equal(serverWaitMs({}, NOW), undefined);
  });
});

describe('classify', () => {
  const cases: [number, unknown, string][] = [
    [200, { ok: 1 }, 'done'],
    [400, {}, 'done'],
    [404, 'nope', 'done'],
    [403, { retCode: 10001 }, 'done'],
    [403, { retCode: 10006, retMsg: 'Too many visits!' }, 'rate-limited'],
    [200, { retCode: 10006 }, 'rate-limited'],
    [429, { code: '50011' }, 'rate-limited'],
    [418, {}, 'banned'],
    [500, {}, 'server-error'],
    [503, 'down', 'server-error'],
  ];
  for (const [status, body, verdict] of cases) {
    test(`${status} ${JSON.stringify(body)} is ${verdict}`, () => assert.equal(classify(status, body), verdict));
  }
});

describe('backoffDelay', () => {
  const options = { minDelayMs: 100, maxDelayMs: 5000, jitter: 0.2 };
  test('doubles per retry and is capped', () => {
    const none = () => 0;
    assert.deepEqual([0, 1, 2, 3, 6, 20].map((n) => backoffDelay(n, options, none)), [100, 200, 400, 800, 5000, 5000]);
  });
  test('jitter only lengthens the delay, by at most the jitter fraction, and never past the cap', () => {
    for (const r of [0, 0.25, 0.999]) {
      for (let n = 0; n < 8; n++) {
        const plain = backoffDelay(n, options, () => 0);
        const jittered = backoffDelay(n, options, () => r);
        assert.ok(jittered >= plain && jittered <= Math.min(5000, Math.round(plain * 1.2)), `n=${n} r=${r}`);
      }
    }
  });
});
