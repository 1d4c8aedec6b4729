import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allCoinsSubscribed, nodes, startSystem, waitFor } from '../support/system.js';

describe('periodic market refresh against the simulator', () => {
  test('a new listing is subscribed and a delisting stopped, without restarting unrelated connectors', async () => {
    const initial = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT'];
    const sys = await startSystem({
      exchanges: [{ exchange: 'bybit', market: 'spot', simulated: true, groupSize: 2, refreshIntervalMs: 400, sim: { symbols: initial } }],
      simulator: { tradesPerSecond: 5, tickersPerSecond: 1 },
    });
    try {
      await waitFor('initial coins Subscribed', () => allCoinsSubscribed(sys.tv) && nodes(sys.tv.state(), 'coin').length === 4);
      const before = new Map(nodes(sys.tv.state(), 'connector').map((c) => [c.id, c.counters.connectionAttempts]));
      const groups = () => sys.tv.root!.system.get('collector:bybit:spot')!.getSnapshot().context.groups as string[][];
      const groupsBefore = groups().map((g) => [...g]);

      // ADA is listed, SOL delisted
      sys.tv.sim!.setSymbols('bybit', 'spot', ['BTC/USDT', 'ETH/USDT', 'XRP/USDT', 'ADA/USDT'].map((symbol) => ({ symbol, tradesPerSecond: 5, tickersPerSecond: 1 })));
      await waitFor('ADA subscribed and SOL stopped', () => {
        const coins = new Map(nodes(sys.tv.state(), 'coin').map((c) => [c.id, c.state]));
        return coins.get('coin:bybit:spot:ADA/USDT') === 'Subscribed' && coins.get('coin:bybit:spot:SOL/USDT') === 'Stopped';
      });
      const after = nodes(sys.tv.state(), 'connector');
      for (const c of after) {
        if (before.has(c.id)) assert.equal(c.counters.connectionAttempts, before.get(c.id), `${c.id} kept its socket`);
      }
      // nobody moved: every symbol still listed is in the group it was in
      for (const [i, g] of groupsBefore.entries()) {
        for (const s of g) if (s !== 'SOL/USDT') assert.ok(groups()[i]!.includes(s), `${s} stayed in group ${i}`);
      }
      assert.ok(!groups().flat().includes('SOL/USDT'));
    } finally {
      await sys.close();
    }
  });
});
