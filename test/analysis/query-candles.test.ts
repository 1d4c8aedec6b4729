/**
 * `tickvisor query … --candles 1m` on a real store: candles instead of records, as JSON lines and
 * CSV, with the expected values written out by hand; a bad interval is one usage line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Trade } from '../../src/records.js';
import { openHistoryStore } from '../../src/store/index.js';

const T0 = Date.UTC(2026, 1, 10, 8, 0, 0);
const MIN = 60_000;

function trade(id: number, timestamp: number, price: number, amount: number, side: 'buy' | 'sell'): Trade {
  return { type: 'trade', exchange: 'bybit', market: 'spot', symbol: 'ETH/USDT', id: String(id), price, amount, side, timestamp, localTimestamp: timestamp + 5 };
}

let dir: string;

/**
 * The CLI as its own process, as the other CLI tests run it: replacing this process's
 * stdout.write would also swallow the test runner's own reports, which travel on stdout.
 */
function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/cli/run-cli.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tv-candles-'));
  const store = openHistoryStore({ path: dir, noSync: true });
  await store.writeBatch([
    trade(1, T0 + 1_000, 1_650.5, 0.5, 'buy'),
    trade(2, T0 + 2_000, 1_651.25, 0.25, 'sell'),
    trade(3, T0 + MIN - 1, 1_649.75, 1, 'buy'),
    trade(4, T0 + MIN, 1_652, 2, 'sell'), // on the boundary: the second minute
    trade(5, T0 + 3 * MIN + 30_000, 1_653, 0.125, 'buy'),
  ]);
  await store.writeBatch([{ type: 'ticker', exchange: 'bybit', market: 'spot', symbol: 'ETH/USDT', timestamp: T0 + 500, localTimestamp: T0 + 501, last: 9_999 }]);
  await store.close();
});

after(() => rmSync(dir, { recursive: true, force: true }));

const base = () => ['query', '--db', dir, '--exchange', 'bybit', '--market', 'spot', '--symbol', 'ETH/USDT'];

describe('tickvisor query --candles', () => {
  test('JSON lines: one candle per minute with trades, tickers ignored, the empty minutes left out', () => {
    const r = cli(...base(), '--candles', '1m');
    assert.equal(r.code, 0, r.stderr);
    const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(got, [
      { start: T0, open: 1_650.5, high: 1_651.25, low: 1_649.75, close: 1_649.75, volume: 1.75, quoteVolume: 1_650.5 * 0.5 + 1_651.25 * 0.25 + 1_649.75, trades: 3, buyVolume: 1.5, sellVolume: 0.25 },
      { start: T0 + MIN, open: 1_652, high: 1_652, low: 1_652, close: 1_652, volume: 2, quoteVolume: 3_304, trades: 1, buyVolume: 0, sellVolume: 2 },
      { start: T0 + 3 * MIN, open: 1_653, high: 1_653, low: 1_653, close: 1_653, volume: 0.125, quoteVolume: 206.625, trades: 1, buyVolume: 0.125, sellVolume: 0 },
    ]);
  });

  test('CSV with a header; --from/--to bound the trades read', () => {
    const r = cli(...base(), '--candles', '5m', '--format', 'csv', '--to', String(T0 + MIN));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'start,open,high,low,close,volume,quoteVolume,trades,buyVolume,sellVolume',
      `${T0},1650.5,1652,1649.75,1652,3.75,${1_650.5 * 0.5 + 1_651.25 * 0.25 + 1_649.75 + 3_304},4,1.5,2.25`,
    ]);
  });

  test('nothing in the range: no candle, said on stderr', () => {
    const r = cli(...base(), '--candles', '1h', '--from', String(T0 + 86_400_000));
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /no trades for bybit spot ETH\/USDT in the range asked/);
  });

  for (const [args, message] of [
    [['--candles', '1w'], /--candles: interval must be <n>s, <n>m, <n>h or <n>d/],
    [['--candles', '2d'], /--candles: interval must be at most 1d/],
    [['--candles', '1m', '--type', 'ticker'], /--candles are made of trades/],
  ] as const) {
    test(`${args.join(' ')}: one usage line, exit 2`, () => {
      const r = cli(...base(), ...args);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    });
  }
});
