import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';

// Runs the CLI from the TypeScript sources (the bin runs the same code compiled into dist/).
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/cli/run-cli.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tickvisor command line', () => {
  test('--help lists the commands and exits 0', () => {
    const r = cli('--help');
    assert.equal(r.code, 0);
    for (const c of ['run', 'simulate', 'parse', 'exchange-sim', 'query', 'diagrams']) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
  });

  test('an unknown command is one clear line and a non-zero exit', () => {
    const r = cli('frobnicate');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
  });

  test('a missing config file is one line naming the file, never a stack trace', () => {
    const r = cli('run', '--config', '/nonexistent/tickvisor.yaml');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read config \/nonexistent\/tickvisor.yaml/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test('diagrams --check agrees with the committed file', () => {
    const r = cli('diagrams', '--check');
    assert.equal(r.code, 0, r.stderr);
  });
});
