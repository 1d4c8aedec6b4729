/**
 * sustained: N trades (3,000,000 in the full run) over 50 symbols against one consumer, ten times
 * the burst, so what a short burst hides shows: garbage collection, the store growing, buffers
 * that only grow, a consumer that drops trades once its queues are long.
 *
 * The rate: the simulator writes as fast as the consumer's socket drains (TCP flow control, as the
 * burst), so the offered rate is by construction the highest rate this consumer keeps up with, and
 * one run finds it — no search over fixed rates, each a 3M-trade run. A consumer that reads the
 * socket but cannot keep up behind it (queues, dropped trades) shows as deliveredPct < 100 or as
 * peak RSS. `simCpuPct` says whether the simulator was the bound instead: near 100 it was busy the
 * whole run, and the consumer's figure is a lower bound.
 */
import type { BurstResult } from '../lib/burst-meter.js';
import { binanceSpot, startSimProcess, symbols } from '../sim-process.js';
import { measure, startConsumer, warmUp, type ConsumerKind } from './consumers.js';

export interface SustainedResult extends BurstResult {
  /** the simulator's CPU over the run, % of one core */
  simCpuPct: number;
}
export type SustainedOutcome = SustainedResult | { error: string };

/**
 * Longer than the burst's 2 s: over millions of trades a consumer may stop committing for seconds
 * while still working (lmdb-js gathering a large queue of puts into one long commit; a busy shared
 * machine), and the burst's rule would count those trades as lost. One that truly lost trades still
 * ends this long after its last progress.
 */
const QUIET_MS = 10_000;

export async function sustained(kind: ConsumerKind, count: number, warmTrades: number): Promise<SustainedOutcome> {
  const syms = symbols(50);
  const sim = await startSimProcess(binanceSpot(5, syms, 0, 'manual'));
  try {
    const consumer = await startConsumer(kind, sim, syms);
    try {
      await warmUp(consumer, sim, warmTrades);
      // a slow consumer (ccxt) may need minutes for 3M trades; the quiet rule still ends a lossy one.
      // Generated live: preparing millions of trades up front silences the feed for longer than
      // tickvisor's data-stall watchdog allows (consumers.ts measure); simCpuPct says when the
      // simulator was the bound
      return await measure(consumer, sim, count, QUIET_MS, Math.max(180_000, count / 10), false);
    } finally {
      await consumer.child.stop();
    }
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  } finally {
    await sim.stop();
  }
}
