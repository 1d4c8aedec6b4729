/**
 * Cuts each symbol's trades into batches on exchange-time windows (docs/cluster.md#data), pure:
 * the caller says what time it is. A window [start, start + windowMs) of exchange time is handed
 * out once local time is past its end plus a grace, so two nodes collecting the same symbol cut
 * the same batches from the same trades and their message ids match. A trade arriving after its
 * window was handed out rides in the symbol's oldest window not yet due (addRows, given the time;
 * the next one due is opened for it when none is): a later batch with another id, which a
 * redundant node's copy may not match, but nothing is dropped and the archive's id guard sorts out
 * any overlap. Riding along matters under load: when commits run late, a window of its own for
 * each late window's trades added messages for the servers and the archiver (docs/cluster.md).
 * Without the time (add, a republish), a late trade starts its window again.
 *
 * Trades come in as a committed batch's columns (addRows, the live path: no object per trade) or
 * as records (add: a republish read from the store); both fill the same windows.
 */
import type { ExchangeId, Market, Trade } from '../records.js';
import type { TradeColumns } from '../store/blocks/columns.js';
import { tradeRecordsOf } from '../store/blocks/trade-rows.js';
import type { TradeRows } from '../store/types.js';
import { WindowRows } from './window-rows.js';

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

/** one symbol's window handed out: its trades in (timestamp, id) order, each once */
export class ClosedWindow {
  private made: Trade[] | undefined;

  constructor(
    readonly exchange: ExchangeId,
    readonly market: Market,
    readonly symbol: string,
    readonly windowStart: number,
    readonly columns: TradeColumns,
  ) {}

  get length(): number {
    return this.columns.length;
  }

  /** the oldest exchange time it holds: its start, or a late trade's older time (its rows are sorted) */
  get floor(): number {
    return this.columns.length > 0 ? Math.min(this.windowStart, this.columns.timestamps[0] as number) : this.windowStart;
  }

  /** the trades as records, made on first use (the publisher itself works on the columns) */
  get trades(): Trade[] {
    return (this.made ??= tradeRecordsOf(this.columns, this.exchange, this.market, this.symbol));
  }
}

interface Pending {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  windowStart: number;
  /** the oldest exchange time among its rows: below the start once a late trade rode in */
  floor: number;
  rows: WindowRows;
  /** its venue's symbols, where take() finds and forgets it */
  venue: Map<string, SymbolWindows>;
}

/** one symbol's open windows, the one most recently added to first at hand */
interface SymbolWindows {
  last: Pending | undefined;
  byStart: Map<number, Pending>;
}

/**
 * Emptied row buffers are kept for new windows (a window's typed arrays cost more to allocate
 * than to fill, and with thousands of symbols a few trades a window each, the garbage collector
 * spent half the path's time on them): at most SPARE_ROWS rows in all (41 bytes a row, 2.7 MB);
 * one of more than SPARE_MAX_ROWS is left to the GC, its allocation spread over its many rows.
 */
const SPARE_ROWS = 65_536;
const SPARE_MAX_ROWS = 4_096;

export class WindowBatcher {
  /** exchange \0 market → symbol → its open windows */
  private readonly venues = new Map<string, Map<string, SymbolWindows>>();
  private readonly spare: WindowRows[] = [];
  private spareRows = 0;
  private pendingTrades = 0;

  constructor(private readonly options: WindowBatcherOptions) {}

  get pending(): number {
    return this.pendingTrades;
  }

  /**
   * A committed batch's trades as columns (one venue, any symbols, any order). Given the local time
   * `now` (and the grace takeClosed will use), a trade whose window is gone and already due joins
   * the symbol's oldest open window that is not due yet, if there is one.
   */
  addRows(rows: TradeRows, now = Number.NEGATIVE_INFINITY, graceMs = this.options.graceMs): void {
    const { windowMs } = this.options;
    const symbols = this.venue(rows.exchange, rows.market);
    const c = rows.columns;
    /** windows starting before this are due at `now` */
    const dueBefore = now - graceMs - windowMs;
    for (let i = 0; i < c.length; i++) {
      const symbol = rows.symbols[i] as string;
      const timestamp = c.timestamps[i] as number;
      const windowStart = Math.floor(timestamp / windowMs) * windowMs;
      const late = windowStart <= dueBefore;
      const s = late ? symbols.get(symbol) : undefined;
      if (!late || s?.byStart.has(windowStart)) {
        // not due yet, or due and still open (it goes out at the next tick): its own window
        this.window(symbols, rows.exchange, rows.market, symbol, windowStart).rows.pushRow(c, i);
        continue;
      }
      // late: the oldest window not due yet, opened now if the symbol has none (the one due next),
      // so a stall's late trades go out with the current ones and not one window each
      const w = (s !== undefined ? oldestNotDue(s, dueBefore) : undefined) ?? this.window(symbols, rows.exchange, rows.market, symbol, (Math.floor(dueBefore / windowMs) + 1) * windowMs);
      if (timestamp < w.floor) w.floor = timestamp;
      w.rows.pushRow(c, i);
    }
    this.pendingTrades += c.length;
  }

  /** trades as records (any venues and symbols, any order) */
  add(trades: readonly Trade[]): void {
    const { windowMs } = this.options;
    for (const t of trades) {
      const windowStart = Math.floor(t.timestamp / windowMs) * windowMs;
      this.window(this.venue(t.exchange, t.market), t.exchange, t.market, t.symbol, windowStart).rows.pushTrade(t);
      this.pendingTrades += 1;
    }
  }

  /**
   * windows whose end + grace is at or before `now` (local ms since epoch), and the oldest beyond
   * the bound; `graceMs` (the publisher's current one, lateness.ts) replaces the options' own
   */
  takeClosed(now: number, graceMs = this.options.graceMs): ClosedWindow[] {
    const { windowMs, maxPendingTrades } = this.options;
    const due: Pending[] = [];
    this.forEachPending((w) => {
      if (w.windowStart + windowMs + graceMs <= now) due.push(w);
    });
    const out = due.map((w) => this.take(w));
    if (this.pendingTrades > maxPendingTrades) {
      const rest: Pending[] = [];
      this.forEachPending((w) => rest.push(w));
      rest.sort((a, b) => a.windowStart - b.windowStart);
      for (const w of rest) {
        if (this.pendingTrades <= maxPendingTrades) break;
        out.push(this.take(w));
      }
    }
    return out;
  }

  /** each open window (its symbol, start and floor), for the publisher's pending floors */
  forEachOpen(visit: (w: Readonly<Omit<Pending, 'rows' | 'venue'>>) => void): void {
    this.forEachPending(visit);
  }

  /** every window, closed or not (shutdown) */
  takeAll(): ClosedWindow[] {
    const all: Pending[] = [];
    this.forEachPending((w) => all.push(w));
    return all.map((w) => this.take(w));
  }

  private venue(exchange: ExchangeId, market: Market): Map<string, SymbolWindows> {
    const key = `${exchange}\0${market}`;
    let symbols = this.venues.get(key);
    if (symbols === undefined) {
      symbols = new Map();
      this.venues.set(key, symbols);
    }
    return symbols;
  }

  private window(symbols: Map<string, SymbolWindows>, exchange: ExchangeId, market: Market, symbol: string, windowStart: number): Pending {
    let s = symbols.get(symbol);
    if (s === undefined) {
      s = { last: undefined, byStart: new Map() };
      symbols.set(symbol, s);
    }
    if (s.last !== undefined && s.last.windowStart === windowStart) return s.last;
    let w = s.byStart.get(windowStart);
    if (w === undefined) {
      w = { exchange, market, symbol, windowStart, floor: windowStart, rows: this.spareRowsBuffer(), venue: symbols };
      s.byStart.set(windowStart, w);
    }
    s.last = w;
    return w;
  }

  /** visits every open window (`visit` must not take it: collect, then take) */
  private forEachPending(visit: (w: Pending) => void): void {
    for (const symbols of this.venues.values()) {
      for (const s of symbols.values()) for (const w of s.byStart.values()) visit(w);
    }
  }

  private take(w: Pending): ClosedWindow {
    const s = w.venue.get(w.symbol) as SymbolWindows;
    s.byStart.delete(w.windowStart);
    if (s.last === w) s.last = undefined;
    // a symbol with nothing open is forgotten: a long run must not keep every symbol it ever saw
    if (s.byStart.size === 0) w.venue.delete(w.symbol);
    this.pendingTrades -= w.rows.length;
    const closed = new ClosedWindow(w.exchange, w.market, w.symbol, w.windowStart, w.rows.sorted());
    w.rows.reset();
    if (w.rows.capacity <= SPARE_MAX_ROWS && this.spareRows + w.rows.capacity <= SPARE_ROWS) {
      this.spare.push(w.rows);
      this.spareRows += w.rows.capacity;
    }
    return closed;
  }

  private spareRowsBuffer(): WindowRows {
    const rows = this.spare.pop();
    if (rows === undefined) return new WindowRows();
    this.spareRows -= rows.capacity;
    return rows;
  }
}

/** the symbol's open window of the lowest start at or past `dueBefore` (not due yet), if any */
function oldestNotDue(s: SymbolWindows, dueBefore: number): Pending | undefined {
  let best: Pending | undefined;
  for (const w of s.byStart.values()) if (w.windowStart > dueBefore && (best === undefined || w.windowStart < best.windowStart)) best = w;
  return best;
}
