/**
 * Issue 10 row 1 against the simulator: one symbol of a multi-symbol SUBSCRIBE refused by the
 * exchange. Binance refuses the whole request without naming the stream, Bybit refuses the whole
 * request naming the topic, Upbit says nothing and serves the others. The siblings must subscribe,
 * the refused symbol stop with an alert naming it, and heal by itself once the exchange accepts it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Alert } from '../../src/alerts/index.js';
import type { ExchangeId } from '../../src/records.js';
import type { Tickvisor } from '../../src/runtime/tickvisor.js';
import { nodes, startSystem, waitFor } from '../support/system.js';

const VENUES: Array<{ exchange: ExchangeId; quote: string; reason: RegExp }> = [
  { exchange: 'binance', quote: 'USDT', reason: /Invalid request/ },
  { exchange: 'bybit', quote: 'USDT', reason: /Invalid symbol :\[publicTrade\.SOLUSDT\]/ },
  // Upbit never answers a code it will not serve: our subscribe timeout is the refusal
  { exchange: 'upbit', quote: 'KRW', reason: /no answer within 400 ms/ },
];

function coinStates(tv: Tickvisor): Record<string, string> {
  return Object.fromEntries(nodes(tv.state(), 'coin').map((c) => [c.id.split(':').pop()!, c.state]));
}

for (const { exchange, quote, reason } of VENUES) {
  const SYMBOLS = ['BTC', 'ETH', 'SOL', 'XRP'].map((b) => `${b}/${quote}`);
  const SOL = `SOL/${quote}`;
  describe(`${exchange}: one symbol of a batch refused`, () => {
    test('siblings Subscribed; the refused one Stopped with an alert; retried with backoff and healed when the fault ends', async () => {
      const sys = await startSystem({
        exchanges: [{ exchange, market: 'spot', simulated: true, groupSize: 4, sim: { symbols: SYMBOLS } }],
        connector: {
          // Upbit's refusal is our timeout; elsewhere leave room for the paced bisection requests
          subscribeTimeoutMs: exchange === 'upbit' ? 400 : 2_000,
          subscribeRetryMs: 100,
          maxSubscribeFailures: 3,
          refusedRetry: { minDelayMs: 400, maxDelayMs: 800, factor: 2, jitter: 0 },
          reconnect: { minDelayMs: 50, maxDelayMs: 100, factor: 2, jitter: 0 },
        },
        simulator: { tradesPerSecond: 20, tickersPerSecond: 1 },
      });
      const alerts: Alert[] = [];
      const sub = sys.tv.alerts$.subscribe((a) => alerts.push(a));
      try {
        const tv = sys.tv;
        await waitFor('subscribed', () => Object.values(coinStates(tv)).filter((s) => s === 'Subscribed').length === 4);
        // the exchange starts refusing SOL; a reconnect makes the connector subscribe the batch again
        tv.sim!.inject({ kind: 'reject-subscribe', exchange, market: 'spot', symbols: [SOL] });
        tv.sim!.inject({ kind: 'disconnect', exchange, market: 'spot' });
        await waitFor('SOL stopped', () => coinStates(tv)[SOL] === 'Stopped', 10_000);
        await waitFor('the siblings subscribed', () => SYMBOLS.filter((s) => s !== SOL).every((s) => coinStates(tv)[s] === 'Subscribed'), 3_000);
        const states = coinStates(tv);
        assert.deepEqual(
          SYMBOLS.filter((s) => s !== SOL).map((s) => states[s]),
          ['Subscribed', 'Subscribed', 'Subscribed'],
          'the siblings subscribe normally',
        );
        const connector = nodes(tv.state(), 'connector')[0]!;
        assert.equal(connector.state, 'Connected');
        await waitFor('the alert', () => alerts.some((a) => a.kind === 'subscription-refused'), 2_000);
        const alert = alerts.find((a) => a.kind === 'subscription-refused')!;
        assert.equal(alert.key, `${exchange}:spot:${SOL}`);
        assert.deepEqual(
          { exchange: alert.details.exchange, market: alert.details.market, symbol: alert.details.symbol },
          { exchange, market: 'spot', symbol: SOL },
        );
        assert.match(String(alert.details.reason), reason);
        assert.ok(alert.message.includes(SOL));
        assert.equal(alerts.filter((a) => a.kind === 'subscription-refused').length, 1, 'only the refused symbol alerts');

        // the refusal was temporary: the backoff retry heals it, no listing refresh needed
        tv.sim!.clearFaults();
        await waitFor('SOL healed', () => coinStates(tv)[SOL] === 'Subscribed', 5_000);
        assert.ok(Object.values(coinStates(tv)).every((s) => s === 'Subscribed'));
      } finally {
        sub.unsubscribe();
        await sys.close();
      }
    });
  });
}
