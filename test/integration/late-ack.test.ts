/**
 * Issue 10 row 10 against the simulator: the exchange acknowledges after our subscribe timeout.
 * The late ack must confirm the coins, and no second SUBSCRIBE may follow for streams that flow.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nodes, startSystem, waitFor, waitForTradesPast } from '../support/system.js';

describe('an ack that arrives after the subscribe timeout', () => {
  test('confirms the coins; exactly one SUBSCRIBE per request, none repeated', async () => {
    const sys = await startSystem({
      exchanges: [{ exchange: 'binance', market: 'spot', simulated: true, groupSize: 2, sim: { symbols: ['BTC/USDT', 'ETH/USDT'] } }],
      connector: {
        subscribeTimeoutMs: 300,
        subscribeRetryMs: 1_500,
        reconnect: { minDelayMs: 50, maxDelayMs: 100, factor: 2, jitter: 0 },
      },
      simulator: { tradesPerSecond: 20, tickersPerSecond: 1 },
    });
    try {
      const tv = sys.tv;
      const coins = () => nodes(tv.state(), 'coin');
      const requests = () => tv.sim!.stats().venues[0]!.subscribeRequests;
      await waitFor('subscribed', () => coins().length === 2 && coins().every((c) => c.state === 'Subscribed'));
      // every frame from the exchange now takes 800 ms: acks come well after our 300 ms timeout
      tv.sim!.inject({ kind: 'slow', exchange: 'binance', market: 'spot', latencyMs: 800 });
      const before = requests();
      tv.sim!.inject({ kind: 'disconnect', exchange: 'binance', market: 'spot' });
      await waitFor('reconnected and subscribing', () => requests() > before, 3_000, 10);
      await waitFor('confirmed by the late ack', () => coins().every((c) => c.state === 'Subscribed'), 3_000, 10);
      // past the retry time: a dropped late ack would have sent the SUBSCRIBE again by now (the
      // evidence is trades the exchange stamped 2 s after the confirmation, stored)
      await waitForTradesPast(tv, 'binance', 'spot', ['BTC/USDT', 'ETH/USDT'], Date.now(), 2_000);
      assert.equal(requests() - before, 1, 'one SUBSCRIBE for the group, never repeated');
      assert.ok(coins().every((c) => c.state === 'Subscribed'));
      const connector = nodes(tv.state(), 'connector')[0]!;
      assert.ok((connector.counters.subscriptionFailures ?? 0) >= 2, 'the timeouts were counted');
    } finally {
      sys.tv.sim?.clearFaults();
      await sys.close();
    }
  });
});
