/**
 * recovery: 50 symbols over 5 connectors at a steady rate; the simulator drops every socket
 * (`disconnect`) or goes away for a while (`server-restart`). Measured from the moment the
 * simulator is reachable again: every coin Subscribed, and every missed trade stored (ids
 * contiguous per symbol, from the committed batches). Then the feed stops and the store is
 * compared with the simulator's ground truth.
 */
import { startConsumer } from './consumers.js';
import { binanceSpot, startSimProcess, symbols } from '../sim-process.js';
import { sleep } from '../lib/until.js';

export interface RecoveryResult {
  fault: 'disconnect' | 'server-restart';
  downMs: number;
  allSubscribed: boolean;
  subscribedMs: number | null;
  gapFilled: boolean;
  gapFilledMs: number | null;
  missingAtWorst: number;
  gaps?: { detected: number; filled: number; unfilled: number; backfilledTrades: number; pending: number };
  generated: number;
  stored: number;
  lost: number;
}

const RATE_PER_SYMBOL = 40; // 2,000 trades/s over 50 symbols

export async function recovery(fault: 'disconnect' | 'server-restart', downMs: number): Promise<RecoveryResult> {
  const syms = symbols(50);
  // no trades until the collector is subscribed: then the ground truth is exactly what it must store
  const sim = await startSimProcess(binanceSpot(4, syms, 0, 'auto'));
  const rates = (r: number) => syms.map((symbol) => ({ symbol, tradesPerSecond: r, tickersPerSecond: 0 }));
  try {
    const tv = await startConsumer('tickvisor', sim, syms, 10);
    try {
      await sim.setSymbols(rates(RATE_PER_SYMBOL));
      // steady state first: each symbol's first-subscription window (closed by its first trade)
      // is checked by REST at start; the figure is the recovery from the fault, not the start
      await tv.child.call('waitGapsIdle', { timeoutMs: 30_000 });
      await sleep(1_000);
      await tv.child.call('recoveryArm');
      const at = await sim.inject(fault === 'disconnect' ? { kind: 'disconnect' } : { kind: 'server-restart', durationMs: downMs });
      const backAt = fault === 'disconnect' ? at : at + downMs;
      const r = await tv.child.call<Omit<RecoveryResult, 'fault' | 'downMs' | 'generated' | 'stored' | 'lost'>>('recoveryWait', {
        backAt,
        timeoutMs: 60_000,
      });
      await sim.setSymbols(rates(0));
      await sleep(1_500);
      const generated = await sim.generated();
      const stored = await tv.child.call<number>('committed');
      return { fault, downMs: fault === 'disconnect' ? 0 : downMs, ...r, generated, stored, lost: generated - stored };
    } finally {
      await tv.child.stop();
    }
  } finally {
    await sim.stop();
  }
}
