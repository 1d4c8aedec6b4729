/**
 * `tickvisor parse --book` as a process: the book after the last frame on stdout, a broken sequence
 * named by line on stderr with exit 3 and the last consistent book, usage errors in one line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { scratchDir } from '../scratch-dir.js';

const cli = (args: string[], input?: string) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/cli/run-command.ts', 'parse', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const event = (U: number, u: number, b: [string, string][], a: [string, string][] = []) =>
  JSON.stringify({ stream: 'btcusdt@depth@100ms', data: { e: 'depthUpdate', E: 1_700_000_000_000 + u, s: 'BTCUSDT', U, u, b, a } });

describe('tickvisor parse --book', () => {
  const dir = scratchDir('parse-book-');
  const snapshot = join(dir, 'snapshot.json');
  writeFileSync(snapshot, JSON.stringify({ lastUpdateId: 10, bids: [['100.0', '1'], ['99.5', '2'], ['99', '3']], asks: [['101', '1'], ['102', '4']] }));

  test('Binance spot from a REST snapshot: the top N after the last frame, best first', () => {
    const r = cli(['--exchange', 'binance', '--market', 'spot', '--book', '--snapshot', snapshot, '--depth', '2'],
      [event(5, 10, [['1', '1']]), '{"result":null,"id":1}', event(11, 12, [['100.0', '0'], ['100.5', '7']], [['101', '2']])].join('\n'));
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), {
      type: 'book', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', timestamp: 1_700_000_000_012,
      bids: [[100.5, 7], [99.5, 2]], asks: [[101, 2], [102, 4]],
    });
  });

  test('a gap: line named on stderr, exit 3, the last consistent book printed', () => {
    const r = cli(['--exchange', 'binance', '--market', 'spot', '--book', '--snapshot', snapshot],
      [event(11, 12, [['100.5', '7']]), '', event(14, 15, [['100.7', '1']])].join('\n'));
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^line 3: BTC\/USDT: U=14 > local update id 12 \+ 1/);
    assert.deepEqual(JSON.parse(r.stdout).bids[0], [100.5, 7]);
  });

  test('bad usage is one line: no snapshot for Binance, --depth out of range, --snapshot without --book', () => {
    for (const [args, message] of [
      [['--exchange', 'binance', '--market', 'futures', '--book'], /books start from a REST depth snapshot: pass --snapshot FILE/],
      [['--exchange', 'bybit', '--market', 'spot', '--book', '--depth', '0'], /--depth must be a whole number from 1 to 5000, got '0'/],
      [['--exchange', 'bybit', '--market', 'spot', '--snapshot', snapshot], /--snapshot and --depth go with --book/],
    ] as const) {
      const r = cli([...args], '');
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    }
  });
});
