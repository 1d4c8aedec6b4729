/**
 * The verdict of a simulation: the store compared with the simulator's ground truth, trade by
 * trade, per symbol. Lost = generated but not stored; duplicated = stored more than once.
 */
import type { Trade } from '../records.js';

export interface Comparison {
  generated: number;
  stored: number;
  lost: number;
  duplicated: number;
  /** stored but never generated (should be 0: a parser or normalization bug otherwise) */
  unexpected: number;
  /** a few lost trades, for the report */
  lostSample: Array<{ exchange: string; market: string; symbol: string; id: string }>;
}

const key = (t: Pick<Trade, 'exchange' | 'market' | 'symbol' | 'id'>) => `${t.exchange}\u0000${t.market}\u0000${t.symbol}\u0000${t.id}`;

export function compareWithTruth(truth: Iterable<Trade>, stored: Iterable<Pick<Trade, 'exchange' | 'market' | 'symbol' | 'id'>>): Comparison {
  const counts = new Map<string, number>();
  let storedTotal = 0;
  for (const t of stored) {
    storedTotal++;
    const k = key(t);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let generated = 0;
  let lost = 0;
  let duplicated = 0;
  const lostSample: Comparison['lostSample'] = [];
  const seen = new Set<string>();
  for (const t of truth) {
    generated++;
    const k = key(t);
    seen.add(k);
    const n = counts.get(k) ?? 0;
    if (n === 0) {
      lost++;
      if (lostSample.length < 10) lostSample.push({ exchange: t.exchange, market: t.market, symbol: t.symbol, id: t.id });
    } else if (n > 1) duplicated += n - 1;
  }
  let unexpected = 0;
  for (const [k, n] of counts) if (!seen.has(k)) unexpected += n;
  return { generated, stored: storedTotal, lost, duplicated, unexpected, lostSample };
}
