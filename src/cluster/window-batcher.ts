/**
 * Cuts each symbol's trades into batches on exchange-time windows (docs/cluster.md#data), pure:
 * the caller says what time it is. A window [start, start + windowMs) of exchange time is handed
 * out once local time is past its end plus a grace, so two nodes collecting the same symbol cut
 * the same batches from the same trades and their message ids match. A trade arriving after its
 * window was handed out starts the window again (a later, smaller batch with another id): nothing
 * is dropped, the archive's id guard sorts out any overlap.
 */
import type { ExchangeId, Market, Trade } from '../records.js';

export interface WindowBatcherOptions {
  /** window length in exchange time */
  windowMs: number;
  /** how long after a window's end (local time) it is held for trades still on their way */
  graceMs: number;
  /**
   * bound on trades held: past it the oldest windows go out early, whatever the time (an exchange
   * clock running far ahead of ours must not grow memory)
   */
  maxPendingTrades: number;
}

export interface ClosedWindow {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  windowStart: number;
  /** in (timestamp, id) order */
  trades: Trade[];
}

interface Pending {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  windowStart: number;
  trades: Trade[];
}

const compareTrades = (a: Trade, b: Trade): number => a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class WindowBatcher {
  /** key: exchange \0 market \0 symbol \0 windowStart */
  private readonly windows = new Map<string, Pending>();
  private pendingTrades = 0;

  constructor(private readonly options: WindowBatcherOptions) {}

  get pending(): number {
    return this.pendingTrades;
  }

  add(trades: readonly Trade[]): void {
    const { windowMs } = this.options;
    for (const t of trades) {
      const windowStart = Math.floor(t.timestamp / windowMs) * windowMs;
      const key = `${t.exchange}\0${t.market}\0${t.symbol}\0${windowStart}`;
      let w = this.windows.get(key);
      if (!w) {
        w = { exchange: t.exchange, market: t.market, symbol: t.symbol, windowStart, trades: [] };
        this.windows.set(key, w);
      }
      w.trades.push(t);
      this.pendingTrades += 1;
    }
  }

  /** windows whose end + grace is at or before `now` (local ms since epoch), and the oldest beyond the bound */
  takeClosed(now: number): ClosedWindow[] {
    const { windowMs, graceMs, maxPendingTrades } = this.options;
    const out: ClosedWindow[] = [];
    for (const [key, w] of this.windows) {
      if (w.windowStart + windowMs + graceMs <= now) out.push(this.take(key, w));
    }
    if (this.pendingTrades > maxPendingTrades) {
      const rest = [...this.windows].sort((a, b) => a[1].windowStart - b[1].windowStart);
      for (const [key, w] of rest) {
        if (this.pendingTrades <= maxPendingTrades) break;
        out.push(this.take(key, w));
      }
    }
    return out;
  }

  /** each open window (its symbol and start), for the publisher's pending floors */
  forEachOpen(visit: (w: Readonly<Omit<Pending, 'trades'>>) => void): void {
    for (const w of this.windows.values()) visit(w);
  }

  /** every window, closed or not (shutdown) */
  takeAll(): ClosedWindow[] {
    return [...this.windows].map(([key, w]) => this.take(key, w));
  }

  private take(key: string, w: Pending): ClosedWindow {
    this.windows.delete(key);
    this.pendingTrades -= w.trades.length;
    // arrival order differs between nodes; the batch (and so its id) must not
    w.trades.sort(compareTrades);
    // a trade handed over twice (a socket rotation's overlap) would make this node's batch differ
    let kept = 0;
    for (let i = 0; i < w.trades.length; i++) {
      const t = w.trades[i]!;
      if (kept > 0 && w.trades[kept - 1]!.id === t.id && w.trades[kept - 1]!.timestamp === t.timestamp) continue;
      w.trades[kept++] = t;
    }
    w.trades.length = kept;
    return w;
  }
}
