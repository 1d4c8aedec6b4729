import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

  test('diagrams reads and writes the package\'s own docs, whatever the working directory', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'tickvisor-cwd-'));
    const repo = fileURLToPath(new URL('../../', import.meta.url));
    const tsx = import.meta.resolve('tsx');
    const inElsewhere = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', tsx, join(repo, 'test/cli/run-cli.ts'), ...args], { encoding: 'utf8', timeout: 60_000, cwd: elsewhere });
    try {
      const check = inElsewhere('diagrams', '--check');
      assert.equal(check.status, 0, check.stderr);
      assert.match(check.stdout, new RegExp(`${join(repo, 'docs', 'state-diagrams.md').replace(/[/\\.]/g, '\\$&')} is up to date`));
      const write = inElsewhere('diagrams');
      assert.equal(write.status, 0, write.stderr);
      assert.equal(existsSync(join(elsewhere, 'docs')), false, 'nothing written into the working directory');
      assert.deepEqual(readdirSync(elsewhere), []);
      const out = inElsewhere('diagrams', '--out', 'mine/diagrams.md');
      assert.equal(out.status, 0, out.stderr);
      assert.equal(existsSync(join(elsewhere, 'mine', 'diagrams.md')), true, '--out is honoured, relative to the working directory');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
