import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { scratchDir } from '../scratch-dir.js';

function cli(...args: string[]) {
  return cliWith({}, ...args);
}

function cliWith(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/cli/run-cli.ts', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tickvisor simulate', () => {
  test('a cluster scenario without nats-server: one line saying how to install it, exit 1', () => {
    const r = cliWith({ TICKVISOR_NATS_SERVER: '/nonexistent/nats-server' }, 'simulate', 'examples/scenarios/cluster-kill-node.yaml');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /cluster-kill-node is a cluster scenario and needs nats-server.*apt-get install nats-server/);
  });

  test('--json prints exactly one JSON object with the report, exit 0 when the expectations hold', () => {
    const dir = scratchDir('tickvisor-scn-');
    const file = join(dir, 'tiny.yaml');
    writeFileSync(
      file,
      [
        'name: tiny',
        'durationMs: 1500',
        'tradesPerSecond: 20',
        'venues: [{ exchange: binance, market: spot, symbols: [BTC/USDT] }]',
        'faults: [{ at: 500, kind: disconnect }]',
        'expect: { lost: 0, duplicated: 0, subscribedAtEnd: true }',
      ].join('\n'),
    );
    const r = cli('simulate', file, '--json');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'exactly one line on stdout');
    const report = JSON.parse(lines[0]!) as Record<string, unknown>;
    for (const key of ['scenario', 'generated', 'stored', 'lost', 'duplicated', 'restarts', 'alerts', 'latencyMs']) assert.ok(key in report, key);
    assert.equal(report.scenario, 'tiny');
    assert.equal(report.lost, 0);
  });

  test('a failed expectation exits non-zero with a readable report', () => {
    const dir = scratchDir('tickvisor-scn-');
    const file = join(dir, 'greedy.yaml');
    writeFileSync(file, 'name: greedy\ndurationMs: 800\nvenues: [{ exchange: okx, market: spot, symbols: [BTC/USDT] }]\nexpect: { minStored: 1000000 }\n');
    const r = cli('simulate', file);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /scenario greedy: FAILED/);
    assert.match(r.stdout, /✗ \d+ stored \(expected ≥ 1000000\)/);
  });

  test('a malformed scenario or a missing file is one clear line, exit 2', () => {
    const dir = scratchDir('tickvisor-scn-');
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\ndurationMs: 1000\nvenues: [{ exchange: upbit, market: futures, symbols: [BTC/KRW] }]\n');
    const bad = cli('simulate', file);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /upbit/);
    const missing = cli('simulate', join(dir, 'nope.yaml'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.yaml/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /);
  });
});

describe('tickvisor simulate: always exits', () => {
  test('a run that fails (the store path is a file) is one line on stderr, exit 1, and the process ends', () => {
    const dir = scratchDir('tickvisor-scn-');
    const file = join(dir, 'tiny.yaml');
    writeFileSync(file, 'name: tiny\ndurationMs: 500\nvenues: [{ exchange: binance, market: spot, symbols: [BTC/USDT] }]\n');
    const data = join(dir, 'a-file');
    writeFileSync(data, 'not a directory');
    const started = Date.now();
    const r = cli('simulate', file, '--data', data);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(Date.now() - started < 60_000);
    assert.match(r.stderr, /^tickvisor simulate: tiny: the run failed: /);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  test('--settle-timeout must be a whole number of ms a timer can wait (1 to 2^31 - 1)', () => {
    for (const bad of ['soon', '99999999999999']) {
      const r = cli('simulate', 'examples/scenarios/stall.yaml', '--settle-timeout', bad);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--settle-timeout: expected a whole number of ms from 1 to 2147483647/);
    }
  });
});
