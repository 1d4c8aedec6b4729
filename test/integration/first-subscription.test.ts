/**
 * Issue 10, row 5: the first frames of a quiet symbol are dropped right after it subscribed. The
 * symbol had no trade before, so nothing told the tracker a window was open: the trades were lost
 * while the report (counting from the first stored trade) said lost 0. Counted strictly here: the
 * simulator runs in manual mode and generates nothing before every coin is Subscribed, so every
 * generated trade was published after its subscription was acknowledged, and must be stored.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExchangeId, Market } from '../../src/records.js';
import { compareWithTruth } from '../../src/simulate/compare.js';
import { allCoinsSubscribed, drive, nodes, quiesce, startSystem, storedTrades, waitFor } from '../support/system.js';

const VENUES: Array<{ exchange: ExchangeId; market: Market; busy: string; quiet: string }> = [
  { exchange: 'binance', market: 'spot', busy: 'BTC/USDT', quiet: 'SOL/USDT' },
  { exchange: 'okx', market: 'spot', busy: 'BTC/USDT', quiet: 'SOL/USDT' },
  { exchange: 'bybit', market: 'futures', busy: 'BTC/USDT:USDT', quiet: 'SOL/USDT:USDT' },
];

describe('every subscribed symbol is covered from its subscription on', () => {
  test('dropped first frames of a quiet symbol right after subscribing are backfilled (Binance, OKX, Bybit)', async () => {
    const sys = await startSystem({
      exchanges: VENUES.map(({ exchange, market, busy, quiet }) => ({
        exchange,
        market,
        simulated: true,
        channels: ['trade'] as const,
        sim: { symbols: [{ symbol: busy, tradesPerSecond: 20 }, { symbol: quiet, tradesPerSecond: 4 }] },
      })),
      simulator: { mode: 'manual', tickersPerSecond: 0 },
    });
    try {
      // acks, not data, confirm these venues: subscribed before a single trade exists
      await waitFor('every coin Subscribed', () => allCoinsSubscribed(sys.tv) && nodes(sys.tv.state(), 'coin').length === 6);
      for (const { exchange, market, quiet } of VENUES) sys.tv.sim!.inject({ kind: 'drop-messages', exchange, market, symbols: [quiet], count: 5 });
      await drive(sys.tv, 3_000);
      await waitFor('every window closed and filled', () => sys.tv.gapStats().every((g) => g.openWindows === 0 && g.idle));
      await quiesce(sys.tv);
      for (const { exchange, market, busy, quiet } of VENUES) {
        const dropped = sys.tv.sim!.stats().venues.find((v) => v.exchange === exchange && v.market === market)!.tradesDropped;
        assert.equal(dropped, 5, `${exchange} ${market}: the fault dropped the quiet symbol's first five trades`);
        const truth = sys.tv.sim!.groundTruth({ exchange, market });
        const stored = await storedTrades(sys.tv, exchange, market, [busy, quiet]);
        const v = compareWithTruth(truth, stored);
        assert.ok(truth.filter((t) => t.symbol === quiet).length >= 8, `${exchange} ${market}: the quiet symbol traded`);
        assert.deepEqual(
          { lost: v.lost, duplicated: v.duplicated, unexpected: v.unexpected },
          { lost: 0, duplicated: 0, unexpected: 0 },
          `${exchange} ${market}: ${JSON.stringify(v)}`,
        );
      }
    } finally {
      await sys.close();
    }
  });
});
