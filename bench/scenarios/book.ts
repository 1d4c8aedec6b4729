/**
 * book: 50 Binance spot books under a burst of diff depth events (`<symbol>@depth@100ms`), one
 * consumer at a time, each from a fresh simulator: tickvisor (channel `book`), ccxt pro's
 * watchOrderBookForSymbols, and the floor (bare ws + JSON.parse + a Map per book).
 *
 * The consumer subscribes the 50 books, then a warm-up burst runs and the bench waits until every
 * book is synced (REST snapshot taken, the events after it applied) and nothing more arrives; a
 * second warm-up burst, of the measured one's size, then lands on the live books. The measured
 * burst follows: N events per symbol generated and rendered up front by the simulator
 * (SimExchange.prepareBookBurst), then written as fast as the consumer's socket drains. An update counts when
 * the consumer applied it to its book (and, for tickvisor, once its record is stored: the window
 * ends at the sink's last commit, so storing is in tickvisor's CPU; the peers store nothing).
 * Afterwards each consumer's top 10 of every book is compared with the simulator's true book:
 * `mismatched` books. A consumer that desyncs and resyncs may legitimately miss updates; `applied`
 * counts what it applied.
 */
import { profileAllocations } from '../lib/allocation-profile.js';
import { compareBooks, type TopBooks } from '../lib/book-compare.js';
import { round, type BurstResult } from '../lib/burst-meter.js';
import { startChild, type BenchChild } from '../lib/child.js';
import { sleep } from '../lib/until.js';
import { tickvisorChildScript, tickvisorLaunch } from '../consumers/dist-child.js';
import { binanceSpot, startSimProcess, symbols, type SimProcess } from '../sim-process.js';

export type BookConsumerKind = 'tickvisor' | 'ccxt' | 'floor';

export interface BookResult {
  /** updates (diff events) the simulator sent in the measured burst */
  sent: number;
  /** of those, applied by the consumer */
  applied: number;
  /** level changes the sent events carried */
  levelChanges: number;
  seconds: number;
  updatesPerSec: number;
  cpuSeconds: number;
  /** CPU-s per million updates */
  cpuSecPerMillion: number;
  /** updates per CPU-second (what the tickvisor / ccxt target compares) */
  updatesPerCpuSec: number;
  deliveredPct: number;
  complete: boolean;
  peakRssMB: number;
  /** books whose top 10 differs from the simulator's true book after the burst */
  mismatched: number;
  mismatchExamples: string[];
  /** the simulator's CPU over the burst, % of one core: near 100 it was the bound */
  simCpuPct: number;
  /** what the consumer says of itself: resyncs, errors, store growth */
  diagnostics: Record<string, unknown>;
}
export type BookOutcome = BookResult | { error: string };

export interface BookPlan {
  eventsPerSymbol: number;
  warmEventsPerSymbol: number;
  /** events per symbol of the warm-up burst sent once every book is live */
  liveWarmEventsPerSymbol: number;
  /** level changes per event on average */
  meanChanges: number;
}

const SYMBOLS = 50;
const COMPARE_DEPTH = 10;
const SYNC_TIMEOUT_MS = 180_000;
const QUIET_MS = 2_000;

export async function book(kind: BookConsumerKind, plan: BookPlan): Promise<BookOutcome> {
  const syms = symbols(SYMBOLS);
  const sim = await startSimProcess(binanceSpot(11, syms, 0, 'manual'));
  try {
    const child = await startBookConsumer(kind, sim, syms);
    try {
      await warmUp(kind, child, sim, plan);
      const sent = SYMBOLS * plan.eventsPerSymbol;
      // generated and rendered before the clock starts: the consumer's time is its own
      const burst = await sim.prepareBookBurst(plan.eventsPerSymbol, plan.meanChanges);
      if (burst.events !== sent) throw new Error(`${kind}: the simulator prepared ${burst.events} events, ${sent} planned (${burst.symbols} books)`);
      const cpu0 = await sim.cpuSeconds();
      await child.call('arm', { count: sent, quietMs: QUIET_MS, timeoutMs: Math.max(180_000, sent / 2) });
      const profile = kind === 'tickvisor' ? profileAllocations(child, `book-${sent}`) : undefined;
      const [r] = await Promise.all([child.call<BurstResult>('burstResult'), sim.sendBookBurst()]);
      await profile;
      const simCpu = (await sim.cpuSeconds()) - cpu0;
      const [mine, truth] = await Promise.all([child.call<TopBooks>('books', COMPARE_DEPTH), sim.trueBooks(COMPARE_DEPTH)]);
      const cmp = compareBooks(mine, truth, COMPARE_DEPTH);
      const diagnostics = await child.call<Record<string, unknown>>('diagnostics');
      return {
        sent,
        applied: r.delivered,
        levelChanges: burst.levelChanges,
        seconds: r.seconds,
        updatesPerSec: r.tradesPerSec,
        cpuSeconds: r.cpuSeconds,
        cpuSecPerMillion: r.cpuSecPerMillion,
        updatesPerCpuSec: r.cpuSeconds > 0 ? Math.round(r.delivered / r.cpuSeconds) : 0,
        deliveredPct: r.deliveredPct,
        complete: r.complete,
        peakRssMB: r.peakRssMB,
        mismatched: cmp.mismatched,
        mismatchExamples: cmp.examples,
        simCpuPct: r.seconds > 0 ? round((simCpu / r.seconds) * 100, 1) : 0,
        diagnostics,
      };
    } finally {
      await child.stop();
    }
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  } finally {
    await sim.stop();
  }
}

const SCRIPTS: Record<Exclude<BookConsumerKind, 'tickvisor'>, string> = {
  ccxt: 'consumers/ccxt-book-child.ts',
  floor: 'consumers/floor-book-child.ts',
};

/** starts the consumer; it subscribes every book (and asks for its snapshots, its own way) */
async function startBookConsumer(kind: BookConsumerKind, sim: SimProcess, syms: string[]): Promise<BenchChild> {
  const child =
    kind === 'tickvisor'
      ? await startChild(kind, await tickvisorChildScript('tickvisor-book-child'), tickvisorLaunch())
      : await startChild(kind, SCRIPTS[kind]);
  try {
    if (kind === 'tickvisor') await child.call('start', { endpoints: sim.endpoints, symbols: syms, groupSize: SYMBOLS });
    else await child.call('start', { ...sim.endpoints, symbols: syms });
  } catch (e) {
    await child.stop();
    throw e;
  }
  return child;
}

/**
 * The warm-up burst, then small ones until every book is synced (a client that asks for its
 * snapshot on the first event, or spaces its snapshot requests, takes a while; one whose snapshot
 * came after the last event may wait for the next), then until nothing more arrives: the measured
 * burst starts on live books and a JIT-warm consumer.
 */
async function warmUp(kind: string, child: BenchChild, sim: SimProcess, plan: BookPlan): Promise<void> {
  // the subscriptions may still be on their way: the first events must find them
  const deadline = Date.now() + SYNC_TIMEOUT_MS;
  await sleep(200);
  await sim.bookBurst(plan.warmEventsPerSymbol, plan.meanChanges);
  while ((await child.call<number>('synced')) < SYMBOLS) {
    if (Date.now() > deadline) {
      throw new Error(`${kind}: ${await child.call<number>('synced')} of ${SYMBOLS} books synced after the warm-up (${JSON.stringify(await child.call('diagnostics'))})`);
    }
    await sleep(500);
    await sim.bookBurst(2, plan.meanChanges);
  }
  await quiet(child);
  // the first burst arrives before the books' snapshots and is mostly buffered and dropped; this
  // one lands on live books, so every consumer's apply path (and tickvisor's store path, whose
  // per-symbol columns grow once to what a burst needs and are kept) is warm, as in a collector
  // that has been running: the measured burst is the steady state, not the first burst's growth
  await sim.bookBurst(plan.liveWarmEventsPerSymbol, plan.meanChanges);
  await quiet(child);
}

/** waits until the consumer's count of updates stops moving */
async function quiet(child: BenchChild): Promise<void> {
  let last = -1;
  for (let n = await child.call<number>('seen'); n !== last; n = await child.call<number>('seen')) {
    last = n;
    await sleep(300);
  }
}
