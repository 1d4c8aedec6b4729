/**
 * Issue 10, row 7: when the disk filled up the pipeline logged "store write failed; batch kept for
 * retry", and within a second the process died on an unhandled lmdb `Commit failed` (lmdb-js
 * rejects a second promise, `commitError`, that nobody handled; and its event-turn batch had a
 * commit promise of its own). Now a failed commit is a rejected write only: the batch is kept,
 * pressure slows intake, a `store-failed` alert is raised, and once space returns the store holds
 * exactly what was pushed, once.
 *
 * Two real ways to run out of space, each with a real LMDB commit failing:
 * - a cap on the store's file size (RLIMIT_FSIZE on this test process, set and lifted with
 *   `prlimit`; Node ignores SIGXFSZ, so the write fails with EFBIG/EIO instead of killing us);
 * - a small tmpfs filled up by another file, then freed (needs `mount`, i.e. root).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Alert } from '../../src/alerts/index.js';
import { createPipeline } from '../../src/ingest/index.js';
import type { Trade } from '../../src/records.js';
import { storeHealthAlerts } from '../../src/runtime/store-health.js';
import { openHistoryStore, type HistoryStore } from '../../src/store/index.js';
import { collect, tempDir, trade } from './helpers.js';

const FRAMES = 120;
const PER_FRAME = 100;

/**
 * timestamps just behind the wall clock: the pipeline validates them against it. Prices and amounts
 * that are not short decimals (square roots) keep the columnar store from packing them into a byte
 * or two, so the trades still outgrow the space left after the first tenth.
 */
function groundTruth(): Trade[][] {
  const base = Date.now() - 20_000;
  return Array.from({ length: FRAMES }, (_, f) =>
    Array.from({ length: PER_FRAME }, (_, i) => {
      const n = f * PER_FRAME + i;
      return trade(String(1_000_000 + n), base + n, { symbol: n % 2 ? 'BTC/USDT' : 'ETH/USDT', price: 100 + Math.sqrt(n + 2), amount: Math.sqrt(n + 3) / 1000 });
    }),
  );
}

/** resolves when `check` holds, polled on the event loop; fails after `limitMs` */
let debug: (() => string) | undefined;
async function until(what: string, check: () => boolean, limitMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}${debug ? `: ${debug()}` : ""}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Pushes the ground truth while `fill()` takes the space away after the first tenth, waits for
 * the failure to show (alert, pressure), gives the space back and checks the store.
 */
async function runDiskFull(path: string, fill: (store: HistoryStore) => void, free: () => void): Promise<void> {
  let unhandled = 0;
  const onUnhandled = () => unhandled++;
  process.on('unhandledRejection', onUnhandled);
  const alerts: { raised: Alert[]; resolved: string[] } = { raised: [], resolved: [] };
  const health = storeHealthAlerts({
    alerting: { raise: (a) => (alerts.raised.push(a), 'sent'), resolve: (kind, key) => alerts.resolved.push(`${kind}:${key}`) },
    storePath: path,
  });
  const store = openHistoryStore({ path });
  const pipeline = createPipeline({
    store,
    batchMaxRecords: 500,
    batchMaxDelayMs: 1,
    highWaterMark: 2_000,
    retryDelayMs: 10,
    maxRetryDelayMs: 50,
    onWriteHealth: (failing, error) => health('binance:spot', failing, error),
  });
  try {
    debug = () => JSON.stringify({ ...pipeline.stats(), size: statSync(join(path, "data.mdb")).size });
    const frames = groundTruth();
    let refusedIntake = 0;
    for (let f = 0; f < frames.length; f++) {
      if (f === FRAMES / 10) {
        await pipeline.flush();
        fill(store);
      }
      if (!pipeline.push(frames[f]!)) refusedIntake++;
      await new Promise((r) => setImmediate(r));
    }
    await until('the store-failed alert', () => alerts.raised.length > 0);
    await until('pressure on the producers', () => pipeline.stats().pressure || refusedIntake > 0);
    assert.ok(pipeline.stats().writeErrors > 0);
    assert.equal(alerts.raised[0]!.kind, 'store-failed');
    assert.equal(alerts.raised[0]!.severity, 'critical');
    assert.ok(alerts.raised[0]!.message.includes(path));
    // the failure lasts: writes keep being retried and keep failing, and the process lives on
    const errorsSoFar = pipeline.stats().writeErrors;
    await until('more retries', () => pipeline.stats().writeErrors > errorsSoFar + 2);
    assert.equal(pipeline.stats().writeFailing, true);
    assert.equal(unhandled, 0, 'no unhandled rejection from lmdb-js');

    free();
    await pipeline.flush();
    assert.equal(pipeline.stats().writeFailing, false);
    // resolved once it is over; with a few pages left a commit may fit now and then, so the
    // failure can come and go before the space is freed: every raise then has its resolve
    assert.ok(alerts.resolved.length >= 1);
    assert.ok(alerts.resolved.every((r) => r === `store-failed:${path}`), JSON.stringify(alerts.resolved));
    assert.equal(alerts.resolved.length, alerts.raised.length, 'every raise resolved');

    const pushed = frames.flat();
    const stored = [
      ...(await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'trade' }))),
      ...(await collect(store.readRange({ exchange: 'binance', market: 'spot', symbol: 'ETH/USDT', type: 'trade' }))),
    ] as Trade[];
    const byId = (a: Trade, b: Trade) => Number(a.id) - Number(b.id);
    assert.equal(stored.length, pushed.length, 'every pushed trade stored, none twice');
    assert.deepEqual(stored.sort(byId), pushed.sort(byId));
    assert.equal(unhandled, 0, 'no unhandled rejection from lmdb-js');
  } finally {
    await pipeline.close();
    await store.close();
    process.off('unhandledRejection', onUnhandled);
  }
}

describe('a full disk does not kill the collector and loses nothing', () => {
  test('store file capped in size (RLIMIT_FSIZE), then uncapped', async (t) => {
    const probe = spawnSync('prlimit', ['--pid', String(process.pid), '--fsize'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      t.skip('prlimit (util-linux) is not available to cap the file size');
      return;
    }
    const path = join(tempDir(t), 'store');
    const setCap = (bytes: number | 'unlimited') =>
      spawnSync('prlimit', ['--pid', String(process.pid), `--fsize=${bytes}:unlimited`], { encoding: 'utf8' });
    try {
      await runDiskFull(
        path,
        () => {
          const size = statSync(join(path, 'data.mdb')).size;
          const capped = setCap(size + 64 * 1024);
          assert.equal(capped.status, 0, capped.stderr);
        },
        () => assert.equal(setCap('unlimited').status, 0),
      );
    } finally {
      setCap('unlimited');
    }
  });

  test('a small tmpfs filled up by another file, then freed', async (t) => {
    const dir = tempDir(t);
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      t.skip(`cannot mount a tmpfs here (${mounted.stderr.trim() || 'not root'}); the size-capped variant covers the same path`);
      return;
    }
    const filler = join(mnt, 'filler');
    try {
      await runDiskFull(
        join(mnt, 'store'),
        () => {
          const fs = statfsSync(mnt);
          // leave a few pages: the next commits run out of space part way
          writeFileSync(filler, Buffer.alloc(Math.max(0, fs.bavail * fs.bsize - 48 * 1024)));
        },
        () => rmSync(filler),
      );
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});
