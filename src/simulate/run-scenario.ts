/**
 * A scripted simulation run (DESIGN §7): the simulator plays the scenario against the real tree,
 * faults are injected on the scenario's timeline, then the store is compared with the ground truth.
 *
 * The simulator runs in manual mode and is advanced in real time, so the run decides when the
 * exchange stops trading: after the timeline, faults are cleared and the exchange keeps trading
 * until every coin is Subscribed again and every gap window has been filled; then generation
 * stops, the pipelines drain, and the comparison is exact.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../alerts/index.js';
import type { TickvisorConfigInput } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import type { Trade } from '../records.js';
import { walk } from '../runtime/state-tree.js';
import { createTickvisor, type Tickvisor } from '../runtime/tickvisor.js';
import { FaultTimeline, type Scenario } from '../scenario/index.js';
import { createStoreFaultGate } from '../store/index.js';
import { compareWithTruth, type Comparison } from './compare.js';

export interface SimulationReport {
  scenario: string;
  generated: number;
  stored: number;
  lost: number;
  duplicated: number;
  /** stored but never generated */
  unexpected: number;
  /** generated before the first trade we stored of that symbol (before collection began) */
  beforeStart: number;
  /** restarts of whole actors by their supervisor, by actor */
  restarts: Record<string, number>;
  /** connector reconnections (own recovery), by connector */
  recoveries: Record<string, number>;
  alerts: number;
  alertsByKind: Record<string, number>;
  /** exchange timestamp → LMDB commit, every stored trade (backfilled ones included) */
  latencyMs: { p50: number; p99: number; max: number };
  gaps: { detected: number; filled: number; unfilled: number; backfilledTrades: number };
  faultsInjected: number;
  durationMs: number;
  expectations: Array<{ name: string; ok: boolean; detail: string }>;
  ok: boolean;
  lostSample: Comparison['lostSample'];
}

export interface RunProgress {
  phase: 'starting' | 'running' | 'settling' | 'comparing';
  elapsedMs: number;
  faults: number;
  stored: number;
  subscribed: number;
  coins: number;
}

export interface RunOptions {
  dataDir?: string;
  logger?: Logger;
  onProgress?: (p: RunProgress) => void;
  /** how long recovery may take after the timeline before the run gives up waiting */
  settleTimeoutMs?: number;
}

const STEP_MS = 20;

export function scenarioConfig(scenario: Scenario, dataDir: string): TickvisorConfigInput {
  const overrides = (scenario.tickvisor ?? {}) as Record<string, unknown>;
  const { groupSize, channels, ...rest } = overrides as { groupSize?: number; channels?: ('trade' | 'ticker')[] };
  return {
    ...(rest as Partial<TickvisorConfigInput>),
    exchanges: scenario.venues.map((v) => ({
      exchange: v.exchange,
      market: v.market,
      simulated: true,
      ...(groupSize !== undefined ? { groupSize } : {}),
      ...(channels !== undefined ? { channels } : {}),
      sim: {
        symbols: v.symbols.map((s) => ({
          symbol: s.symbol,
          tradesPerSecond: s.tradesPerSecond ?? scenario.tradesPerSecond,
          tickersPerSecond: s.tickersPerSecond ?? scenario.tickersPerSecond,
          ...(s.price !== undefined ? { price: s.price } : {}),
        })),
      },
    })),
    simulator: {
      seed: scenario.seed,
      mode: 'manual',
      tradesPerSecond: scenario.tradesPerSecond,
      tickersPerSecond: scenario.tickersPerSecond,
      ...(scenario.timing ? { timing: scenario.timing as Record<string, number> } : {}),
    },
    store: { ...((rest as { store?: object }).store ?? {}), path: dataDir },
    metrics: { enabled: false },
    log: { level: 'silent' },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function coins(tv: Tickvisor) {
  const all = [...walk(tv.state())].filter((n) => n.kind === 'coin');
  return { total: all.length, subscribed: all.filter((c) => c.state === 'Subscribed').length };
}

export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<SimulationReport> {
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tickvisor-sim-'));
  const expectedCoins = scenario.venues.reduce((n, v) => n + v.symbols.length, 0);
  // `store-full` faults fail the tree's store commits through this gate (real time, like the timeline)
  const storeFaults = createStoreFaultGate();
  const tv = createTickvisor(scenarioConfig(scenario, dir), { logger: options.logger ?? silentLogger(), storeFaultGate: storeFaults });
  const alerts: Alert[] = [];
  const latencies: number[] = [];
  let faults = 0;
  const started = Date.now();
  const progress = (phase: RunProgress['phase']) => {
    const c = coins(tv);
    options.onProgress?.({
      phase,
      elapsedMs: Date.now() - started,
      faults,
      stored: Object.values(tv.pipelineStats()).reduce((n, s) => n + s.committed, 0),
      subscribed: c.subscribed,
      coins: c.total,
    });
  };
  let timeline: FaultTimeline | undefined;
  try {
    await tv.start();
    const sim = tv.sim!;
    tv.alerts$.subscribe((a) => alerts.push(a));
    tv.committed$.subscribe((batch) => {
      const now = Date.now();
      for (const r of batch.records) if (r.type === 'trade') latencies.push(now - r.timestamp);
    });
    let lastProgress = 0;
    const drive = async (phase: RunProgress['phase']) => {
      sim.advance(STEP_MS);
      await sleep(STEP_MS);
      if (Date.now() - lastProgress >= 1_000) {
        lastProgress = Date.now();
        progress(phase);
      }
    };

    // 1. every coin subscribed before the timeline starts
    const startDeadline = Date.now() + 30_000;
    while (coins(tv).subscribed < expectedCoins && Date.now() < startDeadline) await drive('starting');

    // 2. the timeline, while the exchange trades
    timeline = new FaultTimeline(scenario.faults, sim, {
      onFault: () => faults++,
      onCollectorFault: (f) => storeFaults.failUntil(Date.now() + (f.durationMs ?? 0)),
    });
    const t0 = Date.now();
    timeline.start();
    while (Date.now() - t0 < scenario.durationMs) await drive('running');
    timeline.stop();
    sim.clearFaults();

    // 3. recovery: the exchange keeps trading until every coin is back and every gap is filled
    const settleDeadline = Date.now() + (options.settleTimeoutMs ?? 60_000);
    const settled = () => {
      const c = coins(tv);
      if (c.subscribed < expectedCoins) return false;
      return tv.gapStats().every((g) => g.openWindows === 0 && g.idle);
    };
    let calm = 0;
    while (Date.now() < settleDeadline) {
      await drive('settling');
      calm = settled() ? calm + 1 : 0;
      if (calm >= 10) break; // 200 ms of calm: nothing new breaks behind us
    }

    // 4. the exchange stops; everything in flight lands
    progress('comparing');
    await tv.drain();
  } finally {
    timeline?.stop();
  }
  const truth = tv.sim!.groundTruth();
  const stored: Trade[] = [];
  for (const v of scenario.venues) {
    for (const s of v.symbols) {
      for await (const r of tv.history({ exchange: v.exchange, market: v.market, symbol: s.symbol, type: 'trade' })) stored.push(r as Trade);
    }
  }
  const endCoins = coins(tv);
  const tree = tv.state();
  await tv.stop();
  if (!options.dataDir) rmSync(dir, { recursive: true, force: true });

  const verdict = compareWithTruth(truth, stored, { fromFirstStored: true });
  const restarts: Record<string, number> = {};
  const recoveries: Record<string, number> = {};
  const gaps = { detected: 0, filled: 0, unfilled: 0, backfilledTrades: 0 };
  for (const n of walk(tree)) {
    if ((n.counters.restartAttempts ?? 0) > 0) restarts[n.id] = n.counters.restartAttempts!;
    if ((n.counters.recoveryAttempts ?? 0) > 0) recoveries[n.id] = n.counters.recoveryAttempts!;
  }
  for (const g of tv.gapStats()) {
    gaps.detected += g.detected;
    gaps.filled += g.filled;
    gaps.unfilled += g.unfilled;
    gaps.backfilledTrades += g.backfilledTrades;
  }
  latencies.sort((a, b) => a - b);
  const q = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! : 0);
  const alertsByKind: Record<string, number> = {};
  for (const a of alerts) alertsByKind[a.kind] = (alertsByKind[a.kind] ?? 0) + 1;
  const e = scenario.expect;
  const expectations = [
    { name: 'lost', ok: verdict.lost <= e.lost, detail: `${verdict.lost} lost (expected ≤ ${e.lost})` },
    { name: 'duplicated', ok: verdict.duplicated <= e.duplicated, detail: `${verdict.duplicated} duplicated (expected ≤ ${e.duplicated})` },
    { name: 'unexpected', ok: verdict.unexpected === 0, detail: `${verdict.unexpected} stored trades the exchange never generated` },
    ...(e.maxAlerts !== undefined ? [{ name: 'maxAlerts', ok: alerts.length <= e.maxAlerts, detail: `${alerts.length} alerts (expected ≤ ${e.maxAlerts})` }] : []),
    ...(e.minStored !== undefined ? [{ name: 'minStored', ok: verdict.stored >= e.minStored, detail: `${verdict.stored} stored (expected ≥ ${e.minStored})` }] : []),
    ...(e.subscribedAtEnd
      ? [{ name: 'subscribedAtEnd', ok: endCoins.subscribed === expectedCoins, detail: `${endCoins.subscribed}/${expectedCoins} coins Subscribed at the end` }]
      : []),
  ];
  return {
    scenario: scenario.name,
    generated: verdict.generated,
    stored: verdict.stored,
    lost: verdict.lost,
    duplicated: verdict.duplicated,
    unexpected: verdict.unexpected,
    beforeStart: verdict.beforeStart,
    restarts,
    recoveries,
    alerts: alerts.length,
    alertsByKind,
    latencyMs: { p50: q(0.5), p99: q(0.99), max: q(1) },
    gaps,
    faultsInjected: faults,
    durationMs: Date.now() - started,
    expectations,
    ok: expectations.every((x) => x.ok),
    lostSample: verdict.lostSample,
  };
}
