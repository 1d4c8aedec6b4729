import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SUPPORTED_VENUES } from '../../src/exchanges/index.js';
import type { ExchangeId, Market } from '../../src/records.js';
import { compareWithTruth } from '../../src/simulate/compare.js';
import { allCoinsSubscribed, drive, driveUntil, nodes, quiesce, startSystem, storedTrades } from '../support/system.js';

const SPOT = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];
const symbolsOf = (exchange: string, market: string) =>
  exchange === 'upbit' ? ['BTC/KRW', 'ETH/KRW', 'SOL/KRW'] : market === 'futures' ? SPOT.map((s) => `${s}:USDT`) : SPOT;

async function verdict(sys: Awaited<ReturnType<typeof startSystem>>, exchange: ExchangeId, market: Market) {
  const symbols = symbolsOf(exchange, market);
  const truth = sys.tv.sim!.groundTruth({ exchange, market });
  const stored = await storedTrades(sys.tv, exchange, market, symbols);
  return compareWithTruth(truth, stored, { fromFirstStored: true });
}

async function settle(sys: Awaited<ReturnType<typeof startSystem>>) {
  // connectors back, every gap window tried, the store caught up
  await driveUntil(sys.tv, 'every coin Subscribed again', () => allCoinsSubscribed(sys.tv));
  await drive(sys.tv, 300);
  await quiesce(sys.tv);
}

describe('gaps are filled by REST: stored trades equal the generated ones', () => {
  test('drop-messages and disconnect on Binance spot and futures (dense ids)', async () => {
    const sys = await startSystem({
      exchanges: [
        { exchange: 'binance', market: 'spot', simulated: true, channels: ['trade'], groupSize: 2, sim: { symbols: symbolsOf('binance', 'spot') } },
        { exchange: 'binance', market: 'futures', simulated: true, channels: ['trade'], groupSize: 2, sim: { symbols: symbolsOf('binance', 'futures') } },
      ],
      connector: { reconnect: { minDelayMs: 50, maxDelayMs: 200, factor: 2, jitter: 0 } },
      simulator: { mode: 'manual', tradesPerSecond: 100, tickersPerSecond: 0 },
    });
    try {
      await driveUntil(sys.tv, 'every coin Subscribed', () => allCoinsSubscribed(sys.tv) && nodes(sys.tv.state(), 'coin').length === 6);
      await drive(sys.tv, 300);
      sys.tv.sim!.inject({ kind: 'drop-messages', exchange: 'binance', count: 25 });
      await drive(sys.tv, 500);
      sys.tv.sim!.inject({ kind: 'disconnect', exchange: 'binance' });
      await drive(sys.tv, 500);
      sys.tv.sim!.inject({ kind: 'drop-messages', exchange: 'binance', market: 'futures', count: 10 });
      await drive(sys.tv, 500);
      await settle(sys);
      for (const market of ['spot', 'futures'] as const) {
        const v = await verdict(sys, 'binance', market);
        assert.ok(v.generated > 200, `binance ${market}: ${v.generated} generated`);
        assert.deepEqual({ lost: v.lost, duplicated: v.duplicated, unexpected: v.unexpected }, { lost: 0, duplicated: 0, unexpected: 0 }, `binance ${market}: ${JSON.stringify(v)}`);
      }
      const collector = nodes(sys.tv.state(), 'collector');
      assert.equal(collector.length, 2);
      const connectors = nodes(sys.tv.state(), 'connector');
      assert.ok(connectors.every((c) => (c.counters.recoverySuccesses ?? 0) >= 1), 'every connector recovered from the disconnect');
    } finally {
      await sys.close();
    }
  });

  test('a disconnect on every exchange market opens a window that REST backfill closes', async () => {
    const sys = await startSystem({
      exchanges: SUPPORTED_VENUES.map(({ exchange, market }) => ({
        exchange,
        market,
        simulated: true,
        channels: ['trade'] as const,
        sim: { symbols: symbolsOf(exchange, market) },
      })),
      connector: { reconnect: { minDelayMs: 200, maxDelayMs: 400, factor: 2, jitter: 0 } },
      simulator: { mode: 'manual', tradesPerSecond: 20, tickersPerSecond: 0 },
    });
    try {
      await driveUntil(sys.tv, 'every coin Subscribed', () => allCoinsSubscribed(sys.tv) && nodes(sys.tv.state(), 'coin').length === 21);
      await drive(sys.tv, 300);
      sys.tv.sim!.inject({ kind: 'disconnect' });
      await drive(sys.tv, 600); // trades generated while the connectors are down
      await settle(sys);
      for (const { exchange, market } of SUPPORTED_VENUES) {
        const v = await verdict(sys, exchange, market);
        assert.ok(v.generated > 20, `${exchange} ${market}: ${v.generated} generated`);
        assert.deepEqual({ lost: v.lost, duplicated: v.duplicated, unexpected: v.unexpected }, { lost: 0, duplicated: 0, unexpected: 0 }, `${exchange} ${market}: ${JSON.stringify(v)}`);
      }
    } finally {
      await sys.close();
    }
  });
});
