/**
 * Finds the windows of trades the live stream may have missed, per symbol. Pure: it reads no
 * clock; times come in as arguments and as the records' own `timestamp` (exchange time) and
 * `localTimestamp` (receive time). It must be given only records the pipeline accepted: a
 * record refused by validation was not stored, so counting it as received would hide the hole.
 *
 * Signals:
 * - a hole in the ids, where the exchange numbers trades densely (Binance `t`/`a`);
 * - a break: a subscription went out on a socket (reconnect, restart, rotation, first start after
 *   a crash, seeded from the store's cursors), so everything between the last trade we had and
 *   the first trade of the new stream is in doubt;
 * - a first subscription: a symbol that has not traded yet is in doubt from the moment its
 *   SUBSCRIBE went out, or its first frames could be lost with nothing to compare them to;
 * - a silence: on venues without dense ids, a trade that comes after a pause far longer than
 *   the symbol's usual interval (a stalled socket that resumed drops what it did not send).
 * A window is [last trade we had, first trade after the gap]; REST backfill fills it and the
 * pipeline's dedup drops what was already there.
 */
import type { MarketRecord, Trade } from '../records.js';
import { idPart } from '../store/keys.js';
import { lowerFloor } from '../time/floors.js';

export type GapReason = 'sequence' | 'reconnect' | 'resume' | 'subscribe' | 'silence';

export interface GapWindow {
  symbol: string;
  /** the last trade id we hold before the gap; absent when we hold none (first subscription): fill by time */
  afterId?: string;
  /** exchange time the window starts at (the trade `afterId`, or the subscription) */
  from: number;
  /** the first trade after the gap: the window ends here (inclusive) */
  to: number;
  /** that first trade's id */
  untilId?: string;
  /** ids missing, when the exchange's ids are dense */
  missing?: number;
  reason: GapReason;
}

export interface GapTrackerOptions {
  /**
   * a silence opens a window when it lasts longer than `silenceFactor` × the symbol's mean
   * interval and at least `silenceFloorMs` (defaults 20 and 5 s): the floor keeps a busy symbol's
   * ordinary pauses from costing a REST call each, the factor keeps a quiet symbol's from it
   */
  silenceFactor?: number;
  silenceFloorMs?: number;
  /** intervals seen before a symbol's rate counts as learned (default 20) */
  warmupIntervals?: number;
  /**
   * A shorter pause (over `suspectFactor` × mean and `suspectFloorMs`, defaults 4 and 1 s) opens
   * nothing by itself, but when a break follows within `reachBackMs` (default 2 min, local time)
   * the break's window starts before that pause: a connection declared dead only after its data
   * had resumed must not leave the silence out of the window.
   */
  suspectFactor?: number;
  suspectFloorMs?: number;
  reachBackMs?: number;
  /** a first subscription's window starts this much earlier than the subscription (default 1 s) */
  subscribeSlackMs?: number;
  /**
   * On venues without dense ids, "newer" is judged by exchange time, and a trade older than the
   * newest one seen is a straggler (an overlapping old socket's last frames). One older by more
   * than this (default 10 s: far beyond any straggler) means the exchange's clock moved back:
   * it is taken as the stream going on, or a window would wait for ever for a "newer" trade.
   */
  clockJumpMs?: number;
}

interface SymbolState {
  /** undefined: subscribed, nothing received yet */
  lastId: string | undefined;
  /** lastId as a number on dense-id venues (a bigint past 2^53), -Infinity when none */
  lastNum: IdNumber;
  lastTs: number;
  broken: GapReason | undefined;
  /** while broken: where its window starts, and the id held there */
  breakFrom: number;
  breakAfterId: string | undefined;
  /** 'subscribe': local time the subscription went out */
  subscribedAt: number;
  /** mean interval between trades (exchange time) and how many intervals it is made of */
  meanGap: number;
  intervals: number;
  /** the longest recent pause that opened no window, ended at local time `quietEndedAt` */
  quietGap: number;
  quietFrom: number;
  quietAfterId: string | undefined;
  quietEndedAt: number;
}

const NO_WINDOWS: readonly GapWindow[] = Object.freeze([]);
/** weight of a new interval in the mean once warmed up: ~the last 16 intervals count */
const MEAN_WEIGHT = 16;

export class GapTracker {
  private readonly symbols = new Map<string, SymbolState>();
  private readonly silenceFactor: number;
  private readonly silenceFloorMs: number;
  private readonly warmup: number;
  private readonly suspectFactor: number;
  private readonly suspectFloorMs: number;
  private readonly reachBackMs: number;
  private readonly subscribeSlackMs: number;
  private readonly clockJumpMs: number;

  constructor(private readonly sequentialIds: boolean, options: GapTrackerOptions = {}) {
    this.silenceFactor = options.silenceFactor ?? 20;
    this.silenceFloorMs = options.silenceFloorMs ?? 5_000;
    this.warmup = Math.max(1, options.warmupIntervals ?? 20);
    this.suspectFactor = options.suspectFactor ?? 4;
    this.suspectFloorMs = options.suspectFloorMs ?? 1_000;
    this.reachBackMs = options.reachBackMs ?? 120_000;
    this.subscribeSlackMs = options.subscribeSlackMs ?? 1_000;
    this.clockJumpMs = options.clockJumpMs ?? 10_000;
  }

  /**
   * Where the store ends for a symbol (crash-safe resume): the first live trade opens a window.
   * `wholeFrom`, when earlier than `lastTimestamp`: the history is known whole only up to there
   * (exchange time), so the window starts there and is filled by time, not after `lastId`.
   */
  seed(symbol: string, lastId: string, lastTimestamp: number, wholeFrom = lastTimestamp): void {
    const st = fresh(lastId, sequentialNumber(this.sequentialIds, lastId), lastTimestamp);
    st.broken = 'resume';
    st.breakFrom = Math.min(wholeFrom, lastTimestamp);
    st.breakAfterId = wholeFrom < lastTimestamp ? undefined : lastId;
    this.symbols.set(symbol, st);
  }

  /**
   * A subscription for these symbols is going out at local time `at`: their streams restart.
   * A symbol that traded gets a window from its last trade (or from the start of a recent pause,
   * see reachBackMs); one that has not gets a window from `at`. An open window keeps its start.
   */
  markBroken(symbols: readonly string[], at: number): void {
    for (const s of symbols) {
      const st = this.symbols.get(s);
      if (st === undefined) {
        const pending = fresh(undefined, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY);
        pending.broken = 'subscribe';
        pending.subscribedAt = at;
        this.symbols.set(s, pending);
        continue;
      }
      if (st.broken !== undefined) continue;
      st.broken = 'reconnect';
      st.breakFrom = st.lastTs;
      st.breakAfterId = st.lastId;
      if (st.quietAfterId !== undefined && at - st.quietEndedAt <= this.reachBackMs && st.quietFrom < st.lastTs) {
        st.breakFrom = st.quietFrom;
        st.breakAfterId = st.quietAfterId;
      }
      clearQuiet(st);
    }
  }

  /**
   * These symbols are no longer subscribed (delisted): an open window would wait for a trade that
   * will not come. Their last trade is kept, so a later subscription still starts from it.
   */
  release(symbols: readonly string[]): void {
    for (const s of symbols) {
      const st = this.symbols.get(s);
      if (st === undefined || st.broken === undefined) continue;
      if (st.lastId === undefined) this.symbols.delete(s);
      else st.broken = undefined;
    }
  }

  /**
   * The exchange refused these subscriptions: a symbol that never traded has no stream to wait
   * for, and nothing it publishes counts until a subscription is acknowledged (the retry opens a
   * fresh window). A symbol that traded keeps its window: a later retry's first trade closes it.
   */
  refused(symbols: readonly string[]): void {
    for (const s of symbols) if (this.symbols.get(s)?.lastId === undefined) this.symbols.delete(s);
  }

  /** This symbol's stream (re)started and its first new trade has not come yet. */
  isBroken(symbol: string): boolean {
    return this.symbols.get(symbol)?.broken !== undefined;
  }

  /** The symbols whose stream (re)started and whose first new trade has not come yet. */
  brokenSymbols(): string[] {
    const out: string[] = [];
    for (const [symbol, st] of this.symbols) if (st.broken !== undefined) out.push(symbol);
    return out;
  }

  /**
   * For each symbol whose stream (re)started and whose first new trade has not come yet, where its
   * window will start (exchange time; the subscription's local time for a symbol that never
   * traded), lowered into `floors`: nothing after that point is known whole yet.
   */
  brokenFloors(floors: Map<string, number>): void {
    for (const [symbol, st] of this.symbols) {
      if (st.broken === undefined) continue;
      const from = st.broken === 'subscribe' ? st.subscribedAt : st.breakFrom;
      if (Number.isFinite(from)) lowerFloor(floors, symbol, from);
    }
  }

  /** Symbols whose stream (re)started and whose first new trade has not come yet. */
  pendingBreaks(): number {
    let n = 0;
    for (const st of this.symbols.values()) if (st.broken !== undefined) n++;
    return n;
  }

  /** The last trade held for a symbol. */
  last(symbol: string): { id: string; timestamp: number } | undefined {
    const st = this.symbols.get(symbol);
    return st?.lastId !== undefined ? { id: st.lastId, timestamp: st.lastTs } : undefined;
  }

  /** The mean interval between a symbol's trades once learned (ms, exchange time). */
  meanInterval(symbol: string): number | undefined {
    const st = this.symbols.get(symbol);
    return st !== undefined && st.intervals >= this.warmup ? st.meanGap : undefined;
  }

  /**
   * Accepted live records of one frame; returns the windows they reveal (usually none: a shared
   * empty array, no allocation per frame).
   */
  observe(records: readonly MarketRecord[]): readonly GapWindow[] {
    let windows: GapWindow[] | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.type !== 'trade') continue;
      const st = this.symbols.get(r.symbol);
      const num = sequentialNumber(this.sequentialIds, r.id);
      if (st === undefined) {
        // a symbol nobody announced a subscription for: nothing to compare with yet
        this.symbols.set(r.symbol, fresh(r.id, num, r.timestamp));
        continue;
      }
      const jumped = this.clockJumpedBack(st, r);
      if (st.broken !== undefined) {
        // a straggler from before the break is not the new stream: the window stays open
        if (!this.isNewer(st, r, num) && !jumped) continue;
        (windows ??= []).push(this.closeBreak(st, r));
        st.broken = undefined;
      } else if (this.sequentialIds) {
        const missing = idsBetween(st.lastNum, num);
        if (missing > 0) {
          (windows ??= []).push({
            symbol: r.symbol, afterId: st.lastId, from: st.lastTs, to: r.timestamp, untilId: r.id,
            missing, reason: 'sequence',
          });
        }
      } else if (r.timestamp >= st.lastTs) {
        const silence = this.interval(st, r);
        if (silence !== undefined) (windows ??= []).push(silence);
      }
      // keep the newest: out-of-order duplicates (rotation overlap, backfill) never move it back,
      // unless the exchange's clock itself went back
      if (this.isNewer(st, r, num) || jumped) {
        st.lastId = r.id;
        st.lastNum = num;
        st.lastTs = r.timestamp;
      }
    }
    return windows ?? NO_WINDOWS;
  }

  /** far older than the newest trade seen, on a venue judged by time: the exchange's clock went back */
  private clockJumpedBack(st: SymbolState, r: Trade): boolean {
    return !this.sequentialIds && st.lastId !== undefined && r.timestamp < st.lastTs - this.clockJumpMs;
  }

  private isNewer(st: SymbolState, r: Trade, num: IdNumber): boolean {
    if (st.lastId === undefined) return true;
    return this.sequentialIds ? num > st.lastNum : r.timestamp >= st.lastTs;
  }

  private closeBreak(st: SymbolState, r: Trade): GapWindow {
    if (st.broken === 'subscribe') {
      // the subscription time is ours; in exchange time it is at most `at − (received − stamped)`:
      // that difference is the network delay plus our clock's lead, and the delay only makes the
      // start earlier, which is the safe side
      const from = Math.min(st.subscribedAt - (r.localTimestamp - r.timestamp) - this.subscribeSlackMs, r.timestamp);
      return { symbol: r.symbol, from, to: r.timestamp, untilId: r.id, reason: 'subscribe' };
    }
    // after a clock that went back the closing trade is stamped before the window's start: the
    // window is the trades between the two ids, and by time it reaches back to the earlier stamp
    const w: GapWindow = { symbol: r.symbol, from: Math.min(st.breakFrom, r.timestamp), to: r.timestamp, untilId: r.id, reason: st.broken ?? 'reconnect' };
    if (st.breakAfterId !== undefined) w.afterId = st.breakAfterId;
    return w;
  }

  /**
   * Learns the symbol's interval from one in-order trade (venues without dense ids) and returns
   * the window a silence before it opens, if any.
   */
  private interval(st: SymbolState, r: Trade): GapWindow | undefined {
    if (st.lastId === undefined) return undefined;
    const gap = r.timestamp - st.lastTs;
    const learned = st.intervals >= this.warmup;
    const threshold = learned ? Math.max(this.silenceFloorMs, this.silenceFactor * st.meanGap) : Number.POSITIVE_INFINITY;
    const suspect = learned ? Math.max(this.suspectFloorMs, this.suspectFactor * st.meanGap) : Number.POSITIVE_INFINITY;
    // a silence enters the mean capped at the threshold: a symbol whose rate really dropped is
    // learned after a few windows, while one stall does not make the symbol look quiet for long
    const sample = Math.min(gap, threshold);
    st.intervals++;
    st.meanGap += (sample - st.meanGap) / Math.min(st.intervals, MEAN_WEIGHT);
    if (gap > threshold) {
      clearQuiet(st);
      return { symbol: r.symbol, afterId: st.lastId, from: st.lastTs, to: r.timestamp, untilId: r.id, reason: 'silence' };
    }
    if (gap > suspect) {
      const expired = r.localTimestamp - st.quietEndedAt > this.reachBackMs;
      if (st.quietAfterId === undefined || expired || gap >= st.quietGap) {
        st.quietGap = gap;
        st.quietFrom = st.lastTs;
        st.quietAfterId = st.lastId;
        st.quietEndedAt = r.localTimestamp;
      }
    }
    return undefined;
  }
}

function fresh(lastId: string | undefined, lastNum: IdNumber, lastTs: number): SymbolState {
  return {
    lastId, lastNum, lastTs,
    broken: undefined, breakFrom: lastTs, breakAfterId: lastId, subscribedAt: 0,
    meanGap: 0, intervals: 0,
    quietGap: 0, quietFrom: 0, quietAfterId: undefined, quietEndedAt: 0,
  };
}

function clearQuiet(st: SymbolState): void {
  st.quietAfterId = undefined;
  st.quietGap = 0;
}

/** A dense id as a number: exact while it has at most 15 digits, a bigint beyond (no rounding). */
type IdNumber = number | bigint;

/** Largest id length a number holds exactly (10^15 < 2^53). */
const MAX_NUMBER_ID_DIGITS = 15;

function sequentialNumber(sequential: boolean, id: string): IdNumber {
  if (!sequential) return Number.NaN;
  if (id.length <= MAX_NUMBER_ID_DIGITS) {
    // the store's digit reader first: a canonical id (all of them, in practice) costs no Number() call
    const part = idPart(id);
    return typeof part === 'number' ? part : Number(id);
  }
  // ids reach the tracker as canonical digit strings (common.ts integerId); anything else has no place in the sequence
  return /^[1-9][0-9]*$/.test(id) ? BigInt(id) : Number.NaN;
}

/**
 * How many ids lie strictly between `last` and `next` (0 when next is not past last + 1).
 * `<` and `>` compare numbers and bigints exactly across the two types; arithmetic needs one type.
 */
function idsBetween(last: IdNumber, next: IdNumber): number {
  if (!(next > last)) return 0;
  if (typeof last === 'number' && typeof next === 'number') return Math.max(0, next - last - 1);
  if (typeof last === 'number' && !Number.isFinite(last)) return 0;
  const gap = BigInt(next) - BigInt(last) - 1n;
  return gap > 0n ? Number(gap) : 0;
}
