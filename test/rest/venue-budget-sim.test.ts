/**
 * End to end against the embedded simulator, which counts REST the way each venue does (Binance
 * weight per clock minute, OKX per endpoint) and answers with the venues' own headers: a burst of
 * backfill and listing requests far over one window's limit goes through the shared client without
 * one 429, paced by the venue budget.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { createRestClient } from '../../src/rest/http-client.js';
import { nodeTransport } from '../../src/rest/node-transport.js';
import type { HttpTransport } from '../../src/rest/transport.js';

/**
 * One fake clock for the simulator and the client. Time moves only when the client sleeps and
 * nothing is on the wire: a request is counted by the simulator at the time it was sent.
 */
function sharedClock(start = 1_700_000_040_000) {
  let t = start;
  let inFlight = 0;
  const transport: HttpTransport = async (url, timeoutMs, signal) => {
    inFlight++;
    try {
      return await nodeTransport(url, timeoutMs, signal);
    } finally {
      inFlight--;
    }
  };
  const sleep = async (ms: number) => {
    // first let the requests just released reach the wire, then wait for their answers
    do await new Promise((resolve) => setImmediate(resolve));
    while (inFlight > 0);
    t += ms;
  };
  return { now: () => t, sleep, transport };
}

describe('the venue budget against the simulator', { timeout: 60_000 }, () => {
  const clock = sharedClock();
  let sim: SimExchange;
  before(async () => {
    sim = await startSimExchange({
      mode: 'manual',
      now: clock.now,
      seed: 5,
      venues: [
        { exchange: 'binance', market: 'spot', symbols: [{ symbol: 'BTC/USDT', tradesPerSecond: 5 }] },
        { exchange: 'okx', market: 'spot', symbols: [{ symbol: 'BTC/USDT', tradesPerSecond: 5 }] },
      ],
    });
  });
  after(() => sim.stop());

  const client = () =>
    createRestClient({ now: clock.now, sleep: clock.sleep, transport: clock.transport, requestsPerSecond: Infinity, maxRateLimitRetries: 0 });

  test('300 history pages of weight 25 plus listings on Binance spot: never a 429, the venue never counts over 6000 a minute', async () => {
    const rest = client();
    const { restUrl } = sim.endpoints('binance', 'spot');
    const urls = [
      ...Array.from({ length: 300 }, () => `${restUrl}/api/v3/historicalTrades?symbol=BTCUSDT&limit=1000`),
      ...Array.from({ length: 5 }, () => `${restUrl}/api/v3/exchangeInfo`),
    ];
    const answers = await Promise.all(urls.map((u) => rest(u)));
    assert.deepEqual([...new Set(answers.map((a) => a.status))], [200]);
    const used = answers.map((a) => Number(a.headers['x-mbx-used-weight-1m']));
    assert.ok(Math.max(...used) <= 6000, `the simulator counted ${Math.max(...used)}`);
    const [stats] = rest.budgetStats();
    assert.equal(stats!.pools[0]!.requests, 305);
    assert.ok(stats!.pools[0]!.waits > 0, 'the burst had to wait');
    assert.equal(stats!.rateLimited, 0);
  });

  test('OKX counts each endpoint apart, with no headers: 40 history pages and 10 listings, never a 429', async () => {
    const rest = client();
    const { restUrl } = sim.endpoints('okx', 'spot');
    const urls = [
      ...Array.from({ length: 40 }, () => `${restUrl}/api/v5/market/history-trades?instId=BTC-USDT&type=1&limit=100`),
      ...Array.from({ length: 10 }, () => `${restUrl}/api/v5/public/instruments?instType=SPOT`),
    ];
    const answers = await Promise.all(urls.map((u) => rest(u)));
    assert.deepEqual([...new Set(answers.map((a) => a.status))], [200]);
    const pools = Object.fromEntries(rest.budgetStats()[0]!.pools.map((p) => [p.pool, p]));
    assert.equal(pools['market/history-trades']!.requests, 40);
    assert.equal(pools['public/instruments']!.requests, 10);
    assert.equal(pools['public/instruments']!.waits, 0, 'listings do not queue behind history pages');
  });
});
