// Configured symbols checked against the listing, through the real command line: an exchange
// spelling is mapped with a notice and collected; an unlisted symbol is one line and exit 2.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'tickvisor-symbols-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, exchange: object): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ exchanges: [exchange], store: { path: join(dir, `${name}-data`) }, metrics: { enabled: false } }));
  return path;
}

const NO_STACK = /\n\s+at /;

describe('tickvisor run: configured symbols', () => {
  test('an unlisted symbol is one line naming it, the venue and the closest listed; exit 2, nothing left running', () => {
    const config = configFile('nope', {
      exchange: 'binance',
      market: 'spot',
      simulated: true,
      // the simulator lists what it simulates
      sim: { symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] },
      symbols: ['BTCUSDT', 'NOPE/USDT'],
    });
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/cli/run-cli.ts', 'run', '--config', config], { encoding: 'utf8', timeout: 60_000 });
    // it exited on its own: no simulator or socket held the process open
    assert.equal(r.signal, null, 'exited by itself');
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('tickvisor run:'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /binance:spot does not list symbol 'NOPE\/USDT'; closest listed: /);
    assert.match(lines[0]!, /BTC\/USDT|ETH\/USDT|SOL\/USDT/);
    assert.doesNotMatch(r.stderr, NO_STACK);
    assert.doesNotMatch(r.stderr, /RangeError|TickvisorError/);
  });

  test("the exchange's own spelling (BTCUSDT) is mapped to BTC/USDT with a notice and collected", async () => {
    const config = configFile('native', { exchange: 'binance', market: 'spot', simulated: true, symbols: ['BTCUSDT'] });
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/cli/run-cli.ts', 'run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    // running, and the status line shows the mapped coin subscribed
    while (!/coins 1\/1 subscribed/.test(stdout) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const code = await exited;
    assert.match(stdout, /tickvisor running/, stderr);
    assert.match(stdout, /coins 1\/1 subscribed/, stdout + stderr);
    // the first status line already has a rate: the meter is sampled every second, not only when read
    const first = stdout.split('\n').find((l) => l.includes('rec/s'));
    assert.ok(first !== undefined && !first.startsWith('0 rec/s'), `first status line: ${first}`);
    assert.match(stderr, /binance:spot: symbol 'BTCUSDT' is the exchange's spelling of BTC\/USDT; collecting BTC\/USDT/);
    assert.doesNotMatch(stderr, NO_STACK);
    assert.doesNotMatch(stderr, /not a unified symbol/);
    assert.equal(code, 0, stderr);
  });
});
