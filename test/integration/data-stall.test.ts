/**
 * Issue 10 rows 3 and 4 against the simulator: the exchange stops sending data while the socket
 * stays open and keeps answering our pings. The connector must notice within a few of the feed's
 * usual gaps — not after the adapter's 40–65 s silence timeout — and reconnect.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExchangeId } from '../../src/records.js';
import { nodes, startSystem, waitFor, waitForTradesPast } from '../support/system.js';

const SYMBOLS: Record<string, string[]> = {
  okx: ['BTC/USDT', 'ETH/USDT'],
  bybit: ['BTC/USDT', 'ETH/USDT'],
  upbit: ['BTC/KRW', 'ETH/KRW'],
};

describe('a data-only stall that keeps answering pings', () => {
  for (const exchange of ['okx', 'bybit', 'upbit'] as ExchangeId[]) {
    test(`${exchange}: noticed within seconds and reconnected; no stall while data flows`, async () => {
      const sys = await startSystem({
        exchanges: [{ exchange, market: 'spot', simulated: true, groupSize: 2, sim: { symbols: SYMBOLS[exchange]! } }],
        connector: {
          pingIntervalMs: 250,
          // scaled down from the defaults (activity still comes once a second, so the minimum silence
          // stays above that); the adapter's 40–65 s silence bound stays
          stall: { checkEveryMs: 250, expectedGaps: 10, warmupMs: 1_500, minSilenceMs: 1_500, memoryMs: 12_000 },
          reconnect: { minDelayMs: 50, maxDelayMs: 100, factor: 2, jitter: 0 },
        },
        simulator: { tradesPerSecond: 10, tickersPerSecond: 0 },
      });
      try {
        const tv = sys.tv;
        const connector = () => nodes(tv.state(), 'connector')[0]!;
        await waitFor('subscribed', () => nodes(tv.state(), 'coin').every((c) => c.state === 'Subscribed') && nodes(tv.state(), 'coin').length === 2);
        // 4 s of the exchange's trades stored, past the warm-up and the minimum silence
        await waitForTradesPast(tv, exchange, 'spot', SYMBOLS[exchange]!, Date.now(), 4_000);
        assert.equal(connector().counters.dataStalls, 0, 'no stall while data flows');
        assert.equal(connector().counters.recoveryAttempts, 0);

        // every trade frame dropped for 8 s; pings are still answered
        const injectedAt = Date.now();
        tv.sim!.inject({ kind: 'drop-messages', exchange, market: 'spot', durationMs: 8_000 });
        await waitFor('the stall detected', () => (connector().counters.dataStalls ?? 0) >= 1, 6_000, 10);
        const noticedMs = Date.now() - injectedAt;
        // about 1.5–2.5 s here (the data silence plus up to a second of activity aggregation); the bound
        // leaves room for a loaded machine and is still far from the adapter's 40–65 s timeout
        assert.ok(noticedMs < 5_000, `noticed after ${noticedMs} ms: ${connector().lastError}`);
        assert.match(connector().lastError ?? '', /data stalled/);
        await waitFor('reconnected', () => (connector().counters.recoverySuccesses ?? 0) >= 1 && connector().state === 'Connected', 3_000);
      } finally {
        await sys.close();
      }
    });
  }
});
