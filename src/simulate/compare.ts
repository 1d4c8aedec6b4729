/**
 * The verdict of a simulation: the store compared with the simulator's ground truth, trade by
 * trade, per symbol.
 *
 * Loss is counted strictly from the moment the exchange acknowledged the symbol's trade
 * subscription (on Upbit, which sends no ack: from the moment its trades started streaming):
 * every trade generated from then on and not stored exactly once is lost or duplicated. What was
 * published before that is `beforeStart`, not ours to lose. The one documented exception is a
 * venue whose REST history is limited (Bybit serves only its most recent trades): a missing trade
 * that had already left that history when the collector subscribed again is `unfilled` — counted
 * apart, never as a pass.
 *
 * Everything streams: one symbol's stored ids are counted at a time and the truth is walked as a
 * generator, so a run of millions of trades needs no stack and no copies.
 */
import type { Trade } from '../records.js';
import type { TruthSymbol } from '../sim/types.js';

export interface Comparison {
  /** trades generated after each symbol's subscription was acknowledged */
  generated: number;
  stored: number;
  /** generated after the acknowledgement and not stored */
  lost: number;
  duplicated: number;
  /** stored but never generated (should be 0: a parser or normalization bug otherwise) */
  unexpected: number;
  /** generated before the symbol's subscription was acknowledged: before collection began */
  beforeStart: number;
  /**
   * missing trades that had left the venue's limited REST history (Bybit) by the time the
   * collector resubscribed: a documented limit, reported apart from `lost`, never as a pass
   */
  unfilled: number;
  /** symbols whose trade subscription the exchange never acknowledged (none of their trades are counted) */
  neverSubscribed: string[];
  /** a few lost trades, for the report */
  lostSample: Array<{ exchange: string; market: string; symbol: string; id: string }>;
  /** where the losses are: `exchange:market:symbol` → lost and unfilled, symbols with any only */
  lostBySymbol: Record<string, { lost: number; unfilled: number }>;
}

export interface StoredId {
  id: string;
}

const SAMPLE = 10;

export function emptyComparison(): Comparison {
  return { generated: 0, stored: 0, lost: 0, duplicated: 0, unexpected: 0, beforeStart: 0, unfilled: 0, neverSubscribed: [], lostSample: [], lostBySymbol: {} };
}

/** adds one symbol's verdict into `into` */
function merge(into: Comparison, part: Comparison): Comparison {
  into.generated += part.generated;
  into.stored += part.stored;
  into.lost += part.lost;
  into.duplicated += part.duplicated;
  into.unexpected += part.unexpected;
  into.beforeStart += part.beforeStart;
  into.unfilled += part.unfilled;
  into.neverSubscribed.push(...part.neverSubscribed);
  for (const s of part.lostSample) if (into.lostSample.length < SAMPLE) into.lostSample.push(s);
  Object.assign(into.lostBySymbol, part.lostBySymbol);
  return into;
}

/** One symbol's stored ids, counted as they stream past. */
export class StoredCounts {
  readonly counts = new Map<string, number>();
  total = 0;

  add(id: string): void {
    this.total++;
    this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
  }
}

/** One symbol: its truth against the ids the store holds for it (any order). */
export function compareSymbol(truth: TruthSymbol, stored: Iterable<StoredId> | StoredCounts): Comparison {
  let held: StoredCounts;
  if (stored instanceof StoredCounts) held = stored;
  else {
    held = new StoredCounts();
    for (const t of stored) held.add(t.id);
  }
  const counts = held.counts;
  const out = emptyComparison();
  out.stored = held.total;
  const start = truth.subscribedAt?.seq ?? truth.generated;
  if (truth.subscribedAt === undefined) out.neverSubscribed.push(`${truth.exchange}:${truth.market}:${truth.symbol}`);
  const resubs = truth.resubscribedAt;
  let nextResub = 0;
  let seq = truth.firstKept;
  for (const id of truth.ids()) {
    const n = counts.get(id) ?? 0;
    if (n > 0) counts.delete(id);
    if (seq < start) {
      // published before collection began: neither lost nor (when stored anyway) unexpected
      out.beforeStart++;
    } else {
      out.generated++;
      if (n > 1) out.duplicated += n - 1;
      else if (n === 0) {
        while (nextResub < resubs.length && resubs[nextResub]! <= seq) nextResub++;
        const back = resubs[nextResub];
        // the next resubscription came when this trade was already older than the REST history reaches
        if (truth.restHistoryReach !== undefined && back !== undefined && back - seq > truth.restHistoryReach) out.unfilled++;
        else {
          out.lost++;
          if (out.lostSample.length < SAMPLE) out.lostSample.push({ exchange: truth.exchange, market: truth.market, symbol: truth.symbol, id });
        }
      }
    }
    seq++;
  }
  // trades after the start that the simulator no longer kept cannot be shown stored: lost
  const unchecked = Math.max(0, Math.min(truth.firstKept, truth.generated) - start);
  out.generated += unchecked;
  out.lost += unchecked;
  for (const n of counts.values()) out.unexpected += n;
  if (out.lost > 0 || out.unfilled > 0) out.lostBySymbol[`${truth.exchange}:${truth.market}:${truth.symbol}`] = { lost: out.lost, unfilled: out.unfilled };
  return out;
}

/** Every symbol of a run; `stored` streams one symbol's ids from the store. */
export async function compareRun(
  truths: Iterable<TruthSymbol>,
  stored: (t: TruthSymbol) => AsyncIterable<StoredId> | Iterable<StoredId>,
): Promise<Comparison> {
  const total = emptyComparison();
  for (const truth of truths) {
    const held = new StoredCounts();
    for await (const r of stored(truth)) held.add(r.id);
    merge(total, compareSymbol(truth, held));
  }
  return total;
}

const key = (t: Pick<Trade, 'exchange' | 'market' | 'symbol' | 'id'>) => `${t.exchange}\u0000${t.market}\u0000${t.symbol}\u0000${t.id}`;

/**
 * A looser comparison for callers without acknowledgement points (a plain list of trades, e.g. a
 * test's own simulator): with `fromFirstStored`, each symbol's truth starts at the first trade the
 * store holds for it. It hides a lost first frame; scripted runs use compareRun instead.
 */
export function compareWithTruth(
  truth: Iterable<Pick<Trade, 'exchange' | 'market' | 'symbol' | 'id'>>,
  stored: Iterable<Pick<Trade, 'exchange' | 'market' | 'symbol' | 'id'>>,
  options: { fromFirstStored?: boolean } = {},
): Comparison {
  const counts = new Map<string, number>();
  const out = emptyComparison();
  for (const t of stored) {
    out.stored++;
    const k = key(t);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const started = new Set<string>();
  for (const t of truth) {
    const k = key(t);
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.delete(k);
    if (options.fromFirstStored) {
      const symbol = `${t.exchange}\u0000${t.market}\u0000${t.symbol}`;
      if (!started.has(symbol)) {
        if (n === 0) {
          out.beforeStart++;
          continue;
        }
        started.add(symbol);
      }
    }
    out.generated++;
    if (n === 0) {
      out.lost++;
      if (out.lostSample.length < SAMPLE) out.lostSample.push({ exchange: t.exchange, market: t.market, symbol: t.symbol, id: t.id });
    } else if (n > 1) out.duplicated += n - 1;
  }
  for (const n of counts.values()) out.unexpected += n;
  return out;
}
