/**
 * One exchange × market at run time: its adapter, endpoints and the instrument table from the last
 * listing, composed with its data path (src/ingest/venue-data-path.ts: frames → pipeline, gap
 * tracking and filling). The connection actors read it; the listing actor fills it.
 */
import type { ExchangeAdapter, FrameFailureReason, Instrument, RestClient } from '../exchanges/types.js';
import { VenueDataPath, type ActivitySink, type HeldFloors, type QuarantineTally, type VenueCounters } from '../ingest/venue-data-path.js';
import type { Pipeline } from '../ingest/index.js';
import type { GapFiller } from '../ingest/gap-filler.js';
import type { GapTracker, GapTrackerOptions } from '../ingest/gap-tracker.js';
import type { MarketRecord } from '../records.js';
import type { VenueBooks } from '../ingest/venue-books.js';
import type { FrameRefusal, VenueIo } from '../transport/venue-io.js';
import type { QuarantineWriter } from '../store/quarantine.js';
import type { RawFrameWriter } from '../store/raw-frames.js';
import type { Listing } from '../../machines/collector.js';
import type { TradeCursor } from '../store/index.js';
import { systemClock, type Clock } from '../time/clock.js';

export type { QuarantineTally, VenueCounters };

export interface VenueRuntimeOptions {
  /** where quarantined frames are kept (counts and the first examples) */
  quarantine?: QuarantineWriter;
  /** where every raw frame is kept (`store.raw`); absent: raw frames are not kept and cost nothing */
  raw?: RawFrameWriter;
  /** the subscriptions carry trades: a first subscription opens a window its first trade closes */
  trades?: boolean;
  /** silence detection and reach-back tuning (tests scale them down) */
  gaps?: GapTrackerOptions;
  /** where each symbol's REST audit resumes, on an audited venue (see VenueDataPathOptions.auditFrom) */
  auditFrom?: ReadonlyMap<string, number>;
  /** local time; injected so tests can hold it */
  clock?: Clock;
  /** the venue's books, when its connections carry the `book` channel */
  books?: VenueBooks;
  /** levels per side the book channel asks for */
  bookDepth?: number;
  /**
   * symbols that were listed and active at the previous listing and are not any more (each is
   * told once per disappearance): the runtime warns and alerts for the configured ones
   */
  onDelisted?: (symbols: string[]) => void;
}

export class VenueRuntime implements VenueIo {
  private table = new Map<string, Instrument>();
  /**
   * the table's instruments as one array per listing: every connection's parser gets this same
   * array, so they share one native-id table (exchanges/common.ts symbolMapper) instead of each
   * building its own
   */
  private listed: readonly Instrument[] | undefined;
  readonly path: VenueDataPath;
  /** set only when raw frames are kept: the connection's `io.raw?.()` is then a no-op check */
  readonly raw?: (frame: string | Buffer, receivedAt: number, connection: string) => void;
  readonly books?: VenueBooks;
  readonly bookDepth?: number;

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
    activity?: ActivitySink,
    private readonly options: VenueRuntimeOptions = {},
  ) {
    this.path = new VenueDataPath({
      adapter,
      pipeline,
      rest,
      restUrl,
      instrument: (s) => this.table.get(s),
      log,
      cursors,
      ...(activity ? { activity } : {}),
      ...(options.quarantine ? { quarantine: options.quarantine } : {}),
      ...(options.raw ? { raw: options.raw } : {}),
      ...(options.trades !== undefined ? { trades: options.trades } : {}),
      ...(options.gaps ? { gaps: options.gaps } : {}),
      ...(options.auditFrom ? { auditFrom: options.auditFrom } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    if (this.path.raw) this.raw = this.path.raw;
    if (options.books) this.books = options.books;
    if (options.bookDepth !== undefined) this.bookDepth = options.bookDepth;
  }

  get counters(): VenueCounters {
    return this.path.counters;
  }

  get quarantined(): ReadonlyMap<FrameFailureReason, QuarantineTally> {
    return this.path.quarantined;
  }

  get gaps(): GapTracker {
    return this.path.gaps;
  }

  get filler(): GapFiller {
    return this.path.filler;
  }

  get pressure() {
    return { subscribe: (next: (paused: boolean) => void) => this.pipeline.pressure$.subscribe(next) };
  }

  openGapSymbols(): Set<string> {
    return this.path.openGapSymbols();
  }

  /** what this venue holds that has not reached the store (venue-data-path.ts HeldFloors) */
  heldFloors(): HeldFloors {
    return this.path.heldFloors();
  }

  /** those of the batch's symbols with a known hole right now (what a store write needs) */
  openGapsAmong(symbols: readonly string[]): ReadonlySet<string> {
    return this.path.openGapsAmong(symbols);
  }

  instrument(symbol: string): Instrument | undefined {
    return this.table.get(symbol);
  }

  instruments(): readonly Instrument[] {
    return (this.listed ??= Object.freeze([...this.table.values()]));
  }

  deliver(records: MarketRecord[]): void {
    this.path.deliver(records);
  }

  subscribing(symbols: readonly string[]): void {
    this.path.subscribing(symbols);
  }

  malformed(reason: string, frame: string | Buffer, group: number): void {
    this.path.malformed(reason, frame, group);
  }

  quarantine(f: FrameRefusal): void {
    this.path.quarantine(f);
  }

  quarantineRows() {
    return this.path.quarantineRows();
  }

  note(event: string, detail: Record<string, unknown>): void {
    this.log.info(detail, event);
    if (event === 'subscribe rejected' && Array.isArray(detail.symbols)) {
      this.path.refused(detail.symbols.filter((s): s is string => typeof s === 'string'));
    }
  }

  private now(): number {
    return (this.options.clock ?? systemClock).now();
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
    this.listed = undefined;
    // reparse reads raw frames with the listing that was in force (symbols, OKX contract sizes)
    this.options.raw?.listing(this.adapter.exchange, this.adapter.market, this.now(), [...next.values()]);
    // delisted: no trade will close their open windows (relisted, they subscribe afresh)
    if (gone.length > 0) this.path.delisted(gone);
    if (delisted.length > 0) this.options.onDelisted?.(delisted);
    const active = instruments.filter((i) => i.active);
    return { symbols: active.map((i) => i.symbol), names: active.map((i) => ({ symbol: i.symbol, nativeId: i.nativeId })) };
  }
}
