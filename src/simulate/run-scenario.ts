/**
 * A scripted simulation run: the simulator plays the scenario against the real tree, faults are
 * injected on the scenario's timeline, then the store is compared with the ground truth.
 *
 * This process owns the simulator (manual mode, advanced in real time, keeping a complete
 * compact truth); the tickvisor under test runs in this process, or in a child process when the
 * scenario kills the collector. After the timeline, faults without a duration are cleared (those
 * with one run out on their own, even past the timeline) and the exchange keeps trading until
 * every coin is back and every gap window is filled or the settle timeout passes; then generation
 * stops, the collector drains and stops, and the comparison reads the store.
 *
 * Every path out — a report, an error, an abort (Ctrl-C) — stops the collector and the simulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TickvisorConfigInput } from '../config/schema.js';
import { createLogger, silentLogger, type LevelWithSilent, type Logger } from '../log/logger.js';
import { FaultTimeline, scenarioCollectsBooks, scenarioToSimOptions, type Scenario } from '../scenario/index.js';
import { startSimExchange, type SimExchange, type SimFault, type SimOptions } from '../sim/index.js';
import { openHistoryStore } from '../store/index.js';
import type { BookSampler, BookSampleReport } from './book-sampler.js';
import { startChildProcess } from './child-process.js';
import type { CollectorStatus, CollectorUnderTest } from './collector.js';
import { compareRun, type Comparison } from './compare.js';
import { SimulateError } from './errors.js';
import { judge, type Expectation } from './expectations.js';
import { startInProcess } from './in-process.js';
import { runClusterScenario, type ClusterRunFigures } from './run-cluster.js';
import { BOOK_SAMPLE_STEPS, DEFAULT_SETTLE_TIMEOUT_MS, ExchangeWalls, latencyQuantiles, lastTimedFaultEnd, RUN_LEDGER_LIMIT, scenarioConfig, sleep, START_TIMEOUT_MS, scenarioBookSampler, scenarioSampledBooks, STEP_MS, verdictFields, within, withoutSampled } from './run-common.js';

export { scenarioConfig } from './run-common.js';

export interface SimulationReport {
  scenario: string;
  /** trades generated after each symbol's subscription was acknowledged */
  generated: number;
  stored: number;
  /** generated after the acknowledgement and not stored */
  lost: number;
  duplicated: number;
  /** stored but never generated */
  unexpected: number;
  /** generated before the symbol's subscription was acknowledged (before collection began) */
  beforeStart: number;
  /** missing trades beyond Bybit's REST history when the collector came back (documented limit, never a pass) */
  unfilled: number;
  /** symbols the exchange never acknowledged a trade subscription for */
  neverSubscribed: string[];
  /** restarts of whole actors by their supervisor, by actor */
  restarts: Record<string, number>;
  /** connector reconnections (own recovery), by connector */
  recoveries: Record<string, number>;
  alerts: number;
  alertsByKind: Record<string, number>;
  /** exchange timestamp → LMDB commit, every stored trade (backfilled ones included) */
  latencyMs: { p50: number; p99: number; max: number };
  gaps: { detected: number; merged: number; filled: number; unfilled: number; backfilledTrades: number };
  /** the REST audit of venues without dense ids (the collector's last process): windows judged, trades found missing and filled */
  audit: { windows: number; missing: number; filled: number; unfilled: number };
  faultsInjected: number;
  /** times the collector process was killed and restarted */
  collectorKills: number;
  /** false when the settle timeout passed before every coin was back and every gap filled */
  settled: boolean;
  durationMs: number;
  expectations: Expectation[];
  ok: boolean;
  lostSample: Comparison['lostSample'];
  /** lost and unfilled per symbol (symbols with any only) */
  lostBySymbol: Comparison['lostBySymbol'];
  /**
   * the collector's books against the simulator's true books, sampled from the start of the
   * timeline to the end of recovery (scenarios collecting books only); `notLiveAtEnd`: the books
   * not live when recovery ended
   */
  book?: BookSampleReport & { notLiveAtEnd: string[] };
  /** a cluster scenario's figures (its store compared is the archive) */
  cluster?: ClusterRunFigures;
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
  /** how long recovery may take after the timeline before the run gives up waiting (overrides the scenario's) */
  settleTimeoutMs?: number;
  /** aborts the run (Ctrl-C): everything started is stopped and the run rejects */
  signal?: AbortSignal;
  /** run the collector in a child process even without a kill-collector fault */
  collectorProcess?: 'in-process' | 'child';
  /** the collector's log level, lines on stderr (default: silent) */
  logLevel?: LevelWithSilent;
  /** how the simulator is started (tests wrap it to watch it being stopped) */
  startSim?: (options: SimOptions) => Promise<SimExchange>;
}


export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<SimulationReport> {
  const ownDir = !options.dataDir;
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tickvisor-sim-'));
  if (scenario.cluster) {
    try {
      // the run's own notes (a node that did not start again) on the collector's log
      const logger = options.logger ?? (options.logLevel === undefined || options.logLevel === 'silent' ? undefined : createLogger(options.logLevel));
      return await runClusterScenario(scenario, scenario.cluster, dir, logger ? { ...options, logger } : options);
    } finally {
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    }
  }
  const expectedCoins = scenario.venues.reduce((n, v) => n + v.symbols.length, 0);
  const endStates = new Map((scenario.expect.coins ?? []).map((c) => [`${c.exchange}:${c.market}:${c.symbol}`, c.state]));
  const settleTimeoutMs = options.settleTimeoutMs ?? scenario.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS;
  const child = options.collectorProcess === 'child' || scenario.faults.some((f) => f.kind === 'kill-collector');
  const started = Date.now();
  let sim: SimExchange | undefined;
  let collector: CollectorUnderTest | undefined;
  let timeline: FaultTimeline | undefined;
  let faults = 0;
  let kills = 0;
  let failure: unknown;
  let settled = false;
  let endStatus: CollectorStatus | undefined;
  let coinsWhenStopped: CollectorStatus['coins'] | undefined;
  let verdict: Comparison;
  const collectsBooks = scenarioCollectsBooks(scenario);
  let sampler: BookSampler | undefined;
  let steps = 0;
  let notLiveAtEnd: string[] = [];
  const walls = new ExchangeWalls();

  const check = () => {
    if (options.signal?.aborted) throw new SimulateError('TV_ERR_SIMULATE_ABORTED', 'the run was interrupted');
    if (failure !== undefined) throw failure;
  };
  const subscribedCount = (s: CollectorStatus) => s.coins.filter((c) => c.state === 'Subscribed').length;
  let lastProgress = 0;
  const progress = (phase: RunProgress['phase'], force = false) => {
    if (!options.onProgress || !collector || (!force && Date.now() - lastProgress < 1_000)) return;
    lastProgress = Date.now();
    const s = collector.status();
    options.onProgress({ phase, elapsedMs: Date.now() - started, faults, stored: s.committed, subscribed: subscribedCount(s), coins: s.coins.length });
  };
  // one step of the exchange's clock per step slept: under load the exchange trades a little
  // slower than the wall clock rather than in bursts
  const drive = async (phase: RunProgress['phase']) => {
    check();
    walls.stepped();
    sim!.advance(STEP_MS);
    await sleep(STEP_MS);
    if (sampler !== undefined && ++steps % BOOK_SAMPLE_STEPS === 0) sampler.sample();
    progress(phase);
  };
  /** every coin in its expected end state (Subscribed unless the scenario says otherwise) */
  const coinsAtRest = (s: CollectorStatus) =>
    s.coins.length >= expectedCoins && s.coins.every((c) => c.state === (endStates.get(`${c.exchange}:${c.market}:${c.symbol}`) ?? 'Subscribed'));

  try {
    sim = await (options.startSim ?? startSimExchange)({ ...scenarioToSimOptions(scenario, { mode: 'manual', keepTruth: true, ledgerLimitPerSymbol: RUN_LEDGER_LIMIT }), now: walls.now });
    const logLevel = options.logLevel ?? 'silent';
    const config = scenarioConfig(scenario, dir, sim, logLevel);
    const logger = options.logger ?? (logLevel === 'silent' ? silentLogger() : createLogger(logLevel));
    collector = child ? await startChildProcess(config, collectsBooks ? scenarioSampledBooks(scenario) : undefined) : await startInProcess(config, logger);
    const c = collector;
    const s = sim;

    // 1. every coin subscribed before the timeline starts
    const startDeadline = Date.now() + START_TIMEOUT_MS;
    while (subscribedCount(c.status()) < expectedCoins && Date.now() < startDeadline) await drive('starting');

    // 2. the timeline, while the exchange trades; a collector kill is the run's to do, the rest the simulator's
    let restarting: Promise<void> | undefined;
    timeline = new FaultTimeline(scenario.faults, s, {
      onFault: () => faults++,
      onCollectorFault: (fault) => {
        if (fault.kind === 'store-full') return c.failStore(Date.now() + (fault.durationMs ?? 0));
        kills++;
        // one kill at a time: a second kill waits for the first restart
        restarting = (restarting ?? Promise.resolve())
          .then(() => c.killAndRestart!(fault.durationMs ?? 0))
          .catch((error: unknown) => {
            failure ??= error;
          });
      },
    });
    // books are judged from the timeline's start: the first sync before it is not a fault's doing
    if (collectsBooks && c.books !== undefined) {
      sampler = scenarioBookSampler(scenario, c.books, s);
    }
    const t0 = Date.now();
    timeline.start();
    while (Date.now() - t0 < scenario.durationMs) await drive('running');
    timeline.stop();
    s.clearFaults({ keepTimed: true });

    // 3. faults that outlast the timeline run out while the exchange keeps trading
    const faultsEnd = t0 + lastTimedFaultEnd(scenario);
    while (Date.now() < faultsEnd) await drive('settling');
    const faultsEndAt = Date.now();
    let restartDone = false;
    void restarting?.then(() => (restartDone = true));
    if (!restarting) restartDone = true;

    // 4. recovery: the exchange keeps trading until every coin is back and every gap is filled
    const settleDeadline = Date.now() + settleTimeoutMs;
    let calm = 0;
    while (Date.now() < settleDeadline) {
      await drive('settling');
      const st = c.status();
      // the audit must have checked every audited coin past the last fault: a loss only REST can see
      // (no dense ids, no reconnect) is found there
      const audited = st.auditedUntil === null || st.auditedUntil >= faultsEndAt;
      // every book live again (as of the last sample) when the scenario keeps books
      const booksBack = sampler === undefined || sampler.allLive();
      calm = restartDone && coinsAtRest(st) && st.gapsSettled && audited && booksBack ? calm + 1 : 0;
      if (calm >= 10) {
        settled = true; // 200 ms of calm: nothing new breaks behind us
        break;
      }
    }
    await within(restarting, settleTimeoutMs);
    check();
    if (sampler !== undefined) {
      sampler.sample();
      notLiveAtEnd = sampler.notLive().map((b) => `${b.exchange}:${b.market}:${b.symbol}`);
    }

    // 5. the exchange stops; everything in flight lands; the collector stops and closes the store
    progress('comparing', true);
    coinsWhenStopped = c.status().coins;
    await within(c.drain(), settleTimeoutMs);
    endStatus = c.status();
    await c.stop();
    const store = openHistoryStore({ path: dir });
    try {
      verdict = await compareRun(s.truth(), (t) => store.readRange({ exchange: t.exchange, market: t.market, symbol: t.symbol, type: 'trade' }) as AsyncIterable<{ id: string }>);
    } finally {
      await store.close();
    }
  } finally {
    timeline?.stop();
    await collector?.stop();
    await sim?.stop();
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  }

  const totals = collector.totals();
  const alertsByKind: Record<string, number> = {};
  for (const a of collector.alerts) alertsByKind[a.kind] = (alertsByKind[a.kind] ?? 0) + 1;
  const book = collectsBooks ? { ...(sampler?.report() ?? emptyBookReport()), notLiveAtEnd: sampler ? notLiveAtEnd : [], sampled: sampler !== undefined } : undefined;
  const expectations = judge(scenario, { verdict, endStatus, ...(coinsWhenStopped ? { coinsAtRest: coinsWhenStopped } : {}), alertsByKind, alerts: collector.alerts.length, expectedCoins, ...(book ? { book } : {}) });
  return {
    scenario: scenario.name,
    ...verdictFields(verdict),
    restarts: totals.restarts,
    recoveries: totals.recoveries,
    alerts: collector.alerts.length,
    alertsByKind,
    latencyMs: latencyQuantiles(walls.latencies(collector.commits)),
    gaps: totals.gaps,
    audit: endStatus.audit,
    faultsInjected: faults,
    collectorKills: kills,
    settled,
    durationMs: Date.now() - started,
    expectations,
    ok: expectations.every((x) => x.ok),
    ...(book ? { book: { ...withoutSampled(book) } } : {}),
  };
}

function emptyBookReport(): BookSampleReport {
  return { samples: 0, compared: 0, mismatched: 0, skipped: 0, resyncs: 0, unsyncedMs: 0 };
}
