import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { allCoinsSubscribed, drive, driveUntil, quiesce, startSystem, storedTrades, type TestSystem } from '../support/system.js';
import { scratchDir } from '../scratch-dir.js';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/cli/run-cli.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tickvisor query reads back what a run stored', () => {
  let sys: TestSystem;
  let stored = 0;
  before(async () => {
    sys = await startSystem({
      exchanges: [{ exchange: 'okx', market: 'spot', simulated: true, sim: { symbols: ['BTC/USDT', 'ETH/USDT'] } }],
      simulator: { mode: 'manual', tradesPerSecond: 100, tickersPerSecond: 10 },
    }, undefined);
    await driveUntil(sys.tv, 'subscribed', () => allCoinsSubscribed(sys.tv));
    await drive(sys.tv, 500);
    await quiesce(sys.tv);
    stored = (await storedTrades(sys.tv, 'okx', 'spot', ['BTC/USDT'])).length;
    await sys.tv.stop(); // the store must be closed for another process to read it consistently
  });
  after(async () => sys?.close());

  test('JSON lines: every stored trade of the symbol, in time order', () => {
    const r = cli('query', '--db', sys.dir, '--exchange', 'okx', '--market', 'spot', '--symbol', 'BTC/USDT', '--type', 'trade');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; symbol: string; timestamp: number });
    assert.ok(stored > 10);
    assert.equal(lines.length, stored);
    assert.ok(lines.every((l) => l.type === 'trade' && l.symbol === 'BTC/USDT'));
    for (let i = 1; i < lines.length; i++) assert.ok(lines[i]!.timestamp >= lines[i - 1]!.timestamp);
  });

  test('CSV: a header and one row per record; both types merged when --type is absent', () => {
    const r = cli('query', '--db', sys.dir, '--exchange', 'okx', '--market', 'spot', '--symbol', 'BTC/USDT', '--format', 'csv');
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n');
    assert.match(rows[0]!, /^type,exchange,market,symbol,timestamp,localTimestamp,id,price,amount,side,last,/);
    assert.ok(rows.slice(1).some((row) => row.startsWith('trade,')));
    assert.ok(rows.slice(1).some((row) => row.startsWith('ticker,')));
  });

  test('a time range narrows the read', () => {
    const all = cli('query', '--db', sys.dir, '--exchange', 'okx', '--market', 'spot', '--symbol', 'BTC/USDT', '--type', 'trade');
    const ts = all.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { timestamp: number }).timestamp);
    const mid = ts[Math.floor(ts.length / 2)]!;
    const r = cli('query', '--db', sys.dir, '--exchange', 'okx', '--market', 'spot', '--symbol', 'BTC/USDT', '--type', 'trade', '--from', String(mid));
    const got = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { timestamp: number }).timestamp);
    assert.ok(got.length > 0 && got.length < ts.length);
    assert.ok(got.every((t) => t >= mid));
  });

  test('a store the reader may not write to reads the same (opened read-only, nothing created)', (t) => {
    const view = scratchDir('tv-query-ro-');
    const isRoot = process.getuid?.() === 0;
    // root writes through file modes: only a read-only bind mount is read-only for it
    const bind = isRoot ? spawnSync('mount', ['--bind', sys.dir, view]) : undefined;
    if (isRoot && (bind!.status !== 0 || spawnSync('mount', ['-o', 'remount,bind,ro', view]).status !== 0)) {
      if (bind!.status === 0) spawnSync('umount', [view]);
      t.skip('running as root without permission to make a read-only bind mount');
      return;
    }
    const path = isRoot ? view : sys.dir;
    if (!isRoot) spawnSync('chmod', ['-R', 'a-w', path]);
    try {
      const r = cli('query', '--db', path, '--exchange', 'okx', '--market', 'spot', '--symbol', 'BTC/USDT', '--type', 'trade');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n').length, stored);
    } finally {
      if (isRoot) spawnSync('umount', [view]);
      else spawnSync('chmod', ['-R', 'u+w', path]);
    }
  });

  test('mistakes are one clear line and a non-zero exit', () => {
    const missing = cli('query', '--db', '/nonexistent/store', '--exchange', 'okx', '--market', 'spot', '--symbol', 'BTC/USDT');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no store at \/nonexistent\/store/);
    const venue = cli('query', '--db', sys.dir, '--exchange', 'upbit', '--market', 'futures', '--symbol', 'BTC/KRW');
    assert.equal(venue.code, 2);
    assert.match(venue.stderr, /unknown exchange\/market: upbit futures/);
  });
});
