import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Trade } from '../../src/records.js';
import { openHistoryStore } from '../../src/store/index.js';
import { startSystem, waitFor } from '../support/system.js';

// Row 9: a second run of the embedded default on the same store reused Binance's trade ids, so
// the store held one id twice with different prices. The simulator now continues its ids.
const VENUES = [
  { exchange: 'binance' as const, market: 'spot' as const, simulated: true, channels: ['trade' as const], sim: { symbols: ['BTC/USDT', 'ETH/USDT'] } },
  { exchange: 'bybit' as const, market: 'spot' as const, simulated: true, channels: ['trade' as const], sim: { symbols: ['BTC/USDT'] } },
];

async function oneRun(dir: string): Promise<void> {
  const sys = await startSystem({ exchanges: VENUES, simulator: { mode: 'manual', seed: 1, tradesPerSecond: 100 }, metrics: { enabled: false } }, dir);
  try {
    const committed = () => Object.values(sys.tv.pipelineStats()).reduce((n, s) => n + s.committed, 0);
    await waitFor('a few hundred trades stored', () => {
      sys.tv.sim!.advance(50);
      return committed() >= 300;
    });
    await sys.tv.drain();
  } finally {
    await sys.close();
  }
}

describe('a second run on the same store', () => {
  test('stores every trade id once: the simulator continues ids across runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickvisor-rerun-'));
    try {
      await oneRun(dir);
      await oneRun(dir);
      const store = openHistoryStore({ path: dir });
      try {
        for (const [exchange, symbol] of [['binance', 'BTC/USDT'], ['binance', 'ETH/USDT'], ['bybit', 'BTC/USDT']] as const) {
          const ids = new Map<string, number>();
          for await (const r of store.readRange({ exchange, market: 'spot', symbol, type: 'trade' })) {
            const id = (r as Trade).id;
            ids.set(id, (ids.get(id) ?? 0) + 1);
          }
          const twice = [...ids].filter(([, n]) => n > 1);
          assert.ok(ids.size > 100, `${exchange} ${symbol}: ${ids.size} ids stored`);
          assert.deepEqual(twice, [], `${exchange} ${symbol}: ids stored twice`);
        }
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
