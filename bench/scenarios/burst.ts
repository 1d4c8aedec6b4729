/**
 * burst: 50 symbols, N trades as fast as the socket drains, against one consumer.
 * A fresh simulator per consumer, so every peer sees the same feed from the same state.
 */
import type { BurstResult } from '../lib/burst-meter.js';
import { profileAllocations } from '../lib/allocation-profile.js';
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
      const profile = kind === 'tickvisor' ? profileAllocations(consumer.child, `burst-${count}`) : undefined;
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
