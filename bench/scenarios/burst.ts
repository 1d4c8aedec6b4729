/**
 * burst: 50 symbols, N trades as fast as the socket drains, against one consumer.
 * A fresh simulator per consumer, so every peer sees the same feed from the same state.
 */
import type { BurstResult } from '../lib/burst-meter.js';
import { binanceSpot, startSimProcess, symbols } from '../sim-process.js';
import { measure, startConsumer, warmUp, type ConsumerKind } from './consumers.js';

/** simCpuPct: the simulator's CPU while it sent, % of one core (near 100: it was the bound) */
export type BurstOutcome = (BurstResult & { simCpuPct: number }) | { error: string };

export async function burst(kind: ConsumerKind, count: number, warmTrades: number): Promise<BurstOutcome> {
  const syms = symbols(50);
  const sim = await startSimProcess(binanceSpot(1, syms, 0, 'manual'));
  try {
    const consumer = await startConsumer(kind, sim, syms);
    try {
      await warmUp(consumer, sim, warmTrades);
      // BENCH_ALLOC_DIR=DIR: what tickvisor's child allocates during the burst (sampled, garbage included)
      const allocDir = kind === 'tickvisor' ? process.env.BENCH_ALLOC_DIR : undefined;
      const profile = allocDir ? consumer.child.call('allocationProfile', { seconds: 1.5, path: `${allocDir}/burst-${count}.heapprofile` }) : undefined;
      const result = await measure(consumer, sim, count, 2_000);
      await profile;
      return result;
    } finally {
      await consumer.child.stop();
    }
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  } finally {
    await sim.stop();
  }
}
