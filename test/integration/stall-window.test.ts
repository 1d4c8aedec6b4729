/**
 * Issue 10, row 4 (the window part): a stall on OKX / Upbit / Bybit shorter than the adapters'
 * silence timeouts. The socket resumes with a hole nobody saw, and those venues have no dense ids
 * to show it. The gap tracker now learns each symbol's usual interval and opens a window from the
 * last trade before a silence far longer than that to the first trade after it; REST fills it.
 * Time is scaled down (20 trades/s, a 2.5 s stall, a 500 ms floor) so the test runs in seconds.
 * Counted strictly: every generated trade comes after the subscriptions went out.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { silentLogger } from '../../src/log/logger.js';
import type { ExchangeId, Market } from '../../src/records.js';
import type { GapTrackerOptions } from '../../src/ingest/gap-tracker.js';
import { createTickvisor } from '../../src/compose/tickvisor.js';
import type { Tickvisor } from '../../src/runtime/tickvisor.js';
import { compareWithTruth } from '../../src/simulate/compare.js';
import { allCoinsSubscribed, drive, driveUntil, nodes, quiesce, storedTrades, waitFor } from '../support/system.js';

const VENUES: Array<{ exchange: ExchangeId; market: Market; symbols: string[] }> = [
  { exchange: 'okx', market: 'spot', symbols: ['BTC/USDT', 'ETH/USDT'] },
  { exchange: 'upbit', market: 'spot', symbols: ['BTC/KRW', 'ETH/KRW'] },
  { exchange: 'bybit', market: 'futures', symbols: ['BTC/USDT:USDT', 'ETH/USDT:USDT'] },
];

async function start(gapTracking: GapTrackerOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'tickvisor-stall-'));
  const tv = createTickvisor(
    {
      exchanges: VENUES.map(({ exchange, market, symbols }) => ({ exchange, market, simulated: true, channels: ['trade'] as const, sim: { symbols } })),
      simulator: { mode: 'manual', tradesPerSecond: 20, tickersPerSecond: 0 },
      connector: { reconnect: { minDelayMs: 100, maxDelayMs: 200, factor: 2, jitter: 0 } },
      store: { path: dir },
    },
    { logger: silentLogger(), gapTracking },
  );
  await tv.start();
  // every SUBSCRIBE is out (one first-subscription window per symbol) before a trade exists
  await waitFor('every subscription sent', () => tv.gapStats().reduce((n, g) => n + g.openWindows, 0) === 6);
  await driveUntil(tv, 'every coin Subscribed', () => allCoinsSubscribed(tv) && nodes(tv.state(), 'coin').length === 6);
  await drive(tv, 1_500); // each symbol's rate is learned
  return {
    tv,
    close: async () => {
      await tv.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function assertNothingLost(tv: Tickvisor): Promise<void> {
  await waitFor('every window closed and filled', () => tv.gapStats().every((g) => g.openWindows === 0 && g.idle));
  await quiesce(tv);
  for (const { exchange, market, symbols } of VENUES) {
    const truth = tv.sim!.groundTruth({ exchange, market });
    const v = compareWithTruth(truth, await storedTrades(tv, exchange, market, symbols));
    assert.ok(v.generated > 150, `${exchange} ${market}: ${v.generated} generated`);
    assert.deepEqual(
      { lost: v.lost, duplicated: v.duplicated, unexpected: v.unexpected },
      { lost: 0, duplicated: 0, unexpected: 0 },
      `${exchange} ${market}: ${JSON.stringify(v)}`,
    );
  }
}

describe('a stall the connection does not notice', () => {
  test('the silence opens a window per symbol from the last trade before it; stored equals generated', async () => {
    const { tv, close } = await start({ silenceFloorMs: 500, silenceFactor: 20, warmupIntervals: 20, suspectFloorMs: 200 });
    try {
      const before = tv.gapStats().reduce((n, g) => n + g.detected, 0);
      tv.sim!.inject({ kind: 'stall', durationMs: 2_500 });
      await drive(tv, 2_500);
      await drive(tv, 1_000);
      const connectors = nodes(tv.state(), 'connector');
      assert.ok(connectors.every((c) => (c.counters.recoveryAttempts ?? 0) === 0), 'the sockets never noticed: no reconnect covered the hole');
      await assertNothingLost(tv);
      assert.ok(tv.gapStats().reduce((n, g) => n + g.detected, 0) - before >= 6, 'one silence window per symbol at least');
    } finally {
      await close();
    }
  });

  test('"feed silent" fires after the data resumed: the reconnect window still starts before the silence', async () => {
    // the OKX run: the reconnect came ~1 s after data resumed, and its window started
    // after the stall. A 60 s silence floor keeps the tracker's own silence windows out of it.
    const { tv, close } = await start({ silenceFloorMs: 60_000, warmupIntervals: 20, suspectFloorMs: 200, reachBackMs: 120_000 });
    try {
      tv.sim!.inject({ kind: 'stall', durationMs: 2_000 });
      await drive(tv, 2_000);
      await drive(tv, 600); // the data is back on the same sockets...
      tv.sim!.inject({ kind: 'disconnect' }); // ...then the late "silent" verdict drops them
      await driveUntil(tv, 'every coin Subscribed again', () =>
        allCoinsSubscribed(tv) && nodes(tv.state(), 'connector').every((c) => (c.counters.recoverySuccesses ?? 0) >= 1));
      await drive(tv, 500);
      await assertNothingLost(tv);
    } finally {
      await close();
    }
  });
});
