/**
 * The admission stage: what may enter the buffer. Per pushed array (one per frame): sample the
 * venue's clock offset (live frames), validate each record, drop trades the dedup window has
 * seen, count late live records, keep the latest state per symbol. Pure apart from the injected
 * clock; no per-record allocation (an array is copied only at the first record refused).
 */
import type { MarketRecord } from '../records.js';
import type { Clock } from '../time/clock.js';
import { LatestCache } from './cache.js';
import { ClockOffsetEstimator } from './clock-offset.js';
import { TradeDedup } from './dedup.js';
import { REJECT_REASONS, isLate, validateRecord, type RejectReason, type ValidationContext } from './validate.js';

export type RecordOrigin = 'live' | 'backfill';

export interface AdmissionOptions {
  clock: Clock;
  /** see ValidationContext.maxClockSkewMs (default 60 s) */
  maxClockSkewMs?: number;
  /** how old a record may be, live (delivered late) or backfilled (default 7 days) */
  backfillMaxAgeMs?: number;
  /**
   * the most the measured venue clock offset may widen the future bound by (default 10 min):
   * an exchange clock running minutes ahead is believable, hours ahead is broken data
   */
  maxClockAheadMs?: number;
  /** symbols this collector subscribes to; the set may change while running */
  knownSymbols?: ReadonlySet<string>;
  /** dedup window per symbol (default 4096 ids) */
  dedupWindowPerSymbol?: number;
}

export class Admission {
  readonly cache = new LatestCache();
  /** live counts by reject reason */
  readonly rejected: Record<RejectReason, number>;
  dedupDropped = 0;
  /** live records kept although they arrived more than maxClockSkewMs after their exchange timestamp */
  late = 0;
  private readonly clock: Clock;
  // live and backfilled records share the bounds: a late live trade is as genuine as an old
  // backfilled one (only lateness is counted, for live records)
  private readonly live: ValidationContext;
  private readonly backfill: ValidationContext;
  private readonly maxClockAheadMs: number;
  private readonly clockOffset = new ClockOffsetEstimator();
  private readonly dedup: TradeDedup;

  constructor(options: AdmissionOptions) {
    this.clock = options.clock;
    this.live = {
      now: 0,
      maxClockSkewMs: options.maxClockSkewMs ?? 60_000,
      maxAgeMs: options.backfillMaxAgeMs ?? 7 * 24 * 3_600_000,
      clockAheadMs: 0,
      ...(options.knownSymbols ? { knownSymbols: options.knownSymbols } : {}),
    };
    this.backfill = { ...this.live };
    this.maxClockAheadMs = options.maxClockAheadMs ?? 10 * 60_000;
    this.dedup = new TradeDedup({ ...(options.dedupWindowPerSymbol ? { windowPerSymbol: options.dedupWindowPerSymbol } : {}) });
    this.rejected = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  }

  /** the venue's measured clock offset in ms (median of localTimestamp − timestamp over recent live frames) */
  get clockOffsetMs(): number | undefined {
    return this.clockOffset.offsetMs;
  }

  get rejectedTotal(): number {
    let n = 0;
    for (const r of REJECT_REASONS) n += this.rejected[r];
    return n;
  }

  /** the records that pass, in order: the input array itself when all do */
  admit(records: readonly MarketRecord[], origin: RecordOrigin): readonly MarketRecord[] {
    if (origin === 'live') this.sampleClock(records);
    const ctx = origin === 'backfill' ? this.backfill : this.live;
    ctx.now = this.clock.now();
    const countLate = ctx === this.live;
    let kept: MarketRecord[] | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as MarketRecord;
      const reason = validateRecord(r, ctx);
      let keep = reason === undefined;
      if (!keep) this.rejected[reason as RejectReason]++;
      else if (r.type === 'trade' && !this.dedup.admit(r)) {
        this.dedupDropped++;
        keep = false;
      } else if (countLate && isLate(r, ctx)) this.late++;
      if (keep) {
        this.cache.update(r);
        kept?.push(r);
      } else if (kept === undefined) {
        kept = records.slice(0, i) as MarketRecord[]; // first drop: copy what passed so far
      }
    }
    return kept ?? records;
  }

  /**
   * One sample per live frame, taken before validation: a venue whose clock runs ahead has its
   * first frames refused until the median learns it, and would never be learned from accepted
   * records only. REST records are not sampled: their localTimestamp is the fetch time.
   */
  private sampleClock(records: readonly MarketRecord[]): void {
    const first = records[0];
    if (first !== undefined) this.clockOffset.sample(first.localTimestamp - first.timestamp);
    const offset = this.clockOffset.offsetMs;
    const ahead = offset === undefined || offset >= 0 ? 0 : Math.min(-offset, this.maxClockAheadMs);
    this.live.clockAheadMs = ahead;
    this.backfill.clockAheadMs = ahead;
  }
}
