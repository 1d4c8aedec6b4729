/** Issue 12: `tickvisor run --log-file PATH --log-format F` for services. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

async function until(what: string, check: () => boolean, limitMs: number): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tickvisor run logging flags', () => {
  test('--log-file writes JSON lines to the file (its directory created) and nothing to stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tv-run-log-'));
    const file = join(dir, 'logs', 'tickvisor.log');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/cli/run-cli.ts', 'run', '--metrics-port', '0', '--data', join(dir, 'data'), '--log-file', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
    try {
      await until('the all-subscribed summary in the file', () => lines().some((l) => l.includes('all subscribed')), 60_000);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, err);
    const records = lines().map((l) => JSON.parse(l) as { level: number; msg: string });
    assert.ok(records.some((r) => r.msg === 'supervision tree started' && r.level === 30));
    assert.ok(records.some((r) => /^\d+ collectors, \d+ connectors, \d+ coins: all subscribed$/.test(r.msg)));
    assert.equal(err, '', 'the log went to the file, not stderr');
    rmSync(dir, { recursive: true, force: true });
  });

  test('an unknown --log-format is one usage line', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/cli/run-cli.ts', 'run', '--log-format', 'yaml'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--log-format must be json or pretty, got yaml/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
