/**
 * Issue 10, row 8: `--data` pointing at something that cannot hold a store used to print a raw
 * lmdb stack, and with simulated venues the process never exited (the simulator had started
 * before the store was opened and nobody stopped it). A path with a dot was taken for a file.
 * Now: one line on stderr naming the path and the reason, a non-zero exit, nothing left running;
 * and any directory name works.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs `tickvisor run` from the sources. `until`: a stdout pattern after which SIGTERM is sent.
 * A child still alive after `limitMs` is killed and reported as such (the old hang).
 */
function runCli(args: string[], opts: { until?: RegExp; limitMs: number }): Promise<Ran> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/cli/run-cli.ts', 'run', '--metrics-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let termSent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // once: `run` handles the first SIGTERM; a second one would take the default action
      if (!termSent && opts.until?.test(stdout)) {
        termSent = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), opts.limitMs);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tickvisor-cli-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The bound is generous because the child compiles TypeScript through tsx on a busy machine; the
 * failure it catches is "never exits" (the simulator kept the process open), not a few seconds.
 */
const EXIT_LIMIT_MS = 20_000;

function assertOneLineRefusal(r: Ran, path: string, reason: RegExp): void {
  assert.equal(r.signal, null, `the process had to be killed after ${r.ms} ms: it did not exit on its own`);
  assert.notEqual(r.code, 0);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.ok(lines[0]!.includes(path), `the line names the path: ${lines[0]}`);
  assert.match(lines[0]!, reason);
  assert.doesNotMatch(r.stderr, /\n\s+at |lmdb/i);
  assert.doesNotMatch(r.stdout, /tickvisor running/);
}

describe('run --data: a store that cannot be opened', () => {
  test('a regular file is refused in one line, and the process exits', async (t) => {
    const file = join(scratch(t), 'not-a-dir');
    writeFileSync(file, 'x');
    assertOneLineRefusal(await runCli(['--data', file], { limitMs: EXIT_LIMIT_MS }), file, /is a file, not a directory/);
  });

  test('a path under a file is refused in one line, and the process exits', async (t) => {
    const file = join(scratch(t), 'plain');
    writeFileSync(file, 'x');
    const path = join(file, 'store');
    assertOneLineRefusal(await runCli(['--data', path], { limitMs: EXIT_LIMIT_MS }), path, /part of the path is a file/);
  });

  test('a read-only directory is refused in one line, and the process exits', async (t) => {
    const dir = join(scratch(t), 'ro');
    mkdirSync(dir);
    const isRoot = process.getuid?.() === 0;
    if (isRoot) {
      // root writes through file modes, so only a read-only mount is read-only for it
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir]);
      if (mounted.status !== 0) {
        t.skip('running as root without permission to mount a read-only tmpfs');
        return;
      }
    } else {
      spawnSync('chmod', ['0555', dir]);
    }
    try {
      assertOneLineRefusal(await runCli(['--data', dir], { limitMs: EXIT_LIMIT_MS }), dir, /read-only file system|permission denied/);
    } finally {
      // before the scratch directory is removed
      if (isRoot) spawnSync('umount', [dir]);
      else spawnSync('chmod', ['0755', dir]);
    }
  });
});

describe('run --data: any directory name works', () => {
  test('an existing directory with a dot in its name holds the store inside it', async (t) => {
    const dir = join(scratch(t), 'tickvisor.d');
    mkdirSync(dir);
    const r = await runCli(['--data', dir], { until: /tickvisor running/, limitMs: 60_000 });
    assert.equal(r.signal, null, `signal ${r.signal}\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.code, 0, `code ${r.code}\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /stopped cleanly/);
    assert.ok(existsSync(join(dir, 'data.mdb')), 'data.mdb inside tickvisor.d/');
    assert.ok(!existsSync(`${dir}.lock`) && !existsSync(join(dir, '..', 'tickvisor-lock')), 'nothing beside it');
  });
});
