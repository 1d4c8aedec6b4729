import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseScenario } from '../../src/scenario/index.js';
import { startSimExchange, type SimExchange, type SimOptions, type SimVenueStats } from '../../src/sim/index.js';
import { judge } from '../../src/simulate/expectations.js';
import { emptyComparison } from '../../src/simulate/compare.js';
import { runScenario } from '../../src/simulate/run-scenario.js';
import { scratchDir } from '../scratch-dir.js';

/** starts the real simulator and remembers whether (and with what figures) it was stopped */
function watchedSim() {
  const seen: { sim?: SimExchange; stopped: boolean; finalStats?: SimVenueStats[] } = { stopped: false };
  const startSim = async (options: SimOptions) => {
    const sim = await startSimExchange(options);
    seen.sim = sim;
    const stop = sim.stop.bind(sim);
    sim.stop = async () => {
      seen.finalStats ??= sim.stats().venues;
      seen.stopped = true;
      await stop();
    };
    return sim;
  };
  return { seen, startSim };
}

const aFile = () => {
  const file = join(scratchDir('tickvisor-run-'), 'not-a-dir');
  writeFileSync(file, 'x');
  return file;
};

const tiny = (extra: Record<string, unknown> = {}) =>
  parseScenario({ name: 'tiny', durationMs: 500, tradesPerSecond: 50, venues: [{ exchange: 'binance', market: 'spot', symbols: ['BTC/USDT'] }], ...extra });

describe('runScenario: every path stops what it started', () => {
  test('a collector that cannot open its store fails the run, and the simulator is stopped', async () => {
    const { seen, startSim } = watchedSim();
    await assert.rejects(runScenario(tiny(), { dataDir: aFile(), startSim }));
    assert.equal(seen.stopped, true);
  });

  test('the same with the collector in a child process: the run fails, the simulator is stopped', async () => {
    const { seen, startSim } = watchedSim();
    await assert.rejects(runScenario(tiny(), { dataDir: aFile(), startSim, collectorProcess: 'child' }), /collector process/);
    assert.equal(seen.stopped, true);
  });

  test('an aborted run (Ctrl-C) rejects and stops the collector and the simulator', async () => {
    const { seen, startSim } = watchedSim();
    const abort = new AbortController();
    const run = runScenario(tiny({ durationMs: 60_000 }), { startSim, signal: abort.signal, onProgress: () => abort.abort() });
    await assert.rejects(run, /interrupted/);
    assert.equal(seen.stopped, true);
  });
});

describe('runScenario: faults past the timeline, settle timeout, expectations', () => {
  test('a fault whose duration outlasts the timeline is not cleared at its end, and is recovered from', async () => {
    const { seen, startSim } = watchedSim();
    // drops every BTC trade from 200 ms to 1,700 ms; the timeline ends at 500 ms
    const scenario = tiny({ tradesPerSecond: 100, faults: [{ at: 200, kind: 'drop-messages', durationMs: 1500 }], expect: { lost: 0, duplicated: 0, subscribedAtEnd: true } });
    const report = await runScenario(scenario, { startSim });
    const dropped = seen.finalStats![0]!.tradesDropped;
    assert.ok(dropped >= 120, `${dropped} dropped: the fault ran its 1.5 s (about 30 if cut at the timeline's end)`);
    assert.ok(report.durationMs >= 1_700);
    assert.equal(report.lost, 0, JSON.stringify(report.lostSample));
    assert.ok(report.ok, JSON.stringify(report.expectations));
  });

  test('coin-state and alert expectations are checked; an unreachable end state waits only the settle timeout', async () => {
    const scenario = tiny({
      settleTimeoutMs: 700,
      expect: { coins: [{ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', state: 'Stopped' }], alerts: { 'recovery-failed': 1 } },
    });
    const started = Date.now();
    const report = await runScenario(scenario);
    assert.ok(Date.now() - started < 15_000);
    assert.equal(report.settled, false);
    assert.equal(report.ok, false);
    const failed = report.expectations.filter((e) => !e.ok).map((e) => e.detail);
    assert.deepEqual(failed, ['0 recovery-failed alerts (expected ≥ 1)', 'coin binance:spot:BTC/USDT ended Subscribed (expected Stopped)']);
    assert.equal(report.lost, 0);
  });

  test('judge: alert kinds counted against their minimum, coins against their end state, unfilled never a pass', () => {
    const scenario = tiny({
      expect: { alerts: { 'coin-silent': 2 }, coins: [{ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', state: 'Stopped' }] },
    });
    const coins = [{ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', state: 'Stopped' }];
    const endStatus = { coins, gapsSettled: true, committed: 0, auditedUntil: null, audit: { windows: 0, missing: 0, filled: 0, unfilled: 0 }, gaps: { detected: 0, merged: 0, filled: 0, unfilled: 0, backfilledTrades: 0 }, restarts: {}, recoveries: {} };
    const ok = judge(scenario, { verdict: emptyComparison(), endStatus, alerts: 2, alertsByKind: { 'coin-silent': 2 }, expectedCoins: 1 });
    assert.ok(ok.every((e) => e.ok), JSON.stringify(ok));
    const unfilled = { ...emptyComparison(), unfilled: 40 };
    const bad = judge(scenario, { verdict: unfilled, endStatus, alerts: 1, alertsByKind: { 'coin-silent': 1 }, expectedCoins: 1 });
    assert.deepEqual(bad.filter((e) => !e.ok).map((e) => e.name), ['unfilled', 'alerts.coin-silent']);
  });

  test('coins are judged as they were when recovery ended, not after the final drain with the exchange stopped', () => {
    const scenario = parseScenario({ name: 'at-rest', durationMs: 100, venues: [{ exchange: 'binance', market: 'spot', symbols: ['BTC/USDT'] }], expect: { lost: 0, duplicated: 0, subscribedAtEnd: true } });
    const status = (state: string) => ({ coins: [{ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', state }], gapsSettled: true, committed: 0, auditedUntil: null, audit: { windows: 0, missing: 0, filled: 0, unfilled: 0 }, gaps: { detected: 0, merged: 0, filled: 0, unfilled: 0, backfilledTrades: 0 }, restarts: {}, recoveries: {} });
    // a long drain after the exchange stopped: the quiet feed was being reconnected
    const drained = status('Requested');
    const atRest = judge(scenario, { verdict: emptyComparison(), endStatus: drained, coinsAtRest: status('Subscribed').coins, alerts: 0, alertsByKind: {}, expectedCoins: 1 });
    assert.ok(atRest.every((e) => e.ok), JSON.stringify(atRest));
    const notAtRest = judge(scenario, { verdict: emptyComparison(), endStatus: status('Subscribed'), coinsAtRest: status('Ready').coins, alerts: 0, alertsByKind: {}, expectedCoins: 1 });
    assert.deepEqual(notAtRest.filter((e) => !e.ok).map((e) => e.detail), ['0/1 coins Subscribed at the end']);
  });
});
