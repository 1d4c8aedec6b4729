import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareWithTruth } from '../../src/simulate/compare.js';
import { allCoinsSubscribed, drive, driveUntil, nodes, quiesce, startSystem, storedTrades } from '../support/system.js';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT'];

describe('connection lifetime rotation', () => {
  test('a connection reaching its lifetime is replaced make-before-break: no trade missing, none twice', async () => {
    const sys = await startSystem({
      exchanges: [{ exchange: 'binance', market: 'spot', simulated: true, channels: ['trade'], groupSize: 2, sim: { symbols: SYMBOLS } }],
      // the simulated exchange closes every socket after 2.5 s; we rotate after 1.2 s
      connector: { rotateAfterMs: 1_200 },
      simulator: { mode: 'manual', tradesPerSecond: 150, tickersPerSecond: 0, timing: { connectionLifetimeMs: 2_500 } },
    });
    try {
      await driveUntil(sys.tv, 'every coin Subscribed', () => allCoinsSubscribed(sys.tv) && nodes(sys.tv.state(), 'coin').length === 4);
      await drive(sys.tv, 5_000);
      await quiesce(sys.tv);
      const connectors = nodes(sys.tv.state(), 'connector');
      assert.equal(connectors.length, 2);
      for (const c of connectors) {
        assert.ok((c.counters.rotations ?? 0) >= 3, `${c.id} rotated ${c.counters.rotations} times`);
        assert.equal(c.counters.connectionAttempts, 1, `${c.id} never had to reconnect (lifetime close never reached)`);
        assert.equal(c.state, 'Connected');
      }
      const truth = sys.tv.sim!.groundTruth({ exchange: 'binance', market: 'spot' });
      const stored = await storedTrades(sys.tv, 'binance', 'spot', SYMBOLS);
      const v = compareWithTruth(truth, stored, { fromFirstStored: true });
      assert.ok(v.generated > 2_000, `${v.generated} generated`);
      assert.deepEqual({ lost: v.lost, duplicated: v.duplicated, unexpected: v.unexpected }, { lost: 0, duplicated: 0, unexpected: 0 }, JSON.stringify(v));
    } finally {
      await sys.close();
    }
  });
});
