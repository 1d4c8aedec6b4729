/**
 * The `store-full` scenario fault (issue 10, Build 9): the tree's store commits fail for a while
 * through the store's fault gate, as on a full disk. The run must end with nothing lost, nothing
 * stored twice, and a `store-failed` alert raised while it lasted.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/simulate/run-scenario.js';

describe('scenario fault: store-full', () => {
  test('commits fail for a while: the collector lives on, alerts store-failed, and loses nothing', async () => {
    const scenario = parseScenario({
      name: 'store-full (test)',
      seed: 5,
      durationMs: 3000,
      tradesPerSecond: 80,
      venues: [{ exchange: 'binance', market: 'spot', symbols: ['BTC/USDT', 'ETH/USDT'] }],
      faults: [{ at: 500, kind: 'store-full', durationMs: 1200 }],
      expect: { lost: 0, duplicated: 0, subscribedAtEnd: true },
    });
    const report = await runScenario(scenario, { settleTimeoutMs: 20_000 });
    assert.equal(report.faultsInjected, 1);
    assert.ok((report.alertsByKind['store-failed'] ?? 0) >= 1, `alerts: ${JSON.stringify(report.alertsByKind)}`);
    assert.ok(report.generated > 200, `${report.generated} generated`);
    assert.equal(report.lost, 0, JSON.stringify(report.lostSample));
    assert.equal(report.duplicated, 0);
    assert.equal(report.unexpected, 0);
    assert.ok(report.ok, report.expectations.filter((e) => !e.ok).map((e) => e.detail).join('; '));
  });

  test('a store-full fault needs its duration', () => {
    assert.throws(
      () =>
        parseScenario({
          name: 'x',
          durationMs: 1000,
          venues: [{ exchange: 'binance', market: 'spot', symbols: ['BTC/USDT'] }],
          faults: [{ at: 100, kind: 'store-full' }],
        }),
      /faults\.0\.durationMs: missing/,
    );
  });
});
