import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BookRecord } from '../../src/records.js';
import { BookSink, openHistoryStore } from '../../src/store/index.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { evolveBook, type EvolutionStep } from '../store/book-evolution.js';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/cli/run-cli.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tickvisor query --type book', () => {
  let dir: string;
  let steps: EvolutionStep[];
  const BREAK = 70;
  const RESUME = 100; // the first snapshot after the break
  const venue = ['--exchange', 'binance', '--market', 'spot', '--symbol', 'BTC/USDT'];
  let resync: BookRecord;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tv-query-book-'));
    steps = evolveBook({ steps: 130, snapshotEvery: 50 });
    const store = openHistoryStore({ path: dir, noSync: true });
    const sink = new BookSink(store.env, { clock: new ManualClock(), durable: false });
    for (const [i, s] of steps.entries()) {
      if (i === BREAK) {
        resync = { type: 'book', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', kind: 'resync', timestamp: s.time - 1, localTimestamp: s.time - 1, bids: [], asks: [], reason: 'sequence gap' };
        sink.write([resync]);
      }
      sink.write(s.records);
    }
    await sink.close();
    await store.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--at T prints the simulator\'s true book at T (top 10 by default, --depth N), in parse --book\'s line shape', () => {
    for (const i of [0, 13, 49, 50, 69, 100, 129]) {
      const s = steps[i]!;
      const r = cli('query', '--db', dir, ...venue, '--type', 'book', '--at', String(s.time));
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 1);
      assert.deepEqual(JSON.parse(lines[0]!), { type: 'book', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', timestamp: s.time, bids: s.bids.slice(0, 10), asks: s.asks.slice(0, 10) }, `step ${i}`);
    }
    const s = steps[33]!;
    const iso = new Date(s.time + 50).toISOString();
    const r = cli('query', '--db', dir, ...venue, '--type', 'book', '--at', iso, '--depth', '3');
    assert.equal(r.code, 0, r.stderr);
    const book = JSON.parse(r.stdout) as { bids: unknown; asks: unknown };
    assert.deepEqual(book.bids, s.bids.slice(0, 3));
    assert.deepEqual(book.asks, s.asks.slice(0, 3));
  });

  test('not synced at T: one line on stderr naming the break, nothing on stdout, exit 3', () => {
    const r = cli('query', '--db', dir, ...venue, '--type', 'book', '--at', String(steps[BREAK + 5]!.time));
    assert.equal(r.code, 3);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, new RegExp(`no consistent book for binance spot BTC/USDT at ${steps[BREAK + 5]!.time}: it broke at ${resync.timestamp} \\(sequence gap\\)`));
  });

  test('before the first snapshot: says there is no book, prints nothing', () => {
    const r = cli('query', '--db', dir, ...venue, '--type', 'book', '--at', String(steps[0]!.time - 1));
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /no book stored for binance spot BTC\/USDT/);
  });

  test('--from/--to streams the stored records of the range in order, bounds inclusive', () => {
    const from = steps[RESUME - 35]!.time;
    const to = steps[RESUME + 2]!.time;
    const r = cli('query', '--db', dir, ...venue, '--type', 'book', '--from', String(from), '--to', String(to));
    assert.equal(r.code, 0, r.stderr);
    const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as BookRecord);
    const want = steps.slice(RESUME - 35, RESUME + 3).flatMap((s, k) => (k + RESUME - 35 === BREAK ? [resync, ...s.records] : s.records));
    assert.deepEqual(got, want);
    assert.equal(got[0]!.timestamp, from);
    assert.equal(got.at(-1)!.timestamp, to);
  });

  test('--list shows the book series: records, the blocks holding them, first and last stored time (a store of books only)', () => {
    const records = steps.reduce((n, s) => n + s.records.length, 0) + 1;
    const r = cli('query', '--db', dir, '--list');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    const first = new Date(steps[0]!.time).toISOString();
    const last = new Date(steps.at(-1)!.time).toISOString();
    // one commit of 133 records: one block (a block holds up to 256)
    assert.deepEqual(rows, [{ type: 'book', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', count: records, first, last, blocks: 1 }]);
    const csv = cli('query', '--db', dir, '--list', '--format', 'csv');
    assert.deepEqual(csv.stdout.trim().split('\n'), ['type,exchange,market,symbol,count,first,last,blocks', `book,binance,spot,BTC/USDT,${records},${first},${last},1`]);
  });

  test('bad input: one line on stderr, exit 2, no stack', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--type', 'book', '--at', 'yesterday-ish'], /--at is not a time/],
      [['--type', 'book', '--at', '5', '--from', '1'], /either --at or --from\/--to/],
      [['--type', 'book', '--at', '5', '--depth', '0'], /--depth must be a positive integer/],
      [['--type', 'book', '--depth', '5'], /--depth goes with --at/],
      [['--type', 'book', '--format', 'csv'], /JSON lines only/],
      [['--at', '5'], /add --type book/],
      [['--type', 'books'], /--type must be trade, ticker or book/],
    ];
    for (const [args, message] of cases) {
      const r = cli('query', '--db', dir, ...venue, ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
});
