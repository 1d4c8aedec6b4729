import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { compareWithTruth } from '../../src/simulate/compare.js';
import { startSimExchange } from '../../src/sim/index.js';
import { openHistoryStore } from '../../src/store/index.js';
import type { Trade } from '../../src/records.js';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];

interface Status {
  committed: number;
  buffered: number;
  subscribed: number;
  coins: number;
  gaps?: { detected: number; pending: number; filled: number };
}

function startChild(config: unknown): { child: ChildProcess; latest: () => Status | undefined } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/fixtures/collector-child.ts', JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let last: Status | undefined;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      last = JSON.parse(line) as Status;
    } catch {
      /* not a status line */
    }
  });
  return { child, latest: () => last };
}

async function until(what: string, condition: () => boolean, tick: () => void, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    tick();
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('crash-safe resume', () => {
  test('a collector killed with SIGKILL mid-write, restarted, stores exactly the ground truth', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickvisor-crash-'));
    const sim = await startSimExchange({
      seed: 7,
      mode: 'manual',
      venues: [{ exchange: 'binance', market: 'spot', symbols: SYMBOLS.map((symbol) => ({ symbol, tradesPerSecond: 300, tickersPerSecond: 0 })) }],
    });
    const advance = () => sim.advance(20);
    const config = {
      exchanges: [{ exchange: 'binance', market: 'spot', channels: ['trade'], ...sim.endpoints('binance', 'spot') }],
      store: { path: dir, batchMaxDelayMs: 20 },
      log: { level: 'silent' },
      metrics: { enabled: false },
    };
    try {
      // 1. run, then SIGKILL while trades are flowing into the store
      const first = startChild(config);
      await until('the first run to store trades', () => (first.latest()?.committed ?? 0) > 1_500, advance);
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));

      // 2. LMDB is readable after the kill, and holds only whole batches
      const afterKill = openHistoryStore({ path: dir });
      const cursors = afterKill.listCursors();
      assert.equal(cursors.length, 3, 'a cursor per symbol survived the kill');
      let readable = 0;
      for (const s of SYMBOLS) for await (const _ of afterKill.readRange({ exchange: 'binance', market: 'spot', symbol: s, type: 'trade' })) readable++;
      assert.ok(readable > 0);
      assert.equal(readable, cursors.reduce((n, c) => n + c.count, 0), 'cursors count exactly what is stored');
      await afterKill.close();

      // 3. the exchange keeps trading while we are down
      for (let i = 0; i < 25; i++) advance();

      // 4. restart: resume from the cursors, backfill the downtime, then stop cleanly
      const second = startChild(config);
      await until(
        'the restart to resubscribe and fill the gap',
        () => {
          const s = second.latest();
          return s !== undefined && s.subscribed === 3 && (s.gaps?.detected ?? 0) >= 3 && s.gaps!.pending === 0 && s.gaps!.filled >= 3;
        },
        advance,
      );
      for (let i = 0; i < 10; i++) {
        advance();
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 500));
      second.child.kill('SIGTERM');
      const code = await new Promise((r) => second.child.once('exit', r));
      assert.equal(code, 0);

      // 5. the store equals the simulator's ground truth: nothing lost, nothing twice
      const store = openHistoryStore({ path: dir });
      const stored: Trade[] = [];
      for (const s of SYMBOLS) for await (const r of store.readRange({ exchange: 'binance', market: 'spot', symbol: s, type: 'trade' })) stored.push(r as Trade);
      await store.close();
      const v = compareWithTruth(sim.groundTruth({ exchange: 'binance', market: 'spot' }), stored, { fromFirstStored: true });
      assert.ok(v.generated > 2_000, `${v.generated} generated`);
      assert.deepEqual({ lost: v.lost, duplicated: v.duplicated, unexpected: v.unexpected }, { lost: 0, duplicated: 0, unexpected: 0 }, JSON.stringify(v));
    } finally {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
