/**
 * Fills gap windows by REST, one request at a time per venue (the RestClient paces and obeys
 * 429/418 on top). Windows of the same symbol waiting in the queue merge into one. Backfilled
 * trades go into the pipeline as 'backfill': normalized exactly like live ones, deduplicated
 * against what arrived live. Failures retry with backoff; a window the exchange cannot serve
 * any more (Bybit keeps only recent trades) is counted and logged as unfilled, never hidden.
 *
 * An answer that does not prove the window (pages short or empty although the trades are known to
 * exist: `incomplete: 'unproven'`) leaves the window open: what it did bring is pushed, and the
 * window is parked and asked again after a backoff, while other windows go ahead (the venue's REST
 * budget is shared, so a lying page must not turn into a burst of requests, nor hold up the queue).
 * After `maxAttempts` such answers it is counted unfilled and logged once.
 *
 * A window without `afterId` (a symbol's first subscription: nothing held before it) is filled by
 * time alone. Cost: one such window per symbol per subscription start, so N symbols cost at least
 * N requests when they start (Binance: one aggTrades lookup, plus a history page only when that
 * lookup shows trades before the first live one; OKX, Bybit: one page; Upbit: one page for a
 * symbol that traded before). They go one at a time through the venue's paced RestClient, so a
 * large start is spread over the rate budget instead of bursting, and they wait behind every
 * other window: a first subscription is only in doubt, a hole in the ids or a reconnect is likely
 * loss, and must not queue behind thousands of symbols starting up.
 */
import type { ExchangeAdapter, Instrument, RestClient } from '../exchanges/types.js';
import type { MarketRecord } from '../records.js';
import type { GapWindow } from './gap-tracker.js';
import { backgroundClock, type Clock, type TimerHandle } from '../time/clock.js';
import { lowerFloor } from '../time/floors.js';

/**
 * What the filler counts since start. The Collector machine shows these as its GapStats (the same
 * shape, declared there): defined here so the data path needs nothing from the machines.
 */
export interface GapCounters {
  detected: number;
  /** windows that joined one already waiting for the same symbol: filled (or not) by its request */
  merged: number;
  filled: number;
  unfilled: number;
  backfilledTrades: number;
  failures: number;
  pending: number;
}

export interface GapFillerDeps {
  adapter: ExchangeAdapter;
  rest: RestClient;
  restUrl: string;
  instrument(symbol: string): Instrument | undefined;
  push(records: readonly MarketRecord[]): void;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void; debug?(obj: object, msg: string): void };
  /**
   * backoff waits and when a parked window is due again; by default real time whose timers do not
   * keep the process alive (stop() ends a wait)
   */
  clock?: Clock;
  /** tries per window, for failed requests and for answers that did not prove the window alike */
  maxAttempts?: number;
  /** the longest window one request may cover; older parts are reported unfilled */
  maxTradesPerWindow?: number;
  /** resolves once what push() took is committed (the pipeline's flush) */
  committed?: () => Promise<void>;
}

/** backoff before the next try of a window: 1 s, 2 s, 4 s… up to 30 s */
const backoffMs = (attempt: number) => Math.min(30_000, 500 * 2 ** attempt);

/** A window whose last answer did not prove it, waiting to be asked again. */
interface Parked {
  window: GapWindow;
  /** answers so far that did not prove it */
  tries: number;
  dueAt: number;
  /** ids already pushed for it: a retry's answer repeats them, and they are not news twice */
  pushed: Set<string>;
}

export class GapFiller {
  readonly counters: GapCounters = { detected: 0, merged: 0, filled: 0, unfilled: 0, backfilledTrades: 0, failures: 0, pending: 0 };
  private readonly queue = new Map<string, GapWindow>();
  /** per symbol: how the window queued now was tried before (absent: never) */
  private readonly history = new Map<string, Omit<Parked, 'window' | 'dueAt'>>();
  private readonly parked = new Map<string, Parked>();
  /** ends the wait for a parked window early (a new window, or stop) */
  private wake: (() => void) | undefined;
  private running = false;
  /** the window being fetched (and its trades committed) */
  private filling: GapWindow | undefined;
  /** the floors of the windows stop() left unfilled (openFloors) */
  private readonly leftFloors = new Map<string, number>();
  private stopped = false;
  private idleP: Promise<void> = Promise.resolve();
  private listeners = new Set<(c: GapCounters) => void>();

  private readonly clock: Clock;

  constructor(private readonly deps: GapFillerDeps) {
    this.clock = deps.clock ?? backgroundClock;
  }

  /** waits ms on the clock; `timer` receives the handle so a wake can clear it */
  private sleep(ms: number, timer?: (handle: TimerHandle) => void): Promise<void> {
    return new Promise<void>((resolve) => {
      const handle = this.clock.setTimeout(resolve, ms);
      timer?.(handle);
    });
  }

  onChange(listener: (c: GapCounters) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  add(windows: readonly GapWindow[]): void {
    if (this.stopped) return;
    for (const w of windows) {
      this.counters.detected++;
      // a window of a symbol parked for a retry joins it there: one request covers both, when due
      const parked = this.parked.get(w.symbol);
      if (parked !== undefined) {
        parked.window = merge(parked.window, w);
        this.counters.merged++;
        continue;
      }
      const pending = this.queue.get(w.symbol);
      if (pending !== undefined) this.counters.merged++;
      this.queue.set(w.symbol, pending ? merge(pending, w) : w);
    }
    this.counters.pending = this.queue.size + this.parked.size;
    this.changed();
    if (!this.running) this.idleP = this.drain();
    else this.wake?.();
  }

  /** resolves when every queued window has been tried */
  whenIdle(): Promise<void> {
    return this.idleP;
  }

  /** a window of this symbol is queued, parked for a retry, or being filled */
  isOpen(symbol: string): boolean {
    return this.filling?.symbol === symbol || this.queue.has(symbol) || this.parked.has(symbol);
  }

  /** symbols with a window queued, parked for a retry, or being filled */
  openSymbols(): Set<string> {
    const out = new Set<string>(this.queue.keys());
    for (const symbol of this.parked.keys()) out.add(symbol);
    if (this.filling !== undefined) out.add(this.filling.symbol);
    return out;
  }

  /**
   * For each symbol with a window queued, parked or being filled, where the earliest starts
   * (exchange time), lowered into `floors`: the hole's trades are not stored yet, so no cursor
   * published for others to resume from may pass that point (docs/cluster.md, cursors).
   */
  openFloors(floors: Map<string, number>): void {
    for (const [symbol, from] of this.leftFloors) lowerFloor(floors, symbol, from);
    for (const w of this.queue.values()) lowerFloor(floors, w.symbol, w.from);
    for (const p of this.parked.values()) lowerFloor(floors, p.window.symbol, p.window.from);
    if (this.filling !== undefined) lowerFloor(floors, this.filling.symbol, this.filling.from);
  }

  /** nothing queued and nothing being fetched */
  get idle(): boolean {
    return !this.running && this.queue.size === 0 && this.parked.size === 0;
  }

  stop(): void {
    // the holes left unfilled stay open for as long as this process runs: keep their floors
    this.openFloors(this.leftFloors);
    this.stopped = true;
    this.queue.clear();
    this.parked.clear();
    this.history.clear();
    this.wake?.();
  }

  private changed(): void {
    for (const l of this.listeners) l(this.counters);
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped && (this.queue.size > 0 || this.parked.size > 0)) {
        if (this.queue.size === 0) await this.waitForParked();
        if (this.stopped || this.queue.size === 0) continue;
        const window = this.next();
        this.queue.delete(window.symbol);
        this.filling = window;
        try {
          await this.fill(window);
          // the window stays open until what it pushed is committed: the store's resume point
          // must not pass a hole whose filling is still in the pipeline
          if (!this.stopped) await this.deps.committed?.();
        } finally {
          this.filling = undefined;
        }
        this.counters.pending = this.queue.size + this.parked.size;
        this.changed();
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Nothing else to do: wait for the earliest parked window (or a new window, or stop), then queue
   * it. The one waited for is queued even when the clock says otherwise: a sleep that returns early
   * (a test's, a coarse timer's) must not spin.
   */
  private async waitForParked(): Promise<void> {
    const now = (): number => this.clock.now();
    let earliest: Parked | undefined;
    for (const p of this.parked.values()) if (earliest === undefined || p.dueAt < earliest.dueAt) earliest = p;
    if (earliest === undefined) return;
    const delay = earliest.dueAt - now();
    if (delay > 0) {
      let timer: TimerHandle | undefined;
      const woken = new Promise<'woken'>((resolve) => (this.wake = () => resolve('woken')));
      const slept = this.sleep(delay, (h) => (timer = h)).then(() => 'slept' as const);
      const how = await Promise.race([slept, woken]);
      this.wake = undefined;
      if (how === 'woken') {
        this.clock.clearTimeout(timer); // something new is queued, or we stop
        return;
      }
    }
    const t = now();
    for (const [symbol, p] of this.parked) {
      if (p !== earliest && p.dueAt > t) continue;
      this.parked.delete(symbol);
      this.history.set(symbol, { tries: p.tries, pushed: p.pushed });
      const pending = this.queue.get(symbol);
      if (pending !== undefined) this.counters.merged++;
      this.queue.set(symbol, pending ? merge(p.window, pending) : p.window);
    }
  }

  /** the oldest queued window that is not a first subscription's, else the oldest of those */
  private next(): GapWindow {
    let first: GapWindow | undefined;
    for (const w of this.queue.values()) {
      if (w.reason !== 'subscribe') return w;
      first ??= w;
    }
    return first as GapWindow;
  }

  private async fill(window: GapWindow): Promise<void> {
    const { adapter, rest, restUrl, log } = this.deps;
    const before = this.history.get(window.symbol);
    this.history.delete(window.symbol);
    const instrument = this.deps.instrument(window.symbol);
    if (!instrument) {
      this.counters.unfilled++;
      log.warn({ window }, 'gap not filled: instrument unknown');
      return;
    }
    const maxAttempts = this.deps.maxAttempts ?? 5;
    const tries = before?.tries ?? 0;
    const pushed = before?.pushed ?? new Set<string>();
    for (let attempt = 1; attempt <= maxAttempts && !this.stopped; attempt++) {
      try {
        const result = await adapter.backfillTrades(
          rest,
          {
            instrument,
            ...(window.afterId !== undefined ? { afterId: window.afterId } : {}),
            ...(window.untilId !== undefined ? { untilId: window.untilId } : {}),
            from: requestFrom(window),
            to: window.to,
            maxTrades: this.deps.maxTradesPerWindow ?? 200_000,
          },
          restUrl,
        );
        if (this.stopped) return;
        const fresh = result.trades.filter((t) => !pushed.has(t.id));
        if (fresh.length > 0) this.deps.push(fresh);
        this.counters.backfilledTrades += fresh.length;
        if (result.incomplete === 'unproven') {
          this.unproven(window, tries + 1, pushed, fresh, result.trades.length);
          return;
        }
        if (result.complete) this.counters.filled++;
        else {
          this.counters.unfilled++;
          log.warn({ window, got: result.trades.length }, 'gap only partly filled: the exchange no longer serves all of it');
        }
        // a restart's window usually brings back just the trade that closed it, and the window
        // before a first subscription is filled for every coin on every start: not news
        const routine = window.reason === 'subscribe' || (window.reason === 'reconnect' && result.trades.length <= 1);
        const note = { symbol: window.symbol, reason: window.reason, trades: result.trades.length, missing: window.missing };
        if (routine) log.debug?.(note, 'gap filled by REST');
        else log.info(note, 'gap filled by REST');
        return;
      } catch (error) {
        this.counters.failures++;
        log.warn({ window, attempt, error: (error as Error).message }, 'backfill failed');
        if (attempt < maxAttempts) await this.sleep(backoffMs(attempt));
      }
    }
    if (!this.stopped) this.counters.unfilled++;
  }

  /**
   * The answer did not prove the window (short or empty pages while the trades are known to exist):
   * park it for another try after a backoff, or, out of tries, count it unfilled and say so once.
   */
  private unproven(window: GapWindow, tries: number, pushed: Set<string>, fresh: readonly { id: string }[], got: number): void {
    const maxAttempts = this.deps.maxAttempts ?? 5;
    if (tries >= maxAttempts) {
      this.counters.unfilled++;
      this.deps.log.warn({ window, tries, got }, 'gap not filled: the exchange kept answering short or empty pages for trades it holds');
      return;
    }
    for (const t of fresh) pushed.add(t.id);
    // a window of the symbol queued or parked meanwhile joins this one: one request for both,
    // when due, rather than two asks of the same recent history close together
    const other = this.parked.get(window.symbol);
    let joined = other !== undefined ? merge(other.window, window) : window;
    const queued = this.queue.get(window.symbol);
    if (queued !== undefined) {
      joined = merge(joined, queued);
      this.queue.delete(window.symbol);
    }
    if (other !== undefined) for (const id of other.pushed) pushed.add(id);
    const n = Math.max(tries, other?.tries ?? 0);
    this.parked.set(window.symbol, { window: joined, tries: n, dueAt: this.clock.now() + backoffMs(n), pushed });
  }
}

/**
 * How much further back than its start a restart's window bounded by time alone is asked for (on an
 * audited venue the restart resumes from a time, not after a trade: venue-data-path.ts). That start
 * is in the socket's time, and REST may stamp the same trades apart from it (`rest-ts-mismatch`
 * injects up to 2 s): trades just after the start, REST-stamped before it, were cut off and lost
 * for good. What the reach brings that is stored already is a duplicate the store drops.
 * See docs/architecture.md §5 (Resume points).
 */
export const RESUME_SKEW_MS = 2_000;

/** the start asked of the venue: a restart's time-bound window reaches back RESUME_SKEW_MS */
function requestFrom(window: GapWindow): number {
  return window.afterId === undefined && window.reason === 'resume' ? window.from - RESUME_SKEW_MS : window.from;
}

/**
 * Two windows of one symbol as one: the earlier start with the id held there (none when either
 * start had none at that point: fill by time), the later end with its trade.
 */
function merge(a: GapWindow, b: GapWindow): GapWindow {
  const first = a.from <= b.from ? a : b;
  const last = a.to >= b.to ? a : b;
  // a merged window that holds more than a first subscription is as urgent as its urgent part
  const reason = a.reason === 'subscribe' ? b.reason : a.reason;
  const out: GapWindow = { ...first, to: last.to, reason };
  if (last.untilId !== undefined) out.untilId = last.untilId;
  else delete out.untilId;
  if (a.missing !== undefined && b.missing !== undefined) out.missing = a.missing + b.missing;
  else delete out.missing;
  return out;
}
