// A configured symbol that disappears from a later listing refresh: a warning and a
// `symbol-delisted` alert naming it (only for configured symbols; once per disappearance).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Alert } from '../../src/alerts/index.js';
import { allCoinsSubscribed, nodes, startSystem, waitFor } from '../support/system.js';

describe('a configured symbol delisted at a refresh', () => {
  test('raises symbol-delisted for it, and not for a symbol that was never configured', async () => {
    const sys = await startSystem({
      exchanges: [
        {
          exchange: 'bybit',
          market: 'spot',
          simulated: true,
          refreshIntervalMs: 300,
          sim: { symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] },
          // the exchange's spelling: the alert names the unified symbol it was mapped to
          symbols: ['BTC/USDT', 'ETHUSDT'],
        },
      ],
      simulator: { tradesPerSecond: 5, tickersPerSecond: 1 },
    });
    const alerts: Alert[] = [];
    const sub = sys.tv.alerts$.subscribe((a) => alerts.push(a));
    try {
      await waitFor('both coins Subscribed', () => allCoinsSubscribed(sys.tv) && nodes(sys.tv.state(), 'coin').length === 2);
      assert.equal(alerts.filter((a) => a.kind === 'symbol-delisted').length, 0);
      // ETH (configured) and SOL (not configured) are gone from the listing
      sys.tv.sim!.setSymbols('bybit', 'spot', [{ symbol: 'BTC/USDT', tradesPerSecond: 5, tickersPerSecond: 1 }]);
      await waitFor('the symbol-delisted alert', () => alerts.some((a) => a.kind === 'symbol-delisted'));
      const delisted = alerts.filter((a) => a.kind === 'symbol-delisted');
      assert.deepEqual(delisted.map((a) => a.key), ['bybit:spot:ETH/USDT']);
      assert.match(delisted[0]!.message, /bybit:spot no longer lists ETH\/USDT/);
      assert.equal(delisted[0]!.severity, 'warning');
      await waitFor('ETH stopped', () => nodes(sys.tv.state(), 'coin').find((c) => c.id === 'coin:bybit:spot:ETH/USDT')?.state === 'Stopped');
    } finally {
      sub.unsubscribe();
      await sys.close();
    }
  });
});
