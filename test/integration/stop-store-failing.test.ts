/**
 * A library user stops tickvisor while the disk is full: stop() used to wait for ever (the
 * pipelines keep every batch and retry until the store accepts it). It now gives up after its
 * flush timeout, says how many records were not stored, and closes everything.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { createLogger } from '../../src/log/logger.js';
import { createTickvisor } from '../../src/compose/tickvisor.js';
import { createStoreFaultGate } from '../../src/store/index.js';
import { waitFor } from '../support/system.js';

describe('stop() while the store refuses writes', () => {
  test('resolves after the flush timeout, naming the records it could not store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickvisor-stop-full-'));
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
    const gate = createStoreFaultGate();
    const tv = createTickvisor(
      {
        exchanges: [{ exchange: 'binance', market: 'spot', simulated: true, sim: { symbols: ['BTC/USDT'] } }],
        simulator: { tradesPerSecond: 50, tickersPerSecond: 0 },
        store: { path: dir },
      },
      { logger: createLogger('error', { destination: sink, pretty: false }), storeFaultGate: gate },
    );
    try {
      await tv.start();
      gate.failUntil(Number.POSITIVE_INFINITY);
      const pending = () => Object.values(tv.pipelineStats()).reduce((n, s) => n + s.buffered + s.inFlight, 0);
      await waitFor('records waiting on the failing store', () => pending() > 0 && Object.values(tv.pipelineStats()).some((s) => s.writeFailing), 15_000);
      const t0 = Date.now();
      await tv.stop({ flushTimeoutMs: 300 });
      assert.ok(Date.now() - t0 < 5_000, `stop() took ${Date.now() - t0} ms`);
      const said = lines.find((l) => l.includes('did not take the last'));
      assert.ok(said, `an error line says what was given up:\n${lines.join('')}`);
      assert.match(said, /"records":[1-9]\d*/);
    } finally {
      gate.clear();
      await tv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
