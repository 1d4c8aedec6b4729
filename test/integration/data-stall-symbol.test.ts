/**
 * Issue 10, Build item 3 per symbol, against the simulator: the exchange delists one symbol (drops
 * its streams without a word, refuses new subscriptions) and relists it a few seconds later without
 * resubscribing anyone, while the socket's other symbol trades on. Before, the coin stayed
 * `Subscribed` with nothing flowing until the 15-minute listing refresh, and everything it traded
 * after the relisting was lost. Now its silence is judged against its own rate: it is subscribed
 * again on the same socket, refused while delisted (alerted, retried with backoff), confirmed once
 * relisted, and the silent stretch is backfilled by REST.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Alert } from '../../src/alerts/index.js';
import type { ExchangeId } from '../../src/records.js';
import { compareWithTruth } from '../../src/simulate/compare.js';
import { drive, driveUntil, nodes, quiesce, sleep, startSystem, storedTrades, waitFor } from '../support/system.js';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT'];
const ETH = 'ETH/USDT';

describe('one symbol delisted and relisted while its socket stays busy', () => {
  for (const exchange of ['binance', 'okx'] as ExchangeId[]) {
    test(`${exchange}: resubscribed on the same socket, refused while delisted, back and backfilled once relisted`, async () => {
      const sys = await startSystem({
        exchanges: [{ exchange, market: 'spot', simulated: true, channels: ['trade'], groupSize: 2, sim: { symbols: SYMBOLS } }],
        connector: {
          // scaled down from the defaults (15 s warm-up, 4 s minimum silence, 30 s first retry)
          stall: { checkEveryMs: 100, expectedGaps: 10, warmupMs: 1_000, minSilenceMs: 800, memoryMs: 12_000, longestGapFactor: 1.5 },
          maxSubscribeFailures: 1,
          refusedRetry: { minDelayMs: 400, maxDelayMs: 1_600, factor: 2, jitter: 0 },
          reconnect: { minDelayMs: 50, maxDelayMs: 100, factor: 2, jitter: 0 },
        },
        // manual: trades are generated only while the test drives, so the final count is complete
        simulator: { mode: 'manual', tradesPerSecond: 20, tickersPerSecond: 0 },
      });
      const alerts: Alert[] = [];
      const sub = sys.tv.alerts$.subscribe((a) => alerts.push(a));
      try {
        const tv = sys.tv;
        const coin = (symbol: string) => nodes(tv.state(), 'coin').find((c) => c.id.endsWith(`:${symbol}`))!;
        const connector = () => nodes(tv.state(), 'connector')[0]!;
        await driveUntil(tv, 'subscribed', () => nodes(tv.state(), 'coin').filter((c) => c.state === 'Subscribed').length === 2);
        await drive(tv, 2_000); // past the warm-up

        tv.sim!.inject({ kind: 'delist', exchange, market: 'spot', symbols: [ETH], durationMs: 4_000 });
        const delistedAt = Date.now();
        await driveUntil(tv, 'ETH refused while delisted', () => coin(ETH).state === 'Stopped', 4_000, 10);
        assert.ok(Date.now() - delistedAt < 4_000, 'noticed while still delisted');
        assert.ok((coin(ETH).counters.dataStalls ?? 0) >= 1, 'ETH’s own silence was the reason');
        assert.equal(coin('BTC/USDT').state, 'Subscribed', 'BTC untouched');
        await waitFor('the alert', () => alerts.some((a) => a.kind === 'subscription-refused'), 2_000);
        const alert = alerts.find((a) => a.kind === 'subscription-refused')!;
        assert.equal(alert.details?.symbol, ETH);

        await driveUntil(tv, 'ETH subscribed again after the relisting', () => coin(ETH).state === 'Subscribed', 8_000, 10);
        assert.ok(Date.now() - delistedAt < 4_000 + 3_500, `back ${Date.now() - delistedAt - 4_000} ms after the relisting`);
        const c = connector();
        assert.equal(c.counters.connectionAttempts, 1, 'the same socket all along');
        assert.equal(c.counters.dataStalls ?? 0, 0, 'never a connection stall');
        assert.ok((c.counters.symbolStalls ?? 0) >= 1, 'the connector counted the symbol stall');

        // nothing ETH traded after the relisting is missing: the re-subscription's window backfilled it
        await drive(tv, 1_000);
        await quiesce(tv);
        let verdict = compareWithTruth(tv.sim!.groundTruth({ exchange, market: 'spot' }), await storedTrades(tv, exchange, 'spot', SYMBOLS), { fromFirstStored: true });
        const deadline = Date.now() + 5_000;
        while (verdict.lost > 0 && Date.now() < deadline) {
          await sleep(250);
          verdict = compareWithTruth(tv.sim!.groundTruth({ exchange, market: 'spot' }), await storedTrades(tv, exchange, 'spot', SYMBOLS), { fromFirstStored: true });
        }
        assert.ok(verdict.generated > 100, `${verdict.generated} generated`);
        assert.deepEqual({ lost: verdict.lost, duplicated: verdict.duplicated, unexpected: verdict.unexpected }, { lost: 0, duplicated: 0, unexpected: 0 }, JSON.stringify(verdict));
      } finally {
        sub.unsubscribe();
        await sys.close();
      }
    });
  }
});
