/**
 * Finds the windows of trades the live stream may have missed, per symbol (pure; one call per
 * delivered batch). Two signals:
 * - a hole in the ids, where the exchange numbers trades densely (Binance `t`/`a`);
 * - a break: a subscription went out on a socket (reconnect, restart, rotation, first start after
 *   a crash — seeded from the store's cursors), so everything between the last trade we had and
 *   the first trade of the new stream is in doubt.
 * A window is [last trade we had, first trade after the gap]; REST backfill fills it and the
 * pipeline's dedup drops what was already there.
 */
import type { MarketRecord } from '../records.js';

export type GapReason = 'sequence' | 'reconnect' | 'resume';

export interface GapWindow {
  symbol: string;
  /** the last trade id we hold before the gap */
  afterId: string;
  /** its timestamp: the window starts here */
  from: number;
  /** the first trade after the gap: the window ends here (inclusive) */
  to: number;
  /** ids missing, when the exchange's ids are dense */
  missing?: number;
  reason: GapReason;
}

interface SymbolState {
  lastId: string;
  lastNum: number;
  lastTs: number;
  broken: GapReason | undefined;
}

const NO_WINDOWS: readonly GapWindow[] = Object.freeze([]);

export class GapTracker {
  private readonly symbols = new Map<string, SymbolState>();

  constructor(private readonly sequentialIds: boolean) {}

  /** Where the store ends for a symbol (crash-safe resume): the first live trade opens a window. */
  seed(symbol: string, lastId: string, lastTimestamp: number): void {
    this.symbols.set(symbol, { lastId, lastNum: Number(lastId), lastTs: lastTimestamp, broken: 'resume' });
  }

  /** A subscription for these symbols is going out: their streams restart. */
  markBroken(symbols: readonly string[]): void {
    for (const s of symbols) {
      const st = this.symbols.get(s);
      if (st && st.broken === undefined) st.broken = 'reconnect';
    }
  }

  /** Symbols whose stream restarted and whose first new trade has not come yet. */
  pendingBreaks(): number {
    let n = 0;
    for (const st of this.symbols.values()) if (st.broken !== undefined) n++;
    return n;
  }

  /** The last trade held for a symbol. */
  last(symbol: string): { id: string; timestamp: number } | undefined {
    const st = this.symbols.get(symbol);
    return st ? { id: st.lastId, timestamp: st.lastTs } : undefined;
  }

  /** Live records of one frame; returns the windows they reveal (usually none: a shared empty array, no allocation per frame). */
  observe(records: readonly MarketRecord[]): readonly GapWindow[] {
    let windows: GapWindow[] | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.type !== 'trade') continue;
      const st = this.symbols.get(r.symbol);
      if (st === undefined) {
        this.symbols.set(r.symbol, { lastId: r.id, lastNum: Number(r.id), lastTs: r.timestamp, broken: undefined });
        continue;
      }
      const num = this.sequentialIds ? Number(r.id) : NaN;
      if (st.broken !== undefined) {
        (windows ??= []).push({ symbol: r.symbol, afterId: st.lastId, from: st.lastTs, to: r.timestamp, reason: st.broken });
        st.broken = undefined;
      } else if (this.sequentialIds && num > st.lastNum + 1) {
        (windows ??= []).push({
          symbol: r.symbol,
          afterId: st.lastId,
          from: st.lastTs,
          to: r.timestamp,
          missing: num - st.lastNum - 1,
          reason: 'sequence',
        });
      }
      // keep the newest: out-of-order duplicates (rotation overlap, backfill) never move it back
      if (this.sequentialIds ? num > st.lastNum : r.timestamp >= st.lastTs) {
        st.lastId = r.id;
        st.lastNum = num;
        st.lastTs = r.timestamp;
      }
    }
    return windows ?? NO_WINDOWS;
  }
}
