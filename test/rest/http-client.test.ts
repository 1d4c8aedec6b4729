import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRestClient, type RestClientOptions } from '../../src/rest/http-client.js';
import { RestError } from '../../src/rest/errors.js';
import { fakeTime } from './fake-time.js';
import { json, slow, startServer, text, type ScriptedServer, type Step } from './scripted-server.js';

// Real sockets here: a suite stalled on I/O fails after 30 s rather than the runner's 3 min.
let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** random() = 0.5 with jitter 0.2 makes every backoff delay exactly 1.1 × min·2^n. */
function setup(steps: Step[], repeat?: Step, extra: RestClientOptions = {}) {
  const clock = fakeTime();
  const warnings: object[] = [];
  const client = createRestClient({
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    minDelayMs: 100,
    maxDelayMs: 1000,
    requestsPerSecond: Infinity,
    logger: { warn: (obj) => warnings.push(obj) },
    ...extra,
  });
  return { clock, client, warnings, start: async () => (server = await startServer(steps, repeat)) };
}

function isRestError(code: string, check: (err: RestError) => void = () => {}) {
  return (err: unknown) => {
    assert.ok(err instanceof RestError, `expected a RestError, got ${String(err)}`);
    assert.equal(err.code, code);
    check(err);
    return true;
  };
}

describe('createRestClient: plain answers', { timeout: 30_000 }, () => {
  test('sends one GET and returns the status, lower-case headers and the parsed JSON body', async () => {
    const { client, clock, start } = setup([json(200, { symbols: ['BTCUSDT'] }, { 'X-MBX-USED-WEIGHT-1M': '20' })]);
    const srv = await start();
    const res = await client(srv.url('/api/v3/exchangeInfo'));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { symbols: ['BTCUSDT'] });
    assert.equal(res.headers['x-mbx-used-weight-1m'], '20');
    assert.equal(srv.requests.length, 1);
    assert.equal(srv.requests[0]!.method, 'GET');
    assert.equal(srv.requests[0]!.url, '/api/v3/exchangeInfo');
    assert.deepEqual(clock.sleeps, []);
  });

  test('returns other 4xx answers to the adapter without retrying, JSON or not', async () => {
    const { client, clock, start } = setup([json(400, { code: -1121, msg: 'Invalid symbol.' }), text(404, 'no such path')]);
    const srv = await start();
    const bad = await client(srv.url());
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { code: -1121, msg: 'Invalid symbol.' });
    const missing = await client(srv.url());
    assert.equal(missing.status, 404);
    assert.equal(missing.body, 'no such path');
    assert.equal(srv.requests.length, 2);
    assert.deepEqual(clock.sleeps, []);
  });

  test('a 403 that is not Bybit\'s rate-limit code is returned as is', async () => {
    const { client, start } = setup([json(403, { retCode: 10001, retMsg: 'params error' })]);
    const srv = await start();
    const res = await client(srv.url());
    assert.equal(res.status, 403);
    assert.equal(srv.requests.length, 1);
  });

  test('a 2xx whose body is not JSON is TV_ERR_REST_BAD_RESPONSE', async () => {
    const { client, start } = setup([text(200, '<html>maintenance</html>')]);
    const srv = await start();
    await assert.rejects(client(srv.url()), isRestError('TV_ERR_REST_BAD_RESPONSE', (e) => assert.equal(e.status, 200)));
  });
});

describe('createRestClient: rate limits and bans', { timeout: 30_000 }, () => {
  test('429 with Retry-After in seconds waits that long, then retries once', async () => {
    const { client, clock, start, warnings } = setup([json(429, { code: -1003 }, { 'Retry-After': '2' })]);
    const srv = await start();
    const res = await client(srv.url());
    assert.equal(res.status, 200);
    assert.equal(srv.requests.length, 2);
    assert.deepEqual(clock.sleeps, [2000]);
    assert.equal(warnings.length, 1);
    assert.equal((warnings[0] as { waitMs: number }).waitMs, 2000);
  });

  test('429 with Retry-After as an HTTP date waits until that date', async () => {
    const { client, clock, start } = setup([
      (req, res) => json(429, {}, { 'Retry-After': new Date(clock.now() + 7000).toUTCString() })(req, res),
    ]);
    const srv = await start();
    await client(srv.url());
    assert.deepEqual(clock.sleeps, [7000]);
    assert.equal(srv.requests.length, 2);
  });

  test('429 without a header backs off exponentially with jitter, then gives up with TV_ERR_REST_RATE_LIMITED', async () => {
    const { client, clock, start } = setup([], json(429, { code: '50011', msg: 'Too Many Requests' }), { maxRateLimitRetries: 3 });
    const srv = await start();
    await assert.rejects(
      client(srv.url()),
      isRestError('TV_ERR_REST_RATE_LIMITED', (e) => {
        assert.equal(e.status, 429);
        assert.equal(e.attempts, 4);
      }),
    );
    assert.equal(srv.requests.length, 4);
    assert.deepEqual(clock.sleeps, [110, 220, 440]); // 100·2^n · (1 + 0.5·0.2)
  });

  test('a Retry-After longer than maxWaitMs is not slept out', async () => {
    const { client, clock, start } = setup([json(429, {}, { 'Retry-After': '600' })], undefined, { maxWaitMs: 60_000 });
    const srv = await start();
    await assert.rejects(client(srv.url()), isRestError('TV_ERR_REST_RATE_LIMITED', (e) => assert.equal(e.retryAfterMs, 600_000)));
    assert.deepEqual(clock.sleeps, []);
    assert.equal(srv.requests.length, 1);
  });

  test('a Retry-After too long to be a number is ignored: backoff, not a block for ever', async () => {
    const { client, clock, start } = setup([json(429, {}, { 'Retry-After': '9'.repeat(400) })]);
    const srv = await start();
    assert.equal((await client(srv.url())).status, 200);
    assert.deepEqual(clock.sleeps, [110]);
    assert.equal(srv.requests.length, 2);
  });

  test('418 waits at least its Retry-After before trying again', async () => {
    const { client, clock, start } = setup([json(418, { code: -1003, msg: 'IP banned' }, { 'Retry-After': '120' })]);
    const srv = await start();
    const res = await client(srv.url());
    assert.equal(res.status, 200);
    assert.deepEqual(clock.sleeps, [120_000]);
    assert.equal(srv.requests.length, 2);
  });

  test('418 without Retry-After waits banWaitMs', async () => {
    const { client, clock, start } = setup([json(418, {})], undefined, { banWaitMs: 90_000 });
    const srv = await start();
    await client(srv.url());
    assert.deepEqual(clock.sleeps, [90_000]);
  });

  test('a ban of days is TV_ERR_REST_BANNED at once, and later calls to that host fail without a request', async () => {
    const { client, clock, start } = setup([json(418, {}, { 'Retry-After': '259200' })]);
    const srv = await start();
    await assert.rejects(
      client(srv.url()),
      isRestError('TV_ERR_REST_BANNED', (e) => {
        assert.equal(e.status, 418);
        assert.equal(e.retryAfterMs, 259_200_000);
      }),
    );
    await assert.rejects(client(srv.url('/other')), isRestError('TV_ERR_REST_BANNED', (e) => assert.equal(e.attempts, 0)));
    assert.equal(srv.requests.length, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  test('Bybit 403 with retCode 10006 waits until X-Bapi-Limit-Reset-Timestamp', async () => {
    const { client, clock, start } = setup([
      (req, res) =>
        json(403, { retCode: 10006, retMsg: 'Too many visits!' }, {
          'X-Bapi-Limit-Status': '0',
          'X-Bapi-Limit-Reset-Timestamp': String(clock.now() + 1500),
        })(req, res),
      json(200, { retCode: 0, retMsg: 'OK', result: { list: [] } }),
    ]);
    const srv = await start();
    const res = await client(srv.url('/v5/market/recent-trade?category=spot&symbol=BTCUSDT'));
    assert.deepEqual(res.body, { retCode: 0, retMsg: 'OK', result: { list: [] } });
    assert.deepEqual(clock.sleeps, [1500]);
    assert.equal(srv.requests.length, 2);
  });
});

describe('createRestClient: server errors, network errors and timeouts', { timeout: 30_000 }, () => {
  test('500 then 502 then 200: two backoff waits, three requests', async () => {
    const { client, clock, start } = setup([json(500, {}), text(502, 'bad gateway')]);
    const srv = await start();
    const res = await client(srv.url());
    assert.equal(res.status, 200);
    assert.equal(srv.requests.length, 3);
    assert.deepEqual(clock.sleeps, [110, 220]);
  });

  test('5xx on every attempt ends in TV_ERR_REST_FAILED after maxRetries retries', async () => {
    const { client, clock, start } = setup([], json(503, {}), { maxRetries: 2 });
    const srv = await start();
    await assert.rejects(
      client(srv.url()),
      isRestError('TV_ERR_REST_FAILED', (e) => {
        assert.equal(e.status, 503);
        assert.equal(e.attempts, 3);
      }),
    );
    assert.equal(srv.requests.length, 3);
    assert.deepEqual(clock.sleeps, [110, 220]);
  });

  test('a response slower than timeoutMs counts as a failure, is retried, then is TV_ERR_REST_FAILED with the timeout as cause', async () => {
    const { client, clock, start } = setup([], slow(2000, json(200, {})), { maxRetries: 1, timeoutMs: 60 });
    const srv = await start();
    await assert.rejects(
      client(srv.url()),
      isRestError('TV_ERR_REST_FAILED', (e) => {
        assert.equal((e.cause as { code?: string }).code, 'ETIMEDOUT');
        assert.equal(e.attempts, 2);
      }),
    );
    assert.equal(srv.requests.length, 2);
    assert.deepEqual(clock.sleeps, [110]);
  });

  test('a slow answer within timeoutMs is fine', async () => {
    const { client, start } = setup([slow(30, json(200, { late: true }))], undefined, { timeoutMs: 2000 });
    const srv = await start();
    assert.deepEqual((await client(srv.url())).body, { late: true });
  });

  test('a request left hanging gets a second copy after the hedge delay, and the first answer is the answer', async () => {
    const delays: number[] = [];
    const { client, clock, start, warnings } = setup([slow(60_000, json(200, { hung: true }))], json(200, { copy: true }), {
      timeoutMs: 30_000,
      hedgeAfterMs: 1_500,
      // the hedge's first timer fires at once (the hung request is still hanging); a later one
      // only ends when cancelled
      hedgeDelay: (ms, signal) => {
        delays.push(ms);
        return delays.length === 1 ? Promise.resolve() : new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('cancelled'))));
      },
    });
    const srv = await start();
    assert.deepEqual((await client(srv.url())).body, { copy: true });
    assert.equal(srv.requests.length, 2);
    assert.deepEqual(delays, [1_500, 1_500]);
    assert.deepEqual(clock.sleeps, [], 'no retry wait: the copy is not a retry');
    assert.ok(warnings.some((w) => (w as { afterMs?: number }).afterMs === 1_500));
  });

  test('hedgeAfterMs false sends one request however long it takes', async () => {
    const delays: number[] = [];
    const { client, start } = setup([slow(40, json(200, { one: true }))], json(200, { copy: true }), {
      hedgeAfterMs: false,
      hedgeDelay: async (ms) => {
        delays.push(ms);
      },
    });
    const srv = await start();
    assert.deepEqual((await client(srv.url())).body, { one: true });
    assert.equal(srv.requests.length, 1);
    assert.deepEqual(delays, []);
  });

  test('no answer at all is retried sooner than a 5xx: networkMinDelayMs (100 ms) against minDelayMs', async () => {
    const refused = setup([], undefined, { maxRetries: 2, minDelayMs: 500 });
    const srv = await refused.start();
    const url = srv.url();
    await srv.close();
    server = undefined;
    await assert.rejects(refused.client(url), isRestError('TV_ERR_REST_FAILED'));
    assert.deepEqual(refused.clock.sleeps, [110, 220]);

    const failing = setup([json(503, {})], json(200, { ok: true }), { minDelayMs: 500 });
    await failing.start();
    assert.deepEqual((await failing.client(server!.url())).body, { ok: true });
    assert.deepEqual(failing.clock.sleeps, [550]);
  });

  test('connection refused is retried, then TV_ERR_REST_FAILED with the network error as cause', async () => {
    const { client, clock, start } = setup([], undefined, { maxRetries: 2 });
    const srv = await start();
    const url = srv.url();
    await srv.close();
    server = undefined;
    await assert.rejects(
      client(url),
      isRestError('TV_ERR_REST_FAILED', (e) => assert.equal((e.cause as { code?: string }).code, 'ECONNREFUSED')),
    );
    assert.deepEqual(clock.sleeps, [110, 220]);
  });
});

describe('createRestClient: client-side pacing and input checks', { timeout: 30_000 }, () => {
  test('requestsPerSecond paces requests per host after the burst', async () => {
    const { client, clock, start } = setup([], undefined, { requestsPerSecond: 2 });
    const srv = await start();
    for (let i = 0; i < 4; i++) await client(srv.url());
    assert.equal(srv.requests.length, 4);
    assert.deepEqual(clock.sleeps, [500, 500]); // a burst of 2, then one every 500 ms
  });

  test('pacing is per host: another host is not slowed by the first', async () => {
    const { client, clock, start } = setup([], undefined, { requestsPerSecond: 1 });
    const first = await start();
    const second = await startServer([]);
    try {
      await client(first.url());
      await client(second.url());
      assert.deepEqual(clock.sleeps, []);
      await client(first.url());
      assert.deepEqual(clock.sleeps, [1000]);
    } finally {
      await second.close();
    }
  });

  test('a URL that is not http(s) is TV_ERR_REST_INVALID_URL', async () => {
    const { client } = setup([]);
    await assert.rejects(client('not a url'), isRestError('TV_ERR_REST_INVALID_URL'));
    await assert.rejects(client('ftp://127.0.0.1/x'), isRestError('TV_ERR_REST_INVALID_URL'));
  });

  test('nonsense options are TV_ERR_REST_INVALID_OPTIONS', () => {
    assert.throws(() => createRestClient({ timeoutMs: 0 }), isRestError('TV_ERR_REST_INVALID_OPTIONS'));
    assert.throws(() => createRestClient({ maxRetries: -1 }), isRestError('TV_ERR_REST_INVALID_OPTIONS'));
    assert.throws(() => createRestClient({ requestsPerSecond: 0 }), isRestError('TV_ERR_REST_INVALID_OPTIONS'));
    assert.throws(() => createRestClient({ requestsPerSecond: 5, burst: Infinity }), isRestError('TV_ERR_REST_INVALID_OPTIONS'));
    // unbounded retries or waits would let the retry loop run forever
    for (const extra of [{ maxRetries: Infinity }, { maxRateLimitRetries: Infinity }, { maxWaitMs: Infinity }, { minDelayMs: NaN }]) {
      assert.throws(() => createRestClient(extra), isRestError('TV_ERR_REST_INVALID_OPTIONS'), JSON.stringify(extra));
    }
  });
});
