import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { run, type ParseIO } from '../../src/cli/commands/parse.js';

const FIXTURES = 'test/fixtures/cli';

/** In-memory stdio; `now` is fixed so localTimestamp can be checked to come from it. */
function memoryIO(stdin: Readable = Readable.from([])) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const io: ParseIO = { stdin, stdout, stderr, now: () => 1_777_000_000_000 };
  return { io, out: () => out, err: () => err };
}

function withoutLocalTimestamp(line: string): unknown {
  const { localTimestamp: _ignored, ...rest } = JSON.parse(line) as Record<string, unknown>;
  return rest;
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

/** The frames files hold acks, pongs, errors, blank lines, CRLF endings and no final newline. */
const VENUES = [
  { exchange: 'binance', market: 'spot', malformed: [4, 8] },
  { exchange: 'binance', market: 'futures', malformed: [3] },
  { exchange: 'upbit', market: 'spot', malformed: [4] },
  { exchange: 'bybit', market: 'spot', malformed: [5] },
  { exchange: 'bybit', market: 'futures', malformed: [7] },
  { exchange: 'okx', market: 'spot', malformed: [5] },
  { exchange: 'okx', market: 'futures', malformed: [4, 6], extra: ['--instruments', `${FIXTURES}/okx-futures.instruments.json`] },
];

describe('tickvisor parse', () => {
  for (const v of VENUES) {
    test(`${v.exchange} ${v.market}: data frames become the expected records, control frames print nothing, bad lines are reported by number`, async () => {
      const name = `${v.exchange}-${v.market}`;
      const m = memoryIO();
      const code = await run(['--exchange', v.exchange, '--market', v.market, ...(v.extra ?? []), `${FIXTURES}/${name}.frames`], m.io);
      assert.equal(code, 2);
      const got = lines(m.out());
      const expected = lines(readFileSync(`${FIXTURES}/${name}.expected.jsonl`, 'utf8'));
      assert.deepEqual(got.map(withoutLocalTimestamp), expected.map((l) => JSON.parse(l)));
      for (const line of got) assert.equal((JSON.parse(line) as { localTimestamp: number }).localTimestamp, 1_777_000_000_000);
      const reported = lines(m.err()).map((l) => {
        const match = /^line (\d+): \S/.exec(l);
        assert.ok(match, `not a "line N: reason" report: ${l}`);
        return Number(match[1]);
      });
      assert.deepEqual(reported, v.malformed);
    });
  }

  test('exit code 0 when every line reads, with CR LF split across input chunks and no final newline', async () => {
    const trade = readFileSync('test/fixtures/binance/spot-trade-taker-sell.json', 'utf8').trim();
    const ack = '{"result":null,"id":1}';
    // the CR and its LF arrive in different chunks; the last line has no newline at all
    const m = memoryIO(Readable.from([`${ack}\r`, `\n${trade}\r`, `\n\r\n`, trade]));
    const code = await run(['--exchange', 'binance', '--market', 'spot'], m.io);
    assert.equal(m.err(), '');
    assert.equal(code, 0);
    const records = lines(m.out()).map((l) => JSON.parse(l) as { symbol: string; side: string });
    assert.equal(records.length, 2);
    assert.deepEqual(records.map((r) => [r.symbol, r.side]), [['BTC/USDT', 'sell'], ['BTC/USDT', 'sell']]);
  });

  test('streams: a record is printed before the input has ended', async () => {
    const stdin = new PassThrough();
    const m = memoryIO(stdin);
    const done = run(['--exchange', 'okx', '--market', 'spot', '-'], m.io);
    stdin.write(readFileSync('test/fixtures/okx/trades-spot.json', 'utf8'));
    const stdout = m.io.stdout as PassThrough;
    while (lines(m.out()).length < 2) await once(stdout, 'data');
    assert.equal(lines(m.out()).length, 2);
    stdin.end();
    assert.equal(await done, 0);
  });
});

describe('tickvisor parse as a process', () => {
  const cli = (args: string[], input?: string) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/cli/run-command.ts', 'parse', ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      ...(input !== undefined ? { input } : {}),
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  test('reads stdin when no file is given', () => {
    const r = cli(['--exchange', 'upbit', '--market', 'spot'], readFileSync(`${FIXTURES}/upbit-spot.frames`, 'utf8'));
    assert.equal(r.code, 2);
    const expected = lines(readFileSync(`${FIXTURES}/upbit-spot.expected.jsonl`, 'utf8')).map((l) => JSON.parse(l));
    assert.deepEqual(lines(r.stdout).map(withoutLocalTimestamp), expected);
    assert.match(r.stderr, /^line 4: .+\n$/);
  });

  test('a clean stdin exits 0', () => {
    const r = cli(['--exchange', 'okx', '--market', 'spot'], 'pong\n' + readFileSync('test/fixtures/okx/trades-spot.json', 'utf8'));
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(lines(r.stdout).length, 2);
  });

  const mistakes: Array<[string, string[], RegExp]> = [
    ['an unknown exchange', ['--exchange', 'kraken', '--market', 'spot'], /^tickvisor parse: unknown exchange 'kraken' \(known: .*\)\n$/],
    ['a market the exchange does not have', ['--exchange', 'upbit', '--market', 'futures'], /^tickvisor parse: upbit has no futures market/],
    ['a missing --market', ['--exchange', 'binance'], /^tickvisor parse: both --exchange and --market are required/],
    ['a missing input file', ['--exchange', 'binance', '--market', 'spot', '/nonexistent/frames.txt'], /^tickvisor parse: cannot read \/nonexistent\/frames.txt: ENOENT\n$/],
    ['an unknown option', ['--exchange', 'binance', '--market', 'spot', '--frobnicate'], /^tickvisor parse: .*frobnicate.*\n$/],
    ['two input files', ['--exchange', 'binance', '--market', 'spot', 'a', 'b'], /^tickvisor parse: one input file at most/],
  ];
  for (const [what, args, message] of mistakes) {
    test(`${what} is one line on stderr and exit 2`, () => {
      const r = cli(args, '');
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.equal(lines(r.stderr).length, 1);
      assert.equal(r.stdout, '');
    });
  }
});
