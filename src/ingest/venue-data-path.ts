/**
 * The data path of one exchange × market, from a parsed frame to the pipeline: frame counts,
 * malformed and quarantined frames, raw-frame keeping, coin activity, admission into the pipeline,
 * and the gap tracker and filler fed by what was admitted. The runtime composes one per venue and
 * hands the connections its methods; the listing stays with the runtime (it only tells this path
 * which symbols were delisted).
 */
import type { ExchangeAdapter, FrameFailureReason, Instrument, RestClient } from '../exchanges/types.js';
import type { MarketRecord } from '../records.js';
import type { QuarantineWriter } from '../store/quarantine.js';
import type { RawFrameWriter } from '../store/raw-frames.js';
import type { TradeCursor } from '../store/types.js';
import { backgroundClock, type Clock } from '../time/clock.js';
import type { FrameRefusal } from './frame-refusal.js';
import { GapFiller } from './gap-filler.js';
import { GapTracker, type GapTrackerOptions } from './gap-tracker.js';
import type { Pipeline } from './pipeline.js';

/** the answer when no symbol of a batch has an open gap: one shared empty set, not one per write */
const NO_OPEN_GAPS: ReadonlySet<string> = new Set<string>();

/**
 * How far before a symbol's resume point its restart backfill reaches back to meet the audit
 * (exchange time): the frames a crash leaves unfound are those of its last seconds, which the dead
 * process's audit had not judged yet. Older ones stay the resumed audit's: a lagging audit (minutes
 * behind on a venue of many symbols) must not make every restart backfill minutes of each symbol.
 */
export const RESUME_REACH_BACK_MS = 60_000;

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

/** Per-coin receive times (the metrics' CoinActivity fits): told once per delivered frame. */
export interface ActivitySink {
  record(exchange: string, market: string, records: readonly MarketRecord[], receivedAt: number): void;
}

export interface DataPathLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface VenueDataPathOptions {
  adapter: ExchangeAdapter;
  pipeline: Pipeline;
  rest: RestClient;
  restUrl: string;
  /** the listing's instrument behind a unified symbol (the filler's REST requests need it) */
  instrument(symbol: string): Instrument | undefined;
  log: DataPathLog;
  /** where the store ends for each symbol of this venue: resume from there */
  cursors?: readonly TradeCursor[];
  /**
   * where each symbol's REST audit resumes (the store's audit positions, exchange time): on a venue
   * audited because its ids show no hole, the history is known whole only up to there
   */
  auditFrom?: ReadonlyMap<string, number>;
  activity?: ActivitySink;
  /** where quarantined frames are kept (counts and the first examples) */
  quarantine?: QuarantineWriter;
  /** where every raw frame is kept (`store.raw`); absent: raw frames are not kept and cost nothing */
  raw?: RawFrameWriter;
  /** the subscriptions carry trades: a first subscription opens a window its first trade closes */
  trades?: boolean;
  /** silence detection and reach-back tuning (tests scale them down) */
  gaps?: GapTrackerOptions;
  /**
   * local time (when a subscription starts) and the gap filler's waits; injected so tests can hold
   * it. By default real time whose timers do not keep the process alive (stop() ends a wait).
   */
  clock?: Clock;
}

/**
 * What a venue still holds that has not reached the store: `symbols`, per symbol, the start of a
 * known hole not yet filled (exchange time); `all`, the oldest trade buffered or being written
 * (Infinity: none). A cluster node keeps its published cursors below both.
 */
export interface HeldFloors {
  symbols: Map<string, number>;
  all: number;
}

export class VenueDataPath {
  readonly counters: VenueCounters = { frames: 0, malformed: 0 };
  /** quarantined frames by reason (a fixed list: bounded) */
  readonly quarantined = new Map<FrameFailureReason, QuarantineTally>();
  /** set only when raw frames are kept: the connection's `io.raw?.()` is then a no-op check */
  readonly raw?: (frame: string | Buffer, receivedAt: number, connection: string) => void;
  readonly gaps: GapTracker;
  readonly filler: GapFiller;
  private readonly clock: Clock;

  constructor(private readonly o: VenueDataPathOptions) {
    const { adapter, pipeline } = o;
    this.clock = o.clock ?? backgroundClock;
    this.gaps = new GapTracker(adapter.sequentialTradeIds, o.gaps);
    const rawWriter = o.raw;
    if (rawWriter) {
      const { exchange, market } = adapter;
      this.raw = (frame, receivedAt, connection) => rawWriter.add(exchange, market, frame, receivedAt, connection);
    }
    // resume from where the stored history is known whole: a hole whose filling a crash cut short
    // lies before the newest stored trade, and resuming from that one would forget it. Where ids
    // show no hole (OKX, Bybit, Upbit), frames dropped silently moved the resume point on all the
    // same; only the audit finds them, and a restarted audit reaches back to its position last,
    // after paging every newer trade, so the restart's backfill reaches back to it first.
    for (const c of o.cursors ?? []) {
      const at = c.resumeTimestamp ?? c.lastTimestamp;
      const audited = o.auditFrom?.get(c.symbol);
      this.gaps.seed(c.symbol, c.resumeTradeId ?? c.lastTradeId, at, audited === undefined ? at : Math.max(audited, at - RESUME_REACH_BACK_MS));
    }
    this.filler = new GapFiller({
      adapter,
      rest: o.rest,
      restUrl: o.restUrl,
      instrument: o.instrument,
      push: (records) => pipeline.push(records, 'backfill'),
      committed: () => pipeline.flush(),
      log: o.log,
      clock: this.clock,
    });
  }

  /** symbols with a known hole right now: a stream restarted and not rejoined, or a window not yet filled and committed */
  openGapSymbols(): Set<string> {
    const out = this.filler.openSymbols();
    for (const symbol of this.gaps.brokenSymbols()) out.add(symbol);
    return out;
  }

  /** what this venue still holds that has not reached the store (HeldFloors) */
  heldFloors(): HeldFloors {
    const symbols = new Map<string, number>();
    this.filler.openFloors(symbols);
    this.gaps.brokenFloors(symbols);
    return { symbols, all: this.o.pipeline.oldestPendingTradeTime() };
  }

  /**
   * Those of the batch's symbols with a known hole right now (openGapSymbols, asked only about the
   * symbols a write touches). Asked at every store write: copying every open symbol into a new Set
   * there was ~8 MB/s of garbage at 5,000 symbols while their first backfills queued, a Set of
   * thousands of entries per write.
   */
  openGapsAmong(symbols: readonly string[]): ReadonlySet<string> {
    let out: Set<string> | undefined;
    let last: string | undefined;
    for (const symbol of symbols) {
      // a batch holds runs of one symbol: each run is asked once
      if (symbol === last) continue;
      last = symbol;
      if (out?.has(symbol) !== true && (this.filler.isOpen(symbol) || this.gaps.isBroken(symbol))) (out ??= new Set()).add(symbol);
    }
    return out ?? NO_OPEN_GAPS;
  }

  /** one frame's records */
  deliver(records: MarketRecord[]): void {
    // the frame's receive time is already on its records: no second clock read per frame
    const receivedAt = records[0]?.localTimestamp;
    if (receivedAt !== undefined) this.o.activity?.record(this.o.adapter.exchange, this.o.adapter.market, records, receivedAt);
    // validation first: only what the pipeline accepted counts as received. A refused trade
    // counted here would close a window or move the last id past a trade that was never stored.
    const { accepted } = this.o.pipeline.submit(records, 'live');
    if (accepted.length === 0) return;
    const windows = this.gaps.observe(accepted);
    if (windows.length > 0) this.filler.add(windows);
  }

  /** subscribe requests for these symbols are going out: their stream may have a gap */
  subscribing(symbols: readonly string[]): void {
    // a ticker-only subscription has no trades to lose, nor one to close a window with
    if (this.o.trades === false) return;
    this.gaps.markBroken(symbols, this.clock.now());
  }

  /** a refused first subscription must not hold a window open that no trade will close */
  refused(symbols: readonly string[]): void {
    this.gaps.refused(symbols);
  }

  /** delisted: no trade will close their open windows (relisted, they subscribe afresh) */
  delisted(symbols: readonly string[]): void {
    this.gaps.release(symbols);
  }

  malformed(reason: string, frame: string | Buffer, group: number): void {
    this.counters.malformed++;
    // one line per bad frame would be a storm under a `malformed` fault: log every 100th
    if (this.counters.malformed % 100 === 1) {
      const text = typeof frame === 'string' ? frame : frame.toString('utf8');
      this.o.log.warn({ group, reason, frame: text.slice(0, 120), total: this.counters.malformed }, 'malformed frame');
    }
    this.counters.lastMalformed = reason;
  }

  quarantine(f: FrameRefusal): void {
    let tally = this.quarantined.get(f.reason);
    if (tally === undefined) this.quarantined.set(f.reason, (tally = { count: 0, lastMessage: '', lastFrame: '' }));
    tally.count++;
    tally.lastMessage = f.message;
    tally.lastFrame = f.frame;
    this.o.quarantine?.add({ exchange: this.o.adapter.exchange, market: this.o.adapter.market, ...f });
  }

  /** frames quarantined since start, one row per reason (the metric's rows) */
  quarantineRows(): Array<{ exchange: ExchangeAdapter['exchange']; market: ExchangeAdapter['market']; reason: FrameFailureReason; count: number }> {
    const { exchange, market } = this.o.adapter;
    return [...this.quarantined].map(([reason, t]) => ({ exchange, market, reason, count: t.count }));
  }
}
