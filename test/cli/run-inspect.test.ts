/**
 * Issue 12: `tickvisor run --inspect` with no relay listening used to print "streaming to the
 * Stately inspector" and nothing else — the warning existed, but `run` gave the inspector no
 * logger. Now the run's log says so once, and the run connects when a relay comes up.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { sparePort } from '../spare-port.js';

async function until(what: string, check: () => boolean, limitMs: number): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tickvisor run --inspect', () => {
  test('with nothing listening it warns once, then connects when the relay comes up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tv-run-inspect-'));
    const port = await sparePort(); // not from listen(0): the run's own servers draw from that range
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/cli/run-cli.ts', 'run', '--metrics-port', '0', '--data', join(dir, 'data'), '--inspect-url', `ws://127.0.0.1:${port}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let wss: WebSocketServer | undefined;
    try {
      await until('the run to start', () => out.includes('tickvisor running'), 60_000);
      await until('the warning', () => err.includes('no Stately inspector reachable'), 30_000);
      const warning = err.split('\n').find((l) => l.includes('no Stately inspector reachable'))!;
      assert.match(warning, new RegExp(`ws://127.0.0.1:${port}`), 'the warning names the address');
      assert.match(out, new RegExp(`Stately inspector relay at ws://127.0.0.1:${port}`));

      wss = new WebSocketServer({ port, host: '127.0.0.1' });
      let messages = 0;
      wss.on('connection', (socket) => socket.on('message', () => (messages += 1)));
      await until('the run to connect to the relay and send the actor system', () => messages > 0, 30_000);
      await until('the log to say it connected', () => err.includes('connected to the Stately inspector'), 10_000);
      assert.equal(err.split('no Stately inspector reachable').length - 1, 1, 'warned once, not on every retry');
    } finally {
      child.kill('SIGTERM');
      const code = await exited;
      if (wss) await new Promise<void>((resolve) => wss!.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, err.slice(-2000));
    }
  });
});
