/**
 * The exchange's trade history per symbol, in generation order: what its REST endpoints serve
 * and what groundTruth() returns. Bounded per symbol (the venue's REST reach, at most the
 * simulator's ledger limit): oldest dropped first, so a long `npm start` stays small. A scripted
 * run's complete truth is the compact TruthLog (truth-log.ts) next to it.
 */
import type { Trade } from '../records.js';

export interface LedgerEntry {
  /** dense per-symbol index, 0-based, never reused */
  readonly seq: number;
  /** the venue's monotone ordering key: Binance/OKX id, Upbit sequential_id, Bybit = seq */
  readonly ord: number;
  /** the normalized trade, exactly as an adapter should produce it (localTimestamp 0) */
  readonly trade: Trade;
  /** venue extra: Binance futures first fill id (`f`) */
  readonly aux: number;
  /** venue extra: fills in this trade (Binance aggTrade l - f + 1, OKX `count`) */
  readonly fills: number;
}

/** One symbol's trades, ascending by seq, ord and timestamp. */
export class SymbolLedger {
  private entries: LedgerEntry[] = [];
  private head = 0;

  constructor(private readonly limit: number) {}

  push(entry: LedgerEntry): void {
    this.entries.push(entry);
    if (this.entries.length - this.head > this.limit) this.head++;
    // compact lazily so dropping the oldest stays O(1) amortized
    if (this.head > 4096 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  all(): LedgerEntry[] {
    return this.entries.slice(this.head);
  }

  last(n: number): LedgerEntry[] {
    return this.entries.slice(Math.max(this.head, this.entries.length - n));
  }

  lastEntry(): LedgerEntry | undefined {
    return this.entries.length > this.head ? this.entries[this.entries.length - 1] : undefined;
  }

  /** entries with ord >= from, ascending, at most limit */
  fromOrd(from: number, limit: number): LedgerEntry[] {
    const i = this.lowerBound((e) => e.ord >= from);
    return this.entries.slice(i, i + limit);
  }

  /** entries with ord < before, the newest `limit` of them, ascending */
  beforeOrd(before: number, limit: number): LedgerEntry[] {
    const end = this.lowerBound((e) => e.ord >= before);
    return this.entries.slice(Math.max(this.head, end - limit), end);
  }

  /** entries with timestamp < before, the newest `limit` of them, ascending */
  beforeTime(before: number, limit: number): LedgerEntry[] {
    const end = this.lowerBound((e) => e.trade.timestamp >= before);
    return this.entries.slice(Math.max(this.head, end - limit), end);
  }

  /** entries with timestamp > after, the oldest `limit` of them, ascending */
  afterTime(after: number, limit: number): LedgerEntry[] {
    const i = this.lowerBound((e) => e.trade.timestamp > after);
    return this.entries.slice(i, i + limit);
  }

  /** entries with from <= timestamp <= to, ascending, at most limit */
  timeRange(from: number, to: number, limit: number): LedgerEntry[] {
    const i = this.lowerBound((e) => e.trade.timestamp >= from);
    const out: LedgerEntry[] = [];
    for (let k = i; k < this.entries.length && out.length < limit; k++) {
      const e = this.entries[k]!;
      if (e.trade.timestamp > to) break;
      out.push(e);
    }
    return out;
  }

  /** first index in [head, length) where pred holds (pred is monotone false→true) */
  private lowerBound(pred: (e: LedgerEntry) => boolean): number {
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pred(this.entries[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
