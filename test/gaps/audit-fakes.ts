/** Fakes for the audit tests: a manual clock with timers, an exchange's trade history, a store. */
import type { Clock } from '../../src/time/clock.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import type { BackfillResult } from '../../src/exchanges/types.js';
import type { Trade } from '../../src/records.js';

/**
 * The program's ManualClock, advanced asynchronously: due timers run one at a time in order, each
 * followed by a few macrotask turns so the promise chains a timer starts (fake I/O) settle before the next.
 */
export function manualClock(start = 1_700_000_000_000) {
  const clock = new ManualClock(start);
  /** let promise chains started by a timer settle (fake I/O resolves in microtasks; a macrotask turn drains them all) */
  const settle = async () => {
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return {
    clock: clock as Clock,
    now: () => clock.now(),
    pending: () => clock.pending,
    async advance(ms: number): Promise<void> {
      const end = clock.now() + ms;
      await settle(); // what was started before this call runs at the current time
      while (clock.runNext(end)) await settle();
      clock.advance(end - clock.now());
      await settle();
    },
  };
}

export function trade(symbol: string, id: string | number, timestamp: number): Trade {
  return { type: 'trade', exchange: 'okx', market: 'spot', symbol, id: String(id), price: 1, amount: 1, side: 'buy', timestamp, localTimestamp: timestamp };
}

/**
 * An exchange's history of one venue: REST answers the trades since `from`, newest `limit` at
 * most (like Bybit's recent-trade, or a page cap), complete when that reaches back over `from`.
 * `cap` (like an audit's maxTrades on a venue that pages backwards, OKX or Upbit): an answer holds
 * at most the newest `cap` trades of what is asked, says where it stopped (`capped`), and
 * `beforeId` asks for what lies below that trade.
 */
export function fakeExchange(limit = Number.POSITIVE_INFINITY, cap = Number.POSITIVE_INFINITY) {
  const history = new Map<string, Trade[]>();
  const calls: { symbol: string; from: number; beforeId?: string }[] = [];
  return {
    calls,
    history,
    publish(t: Trade) {
      let list = history.get(t.symbol);
      if (!list) history.set(t.symbol, (list = []));
      list.push(t);
    },
    async recentTrades(symbol: string, from: number, beforeId?: string): Promise<BackfillResult> {
      calls.push({ symbol, from, ...(beforeId !== undefined ? { beforeId } : {}) });
      const all = history.get(symbol) ?? [];
      const served = all.slice(Math.max(0, all.length - limit));
      const below = beforeId === undefined ? served : served.filter((t) => Number(t.id) < Number(beforeId));
      const asked = below.filter((t) => t.timestamp >= from);
      if (asked.length > cap) {
        const kept = asked.slice(asked.length - cap);
        return { trades: kept, complete: false, incomplete: 'capped', resumeBefore: { id: kept[0]!.id, timestamp: kept[0]!.timestamp } };
      }
      const oldest = served[0];
      const complete = served.length === all.length || (oldest !== undefined && oldest.timestamp < from);
      return { trades: asked, complete };
    },
  };
}

/** A store keyed by symbol and id; `backfill` stores what it does not hold and says how many were new. */
export function fakeStore() {
  const held = new Map<string, Map<string, Trade>>();
  const reads: { symbol: string; from: number; to: number }[] = [];
  const put = (t: Trade): boolean => {
    let m = held.get(t.symbol);
    if (!m) held.set(t.symbol, (m = new Map()));
    if (m.has(t.id)) return false;
    m.set(t.id, t);
    return true;
  };
  return {
    held,
    reads,
    put,
    async storedIds(symbol: string, from: number, to: number): Promise<ReadonlySet<string>> {
      reads.push({ symbol, from, to });
      return new Set([...(held.get(symbol)?.values() ?? [])].filter((t) => t.timestamp >= from && t.timestamp <= to).map((t) => t.id));
    },
    backfill(trades: Trade[]): number {
      let n = 0;
      for (const t of trades) if (put(t)) n++;
      return n;
    },
    ids(symbol: string): string[] {
      return [...(held.get(symbol)?.keys() ?? [])].sort((a, b) => Number(a) - Number(b));
    },
  };
}
