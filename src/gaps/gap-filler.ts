/**
 * Fills gap windows by REST, one request at a time per venue (the RestClient paces and obeys
 * 429/418 on top). Windows of the same symbol waiting in the queue merge into one. Backfilled
 * trades go into the pipeline as 'backfill': normalized exactly like live ones, deduplicated
 * against what arrived live. Failures retry with backoff; a window the exchange cannot serve
 * any more (Bybit keeps only recent trades) is counted and logged as unfilled, never hidden.
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
import type { GapStats } from '../../machines/collector.js';

/** The counters the Collector machine shows for its gap filler (one definition, in the machine). */
export type GapCounters = GapStats;

export interface GapFillerDeps {
  adapter: ExchangeAdapter;
  rest: RestClient;
  restUrl: string;
  instrument(symbol: string): Instrument | undefined;
  push(records: readonly MarketRecord[]): void;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  sleep?: (ms: number) => Promise<void>;
  maxAttempts?: number;
  /** the longest window one request may cover; older parts are reported unfilled */
  maxTradesPerWindow?: number;
}

const realSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
  });

export class GapFiller {
  readonly counters: GapCounters = { detected: 0, filled: 0, unfilled: 0, backfilledTrades: 0, failures: 0, pending: 0 };
  private readonly queue = new Map<string, GapWindow>();
  private running = false;
  private stopped = false;
  private idleP: Promise<void> = Promise.resolve();
  private listeners = new Set<(c: GapCounters) => void>();

  constructor(private readonly deps: GapFillerDeps) {}

  onChange(listener: (c: GapCounters) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  add(windows: readonly GapWindow[]): void {
    if (this.stopped) return;
    for (const w of windows) {
      this.counters.detected++;
      const pending = this.queue.get(w.symbol);
      this.queue.set(w.symbol, pending ? merge(pending, w) : w);
    }
    this.counters.pending = this.queue.size;
    this.changed();
    if (!this.running) this.idleP = this.drain();
  }

  /** resolves when every queued window has been tried */
  whenIdle(): Promise<void> {
    return this.idleP;
  }

  /** nothing queued and nothing being fetched */
  get idle(): boolean {
    return !this.running && this.queue.size === 0;
  }

  stop(): void {
    this.stopped = true;
    this.queue.clear();
  }

  private changed(): void {
    for (const l of this.listeners) l(this.counters);
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped && this.queue.size > 0) {
        const window = this.next();
        this.queue.delete(window.symbol);
        this.counters.pending = this.queue.size;
        await this.fill(window);
        this.changed();
      }
    } finally {
      this.running = false;
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
    const instrument = this.deps.instrument(window.symbol);
    if (!instrument) {
      this.counters.unfilled++;
      log.warn({ window }, 'gap not filled: instrument unknown');
      return;
    }
    const maxAttempts = this.deps.maxAttempts ?? 5;
    const sleep = this.deps.sleep ?? realSleep;
    for (let attempt = 1; attempt <= maxAttempts && !this.stopped; attempt++) {
      try {
        const result = await adapter.backfillTrades(
          rest,
          {
            instrument,
            ...(window.afterId !== undefined ? { afterId: window.afterId } : {}),
            ...(window.untilId !== undefined ? { untilId: window.untilId } : {}),
            from: window.from,
            to: window.to,
            maxTrades: this.deps.maxTradesPerWindow ?? 200_000,
          },
          restUrl,
        );
        if (this.stopped) return;
        if (result.trades.length > 0) this.deps.push(result.trades);
        this.counters.backfilledTrades += result.trades.length;
        if (result.complete) this.counters.filled++;
        else {
          this.counters.unfilled++;
          log.warn({ window, got: result.trades.length }, 'gap only partly filled: the exchange no longer serves all of it');
        }
        // a restart's window usually brings back just the trade that closed it: not news
        if ((window.reason !== 'reconnect' && window.reason !== 'subscribe') || result.trades.length > 1) {
          log.info({ symbol: window.symbol, reason: window.reason, trades: result.trades.length, missing: window.missing }, 'gap filled by REST');
        }
        return;
      } catch (error) {
        this.counters.failures++;
        log.warn({ window, attempt, error: (error as Error).message }, 'backfill failed');
        if (attempt < maxAttempts) await sleep(Math.min(30_000, 500 * 2 ** attempt));
      }
    }
    if (!this.stopped) this.counters.unfilled++;
  }
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
