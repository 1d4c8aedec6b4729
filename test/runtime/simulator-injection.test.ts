/**
 * The runtime never starts a simulator by itself: the simulator is injected by its caller. Without
 * one, a configuration with `simulated` exchanges is refused at start in one line; with one, the
 * collectors connect to the endpoints the injected simulator gives.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { embeddedSimulator } from '../../src/compose/embedded-simulator.js';
import { TickvisorError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { createTickvisor, type SimulatorLauncher } from '../../src/runtime/tickvisor.js';

const config = (path: string) => ({
  exchanges: [{ exchange: 'binance' as const, market: 'spot' as const, simulated: true, symbols: ['BTC/USDT'], channels: ['trade' as const] }],
  simulator: { port: 0 },
  store: { path },
  metrics: { enabled: false },
});

describe('simulator injection', () => {
  test('no simulator given: a simulated exchange is refused at start, in one line naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickvisor-inject-'));
    try {
      const tv = createTickvisor(config(dir), { logger: silentLogger() });
      await assert.rejects(tv.start(), (e: unknown) => {
        assert.ok(e instanceof TickvisorError);
        assert.equal(e.code, 'TV_ERR_CONFIG_INVALID');
        assert.match(e.message, /binance:spot are simulated, but no simulator was given/);
        assert.ok(!e.message.includes('\n'));
        return true;
      });
      assert.equal(tv.sim, undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the injected simulator is the one started, with the resolved configuration, and its trades are stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickvisor-inject-'));
    const calls: number[] = [];
    const launcher: SimulatorLauncher = async (resolved, log) => {
      calls.push(resolved.exchanges.length);
      return embeddedSimulator(resolved, log);
    };
    const tv = createTickvisor(config(dir), { logger: silentLogger(), simulator: launcher });
    try {
      await tv.start();
      assert.deepEqual(calls, [1]);
      assert.ok(tv.sim, 'the runtime exposes what the launcher started');
      const deadline = Date.now() + 15_000;
      while (Object.values(tv.pipelineStats()).reduce((n, s) => n + s.committed, 0) === 0) {
        if (Date.now() > deadline) throw new Error('no trade committed from the injected simulator');
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      await tv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
