import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openHistoryStore } from '../../src/store/index.js';
import { collect, tempDir } from './helpers.js';

const writer = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const B = 500;

/** Starts the writer, SIGKILLs it right after it reports `killAfter` commits (i.e. mid-way through the next). */
function runAndKill(path: string, killAfter: number, t: { after: (fn: () => void) => void }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, path, String(B)], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // never leave a writer running if the test fails or times out
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let lastCommitted = -1;
    let pending = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) lastCommitted = Number(line);
      if (lastCommitted + 1 >= killAfter && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${code}): ${stderr}`));
      else resolve(lastCommitted);
    });
  });
}

test('after SIGKILL mid-write, every committed batch is readable, batches are whole, cursors match the data', { timeout: 60_000 }, async (t) => {
  const path = tempDir(t);
  // two rounds: the second writer reopens a store that was killed once already
  const firstReported = await runAndKill(path, 8, t);
  const reported = await runAndKill(path, firstReported + 1 + 8, t);
  assert.ok(reported >= 8, `writer reported ${reported}`);

  const store = openHistoryStore({ path });
  t.after(() => store.close());
  for (const symbol of ['BTC/USDT', 'ETH/USDT']) {
    const trades = await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol, type: 'trade' }));
    const ids = trades.map((r) => (r.type === 'trade' ? Number(r.id) : -1));
    // the second writer restarted from id 1, so it rewrote the first writer's trades as duplicates:
    // the store holds each id once, contiguous from 1, in whole batches
    assert.equal(ids.length % B, 0, `${symbol}: ${ids.length} trades is not whole batches`);
    assert.ok(ids.length >= (reported + 1) * B, `${symbol}: ${ids.length} trades, ${reported + 1} batches reported`);
    ids.forEach((id, i) => assert.equal(id, i + 1));
    const cursor = store.readCursor('binance', 'spot', symbol);
    assert.equal(cursor?.count, ids.length);
    assert.equal(cursor?.lastTradeId, String(ids.length));
    assert.equal(cursor?.lastTimestamp, trades.at(-1)?.timestamp);
  }
});
