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
  /** generated before the collector's first trade of that symbol: before collection began, not lost */
  beforeStart: number;
  /** a few lost trades, for the report */
  lostSample: Array<{ exchange: string; market: string; symbol: string; id: string }>;
}

const key = (t: Pick<Trade, 'exchange' | 'market' | 'symbol' | 'id'>) => `${t.exchange}\u0000${t.market}\u0000${t.symbol}\u0000${t.id}`;

/**
 * `truth` in generation order. With `fromFirstStored`, each symbol's truth starts at the first
 * trade the store holds for it: what the exchange published before we subscribed is not ours to lose.
 */
export function compareWithTruth(
  truth: Iterable<Trade>,
  stored: Iterable<Pick<Trade, 'exchange' | 'market' | 'symbol' | 'id'>>,
  options: { fromFirstStored?: boolean } = {},
): Comparison {
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
  let beforeStart = 0;
  const lostSample: Comparison['lostSample'] = [];
  const seen = new Set<string>();
  const started = new Set<string>();
  for (const t of truth) {
    const k = key(t);
    if (options.fromFirstStored) {
      const symbol = `${t.exchange}\u0000${t.market}\u0000${t.symbol}`;
      if (!started.has(symbol)) {
        if (!counts.has(k)) {
          beforeStart++;
          continue;
        }
        started.add(symbol);
      }
    }
    generated++;
    seen.add(k);
    const n = counts.get(k) ?? 0;
    if (n === 0) {
      lost++;
      if (lostSample.length < 10) lostSample.push({ exchange: t.exchange, market: t.market, symbol: t.symbol, id: t.id });
    } else if (n > 1) duplicated += n - 1;
  }
  let unexpected = 0;
  for (const [k, n] of counts) if (!seen.has(k)) unexpected += n;
    // trades stored that precede the comparison start are neither lost nor unexpected
  return { generated, stored: storedTotal, lost, duplicated, unexpected, beforeStart, lostSample };
}
