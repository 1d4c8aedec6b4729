/**
 * Issue 12, command-line habits: `--version`, a reader that closes the pipe early
 * (`tickvisor query … | head -1` used to die with `Error: write EPIPE … Unhandled 'error' event`,
 * exit 1), `query --list`, and a query that matches nothing saying so instead of printing nothing.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Trade } from '../../src/records.js';
import { openHistoryStore } from '../../src/store/index.js';

const CLI = ['--import', 'tsx', 'test/cli/run-cli.ts'];

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the CLI with stdout piped and closes the reading end: at once (`closeAt: 'start'`, the
 * reader is gone before the first write) or after the first chunk (`| head -1`).
 */
function closedPipe(closeAt: 'start' | 'first-chunk', ...args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string; got: number }> {
  const child = spawn(process.execPath, [...CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let got = 0;
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  if (closeAt === 'start') child.stdout!.destroy();
  else
    child.stdout!.once('data', (d: Buffer) => {
      got = d.length;
      child.stdout!.destroy();
    });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stderr, got });
    }),
  );
}

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);
const TRADES = 20_000;

describe('tickvisor command-line habits', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tv-cli-habits-'));
    const store = openHistoryStore({ path: dir });
    const trade = (symbol: string, i: number): Trade => ({
      type: 'trade', exchange: 'binance', market: 'spot', symbol, id: String(1000 + i), price: 100 + (i % 7), amount: 0.5, side: i % 2 ? 'buy' : 'sell',
      timestamp: T0 + i * 10, localTimestamp: T0 + i * 10 + 3,
    });
    // enough output (several MB) that the writer is still writing when the reader leaves
    await store.writeBatch(Array.from({ length: TRADES }, (_, i) => trade('BTC/USDT', i)));
    await store.writeBatch(Array.from({ length: 3 }, (_, i) => trade('ETH/USDT', i)));
    await store.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--version and -v print the package version and exit 0', () => {
    for (const flag of ['--version', '-v']) {
      const r = cli(flag);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), version);
    }
  });

  test('query | head -1: the reader leaving ends the output quietly with exit 0', async () => {
    const r = await closedPipe('first-chunk', 'query', '--db', dir, '--exchange', 'binance', '--market', 'spot', '--symbol', 'BTC/USDT');
    assert.ok(r.got > 0, 'it had started writing');
    assert.equal(r.signal, null);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /EPIPE|Error|\n\s+at /);
  });

  test('every command that writes to stdout ends quietly when the reader left before it wrote', async () => {
    const runs: string[][] = [
      ['--help'],
      ['--version'],
      ['query', '--db', dir, '--list'],
      ['query', '--db', dir, '--exchange', 'binance', '--market', 'spot', '--symbol', 'ETH/USDT', '--format', 'csv'],
      ['quarantine', '--db', dir],
      ['reparse', '--db', dir],
      ['diagrams', '--check'],
    ];
    for (const args of runs) {
      const r = await closedPipe('start', ...args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|\n\s+at /, args.join(' '));
    }
  });

  test('query --list: type, exchange, market, symbol, count, first and last time of everything stored', () => {
    const r = cli('query', '--db', dir, '--list');
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(rows, [
      { type: 'trade', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', count: TRADES, first: new Date(T0).toISOString(), last: new Date(T0 + (TRADES - 1) * 10).toISOString() },
      { type: 'trade', exchange: 'binance', market: 'spot', symbol: 'ETH/USDT', count: 3, first: new Date(T0).toISOString(), last: new Date(T0 + 20).toISOString() },
    ]);
    const csv = cli('query', '--db', dir, '--list', '--format', 'csv');
    assert.equal(csv.stdout.split('\n')[0], 'type,exchange,market,symbol,count,first,last,blocks');
    assert.equal(csv.stdout.split('\n')[2], `trade,binance,spot,ETH/USDT,3,${new Date(T0).toISOString()},${new Date(T0 + 20).toISOString()},`);
  });

  test('a query that matches nothing says so on stderr, with the way to list what is stored', () => {
    const wrong = cli('query', '--db', dir, '--exchange', 'binance', '--market', 'spot', '--symbol', 'SOL/USDT');
    assert.equal(wrong.code, 0);
    assert.equal(wrong.stdout, '');
    assert.match(wrong.stderr, /no records for binance spot SOL\/USDT/);
    assert.match(wrong.stderr, /--list/);
    const spelling = cli('query', '--db', dir, '--exchange', 'binance', '--market', 'spot', '--symbol', 'btcusdt');
    assert.match(spelling.stderr, /stored as BTC\/USDT/);
    const range = cli('query', '--db', dir, '--exchange', 'binance', '--market', 'spot', '--symbol', 'ETH/USDT', '--to', String(T0 - 1));
    assert.match(range.stderr, /no records for binance spot ETH\/USDT in the range asked/);
  });
});
