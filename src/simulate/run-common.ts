/** What a single-collector run and a cluster run share: the configuration under test, waiting with a bound, the fault timeline's end, latency quantiles, the book sampler. */
import type { TickvisorConfigInput } from '../config/schema.js';
import { scenarioBookDepth } from '../scenario/index.js';
import type { LevelWithSilent } from '../log/logger.js';
import type { Scenario } from '../scenario/index.js';
import type { SimExchange } from '../sim/index.js';
import { BookSampler, type BookKey, type CollectorBooks, type TrueBooks } from './book-sampler.js';
import type { Comparison } from './compare.js';

/** one step of the exchange's clock per step slept */
export const STEP_MS = 20;
/** a scripted run is short: the simulator may keep far more REST history than the embedded default */
export const RUN_LEDGER_LIMIT = 2_000_000;
export const START_TIMEOUT_MS = 30_000;
export const DEFAULT_SETTLE_TIMEOUT_MS = 60_000;
/** books are sampled every this many steps (~100 ms, one Binance push) */
export const BOOK_SAMPLE_STEPS = 5;
/** levels compared per side at most: Upbit sends 30 units */
const MAX_SAMPLE_DEPTH = 30;

/** the books a scenario samples and the levels compared */
export function scenarioSampledBooks(scenario: Scenario): { books: BookKey[]; depth: number } {
  return {
    books: scenario.venues.flatMap((v) => v.symbols.map((x) => ({ exchange: v.exchange, market: v.market, symbol: x.symbol }))),
    depth: Math.min(scenarioBookDepth(scenario), MAX_SAMPLE_DEPTH),
  };
}

/**
 * A sampler of every book of the scenario: `books` is what is judged (a collector's live books, or
 * the archive's stored ones in a cluster run), against the simulator's true books.
 */
export function scenarioBookSampler(scenario: Scenario, books: CollectorBooks, truth: TrueBooks): BookSampler {
  return new BookSampler({
    ...scenarioSampledBooks(scenario),
    collector: books,
    truth,
    now: Date.now,
  });
}

/** the report's `book` without the internal `sampled` flag */
export function withoutSampled<T extends { sampled: boolean }>(b: T): Omit<T, 'sampled'> {
  const { sampled: _sampled, ...rest } = b;
  return rest;
}

/** The tickvisor configuration of a run: the scenario's overrides, every venue at the simulator's endpoints. */
export function scenarioConfig(scenario: Scenario, dataDir: string, sim: Pick<SimExchange, 'endpoints'>, logLevel: LevelWithSilent = 'silent'): TickvisorConfigInput {
  const overrides = (scenario.tickvisor ?? {}) as Record<string, unknown>;
  const { groupSize, channels, bookDepth, ...rest } = overrides as { groupSize?: number; channels?: ('trade' | 'ticker' | 'book')[]; bookDepth?: number };
  return {
    ...(rest as Partial<TickvisorConfigInput>),
    exchanges: scenario.venues.map((v) => ({
      exchange: v.exchange,
      market: v.market,
      ...sim.endpoints(v.exchange, v.market),
      ...(groupSize !== undefined ? { groupSize } : {}),
      ...(channels !== undefined ? { channels } : {}),
      ...(bookDepth !== undefined ? { bookDepth } : {}),
    })),
    // a scripted run is short: the REST audit looks often, so the run can wait until it has
    // checked past the last fault (a scenario's own `audit` settings win)
    audit: { intervalMs: 250, settleMs: 1_000, ...((rest as { audit?: object }).audit ?? {}) },
    store: { ...((rest as { store?: object }).store ?? {}), path: dataDir },
    metrics: { enabled: false },
    log: { level: logLevel },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** waits for `work`, at most `ms`; the timer is cleared either way so it holds no process open */
export async function within(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([work, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** ms after the timeline's start at which the last fault with a duration ends */
export function lastTimedFaultEnd(scenario: Scenario): number {
  return scenario.faults.reduce((end, f) => (f.durationMs !== undefined ? Math.max(end, f.at + f.durationMs) : end), 0);
}


/** p50, p99 and max of a list of ms (sorted here) */
export function latencyQuantiles(values: readonly number[]): { p50: number; p99: number; max: number } {
  const sorted = Float64Array.from(values).sort();
  const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0);
  return { p50: q(0.5), p99: q(0.99), max: q(1) };
}

/** the report's fields that are the comparison's own (both kinds of run report them alike) */
export function verdictFields(verdict: Comparison): Pick<Comparison, 'generated' | 'stored' | 'lost' | 'duplicated' | 'unexpected' | 'beforeStart' | 'unfilled' | 'neverSubscribed' | 'lostSample' | 'lostBySymbol'> {
  const { generated, stored, lost, duplicated, unexpected, beforeStart, unfilled, neverSubscribed, lostSample, lostBySymbol } = verdict;
  return { generated, stored, lost, duplicated, unexpected, beforeStart, unfilled, neverSubscribed, lostSample, lostBySymbol };
}

/**
 * The wall time each step of the simulated exchange's clock was taken at. The exchange's clock
 * moves STEP_MS a step and a step takes longer than that on a loaded machine, so exchange time
 * falls behind the wall clock: a trade's latency is counted from the wall time of the step that
 * published it, not from its timestamp (which would count the drift as latency).
 */
export class ExchangeWalls {
  private start: number | undefined;
  private readonly walls: number[] = [];

  /**
   * The simulator's clock (SimOptions.now): the wall clock, whose first reading, when the
   * simulator sets its exchange clocks going, is where exchange time starts.
   */
  readonly now = (): number => {
    const t = Date.now();
    this.start ??= t;
    return t;
  };

  /** a step of the exchange's clock is being taken now */
  stepped(): void {
    this.walls.push(Date.now());
  }

  /** the wall time the exchange published a trade stamped `timestamp` at */
  publishedAt(timestamp: number): number {
    const walls = this.walls;
    return walls[Math.min(walls.length - 1, Math.max(0, Math.ceil((timestamp - (this.start ?? timestamp)) / STEP_MS) - 1))] ?? timestamp;
  }

  /** latencies from pairs of (exchange timestamp, commit wall time) */
  latencies(commits: readonly number[]): number[] {
    const out: number[] = [];
    for (let i = 0; i + 1 < commits.length; i += 2) out.push((commits[i + 1] as number) - this.publishedAt(commits[i] as number));
    return out;
  }
}
