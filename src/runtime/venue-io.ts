/**
 * One exchange × market at run time: its adapter, endpoints, the instrument table from the last
 * listing, and the data path into its collector's pipeline. The connection actors read it; the
 * listing actor fills it.
 */
import type { ExchangeAdapter, FrameFailureReason, Instrument, RestClient } from '../exchanges/types.js';
import type { Pipeline } from '../ingest/index.js';
import type { MarketRecord } from '../records.js';
import type { FrameRefusal, VenueIo } from '../transport/venue-io.js';
import type { QuarantineWriter } from '../store/quarantine.js';
import type { RawFrameWriter } from '../store/raw-frames.js';
import type { Listing } from '../../machines/collector.js';
import { GapFiller } from '../ingest/gap-filler.js';
import { GapTracker, type GapTrackerOptions } from '../ingest/gap-tracker.js';
import type { TradeCursor } from '../store/index.js';
import type { CoinActivity } from '../metrics/coin-activity.js';

export interface VenueCounters {
  frames: number;
  malformed: number;
  lastMalformed?: string;
}

/** Frames quarantined for one reason since start, and the last one's words (the alert quotes them). */
export interface QuarantineTally {
  count: number;
  lastMessage: string;
  lastFrame: string | Buffer;
}

export interface VenueRuntimeOptions {
  /** where quarantined frames are kept (counts and the first examples) */
  quarantine?: QuarantineWriter;
  /** where every raw frame is kept (`store.raw`); absent: raw frames are not kept and cost nothing */
  raw?: RawFrameWriter;
  /** the subscriptions carry trades: a first subscription opens a window its first trade closes */
  trades?: boolean;
  /** silence detection and reach-back tuning (tests scale them down) */
  gaps?: GapTrackerOptions;
  /** local time; injected so tests can hold it */
  now?: () => number;
  /**
   * symbols that were listed and active at the previous listing and are not any more (each is
   * told once per disappearance): the runtime warns and alerts for the configured ones
   */
  onDelisted?: (symbols: string[]) => void;
}

export class VenueRuntime implements VenueIo {
  private table = new Map<string, Instrument>();
  readonly counters: VenueCounters = { frames: 0, malformed: 0 };
  /** quarantined frames by reason (a fixed list: bounded) */
  readonly quarantined = new Map<FrameFailureReason, QuarantineTally>();
  /** set only when raw frames are kept: the connection's `io.raw?.()` is then a no-op check */
  readonly raw?: (frame: string | Buffer, receivedAt: number, connection: string) => void;
  readonly gaps: GapTracker;
  readonly filler: GapFiller;

  constructor(
    readonly adapter: ExchangeAdapter,
    readonly wsUrl: string,
    readonly restUrl: string,
    readonly pipeline: Pipeline,
    private readonly rest: RestClient,
    private readonly log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void },
    /** where the store ends for each symbol of this venue: resume from there */
    cursors: readonly TradeCursor[] = [],
    /** per-coin receive times for metrics and the silent-coin alert */
    private readonly activity?: CoinActivity,
    private readonly options: VenueRuntimeOptions = {},
  ) {
    this.gaps = new GapTracker(adapter.sequentialTradeIds, options.gaps);
    const rawWriter = options.raw;
    if (rawWriter) {
      const { exchange, market } = adapter;
      this.raw = (frame, receivedAt, connection) => rawWriter.add(exchange, market, frame, receivedAt, connection);
    }
    // resume from where the stored history is known whole: a hole whose filling a crash cut short
    // lies before the newest stored trade, and resuming from that one would forget it
    for (const c of cursors) this.gaps.seed(c.symbol, c.resumeTradeId ?? c.lastTradeId, c.resumeTimestamp ?? c.lastTimestamp);
    this.filler = new GapFiller({
      adapter,
      rest,
      restUrl,
      instrument: (s) => this.table.get(s),
      push: (records) => this.pipeline.push(records, 'backfill'),
      committed: () => this.pipeline.flush(),
      log,
    });
  }

  get pressure() {
    return { subscribe: (next: (paused: boolean) => void) => this.pipeline.pressure$.subscribe(next) };
  }

  /** symbols with a known hole right now: a stream restarted and not rejoined, or a window not yet filled and committed */
  openGapSymbols(): Set<string> {
    const out = this.filler.openSymbols();
    for (const symbol of this.gaps.brokenSymbols()) out.add(symbol);
    return out;
  }

  instrument(symbol: string): Instrument | undefined {
    return this.table.get(symbol);
  }

  instruments(): Instrument[] {
    return [...this.table.values()];
  }

  deliver(records: MarketRecord[]): void {
    // the frame's receive time is already on its records: no second clock read per frame
    const receivedAt = records[0]?.localTimestamp;
    if (receivedAt !== undefined) this.activity?.record(this.adapter.exchange, this.adapter.market, records, receivedAt);
    // validation first: only what the pipeline accepted counts as received. A refused trade
    // counted here would close a window or move the last id past a trade that was never stored.
    const { accepted } = this.pipeline.submit(records, 'live');
    if (accepted.length === 0) return;
    const windows = this.gaps.observe(accepted);
    if (windows.length > 0) this.filler.add(windows);
  }

  subscribing(symbols: readonly string[]): void {
    // a ticker-only subscription has no trades to lose, nor one to close a window with
    if (this.options.trades === false) return;
    this.gaps.markBroken(symbols, this.now());
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  malformed(reason: string, frame: string | Buffer, group: number): void {
    this.counters.malformed++;
    // one line per bad frame would be a storm under a `malformed` fault: log every 100th
    if (this.counters.malformed % 100 === 1) {
      const text = typeof frame === 'string' ? frame : frame.toString('utf8');
      this.log.warn({ group, reason, frame: text.slice(0, 120), total: this.counters.malformed }, 'malformed frame');
    }
    this.counters.lastMalformed = reason;
  }

  quarantine(f: FrameRefusal): void {
    let tally = this.quarantined.get(f.reason);
    if (tally === undefined) this.quarantined.set(f.reason, (tally = { count: 0, lastMessage: '', lastFrame: '' }));
    tally.count++;
    tally.lastMessage = f.message;
    tally.lastFrame = f.frame;
    this.options.quarantine?.add({ exchange: this.adapter.exchange, market: this.adapter.market, ...f });
  }

  /** frames quarantined since start, one row per reason (the metric's rows) */
  quarantineRows(): Array<{ exchange: ExchangeAdapter['exchange']; market: ExchangeAdapter['market']; reason: FrameFailureReason; count: number }> {
    return [...this.quarantined].map(([reason, t]) => ({ exchange: this.adapter.exchange, market: this.adapter.market, reason, count: t.count }));
  }

  note(event: string, detail: Record<string, unknown>): void {
    this.log.info(detail, event);
    // a refused first subscription must not hold a window open that no trade will close
    if (event === 'subscribe rejected' && Array.isArray(detail.symbols)) {
      this.gaps.refused(detail.symbols.filter((s): s is string => typeof s === 'string'));
    }
  }

  /** REST market listing → the instrument table and the active unified symbols. */
  async list(): Promise<Listing> {
    const instruments = await this.adapter.listInstruments(this.rest, this.restUrl);
    const next = new Map<string, Instrument>();
    for (const i of instruments) if (i.active) next.set(i.symbol, i);
    // keep instruments that disappeared long enough for their connectors to unsubscribe
    const gone: string[] = [];
    const delisted: string[] = [];
    for (const [s, i] of this.table) {
      if (!next.has(s)) {
        next.set(s, { ...i, active: false });
        gone.push(s);
        // kept inactive from an earlier listing: already told
        if (i.active) delisted.push(s);
      }
    }
    this.table = next;
    // reparse reads raw frames with the listing that was in force (symbols, OKX contract sizes)
    this.options.raw?.listing(this.adapter.exchange, this.adapter.market, this.now(), [...next.values()]);
    // delisted: no trade will close their open windows (relisted, they subscribe afresh)
    if (gone.length > 0) this.gaps.release(gone);
    if (delisted.length > 0) this.options.onDelisted?.(delisted);
    const active = instruments.filter((i) => i.active);
    return { symbols: active.map((i) => i.symbol), names: active.map((i) => ({ symbol: i.symbol, nativeId: i.nativeId })) };
  }
}
