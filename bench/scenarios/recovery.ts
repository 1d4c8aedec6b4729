/**
 * recovery: 50 symbols over 5 connectors at a steady rate; the simulator drops every socket
 * (`disconnect`) or goes away for a while (`server-restart`). Measured from the moment the
 * simulator is reachable again: every coin Subscribed, and every missed trade stored (ids
 * contiguous per symbol, from the committed batches). Then the feed stops and the store is
 * compared with the simulator's ground truth, trade by trade, once the last commits and REST windows
 * have settled.
 */
import { startConsumer } from './consumers.js';
import { binanceSpot, startSimProcess, symbols } from '../sim-process.js';
import { compareWithTruth } from '../../src/simulate/compare.js';
import { sleep, until } from '../lib/until.js';

export interface RecoveryResult {
  fault: 'disconnect' | 'server-restart';
  downMs: number;
  allSubscribed: boolean;
  subscribedMs: number | null;
  gapFilled: boolean;
  gapFilledMs: number | null;
  missingAtWorst: number;
  gaps?: { detected: number; filled: number; unfilled: number; backfilledTrades: number; pending: number };
  /** trades the simulator generated (all after the subscriptions: the feed starts once every coin is Subscribed) */
  generated: number;
  /** trade records in the store, duplicates included */
  stored: number;
  /** generated and not in the store */
  lost: number;
  /** stored more than once */
  duplicated: number;
  /** stored and never generated */
  unexpected: number;
  /** a few lost trades (`symbol id`) */
  lostSample?: string[];
}

/** how long the quiet feed may take to settle (last commits, REST windows) before the comparison */
const SETTLE_TIMEOUT_MS = 30_000;

/** per-symbol id lists as the comparison's trade keys (one venue: binance spot) */
function* asTrades(bySymbol: Record<string, string[]>): Generator<{ exchange: 'binance'; market: 'spot'; symbol: string; id: string }> {
  for (const [symbol, ids] of Object.entries(bySymbol)) for (const id of ids) yield { exchange: 'binance', market: 'spot', symbol, id };
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
      // the feed is quiet: wait for the last frames' commits and any REST window still open, then
      // compare trade by trade (a difference of counts cannot tell a late commit from a loss)
      const generated = await sim.generated();
      await until(async () => (await tv.child.call<number>('committed')) >= generated, SETTLE_TIMEOUT_MS, 20);
      await tv.child.call('waitGapsIdle', { timeoutMs: SETTLE_TIMEOUT_MS });
      const truth = await sim.truthIds();
      const stored = await tv.child.call<Record<string, string[]>>('storedIds', { symbols: syms });
      const verdict = compareWithTruth(asTrades(truth), asTrades(stored));
      return {
        fault,
        downMs: fault === 'disconnect' ? 0 : downMs,
        ...r,
        generated: verdict.generated,
        stored: verdict.stored,
        lost: verdict.lost,
        duplicated: verdict.duplicated,
        unexpected: verdict.unexpected,
        ...(verdict.lostSample.length > 0 ? { lostSample: verdict.lostSample.map((t) => `${t.symbol} ${t.id}`) } : {}),
      };
    } finally {
      await tv.child.stop();
    }
  } finally {
    await sim.stop();
  }
}
