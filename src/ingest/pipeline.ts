/**
 * The tick pipeline of one Collector: push → validate → dedup → cache → bounded buffer →
 * batches → store.writeBatch, one transaction at a time (docs/architecture.md#data-path).
 *
 * Work is per pushed array (one per frame), never per-record observables or log lines.
 * RxJS carries what leaves the pipeline (accepted records, committed batches, pressure); the
 * buffer itself is hand-written because RxJS's buffering operators (bufferTime, concatMap) queue
 * without bound and cannot tell a producer to stop.
 *
 * Backpressure contract:
 * - `push` always accepts the records it is given (they were already read off a socket; dropping
 *   them would lose data silently) and returns whether the caller may keep reading:
 *   false once the buffer is over `highWaterMark`.
 * - A caller that got false stops reading (e.g. `ws` pause) until `pressure$` emits false or
 *   `whenWritable()` resolves, which happens when the buffer drains under `lowWaterMark`.
 * - `hardLimit` is the bound for callers that do not stop: records past it are still accepted,
 *   counted (`stats().overLimitPushes`) and logged once per pressure episode, because the fault is
 *   the caller's and dropping would hide it. With obedient callers the buffer stays under
 *   highWaterMark + one frame per producer; the in-flight batch adds at most batchMaxRecords.
 * - A failed write is put back at the front and retried with capped exponential backoff; nothing
 *   is dropped, `flush()` waits for it.
 *
 * One write in flight, by design: a batch counts as committed (committed$, flush, stats) only once
 * the store says it is durable. Overlapping batch N's fsync with batch N+1's transaction would
 * need the store to report "committed" and "durable" apart, with failures surfacing at commit
 * (before N+1 starts, so order holds) and durable promises settling in order; not worth its
 * complexity while fsync is ~0.1 ms of a ~10 ms commit (see store/open.ts).
 */
import { BehaviorSubject, Subject, distinctUntilChanged, type Observable } from 'rxjs';
import type { MarketRecord } from '../records.js';
import type { HistoryStore } from '../store/types.js';
import { LatestCache, type LatestCacheReader } from './cache.js';
import { systemClock, type Clock, type TimerHandle } from '../time/clock.js';
import { ClockOffsetEstimator } from './clock-offset.js';
import { TradeDedup } from './dedup.js';
import { PipelineError } from './errors.js';
import { RecordQueue } from './record-queue.js';
import { REJECT_REASONS, isLate, validateRecord, type RejectReason, type ValidationContext } from './validate.js';

/** pino-compatible: a pino logger (or a child of it) fits as is */
export interface PipelineLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PipelineOptions {
  /** the sink; only writeBatch is used, so NATS or a fake fits too */
  store: Pick<HistoryStore, 'writeBatch'>;
  /**
   * the symbols whose history has a known hole right now (a gap window open or being backfilled),
   * asked at each write: the store keeps their resume point where it was (see TradeCursor)
   */
  openGaps?: () => ReadonlySet<string>;
  /** records per store transaction (default 5000) */
  batchMaxRecords?: number;
  /**
   * longest a record waits in the buffer before a partial batch is written (default 5 ms), counted
   * from its arrival even while a write is in flight
   */
  batchMaxDelayMs?: number;
  /** buffered records above which pressure turns on (default 50 000) */
  highWaterMark?: number;
  /** buffered records at or below which pressure turns off again (default highWaterMark / 2) */
  lowWaterMark?: number;
  /** buffered records past which pushes are counted and logged as overruns (default 4 × highWaterMark) */
  hardLimit?: number;
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
  /** first retry delay after a failed write (default 250 ms), doubling up to maxRetryDelayMs (default 30 s) */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /**
   * Told when store writes start failing (`failing` true, with the error) and when a write
   * succeeds again (false): the owner raises and resolves an alert. Called on changes only.
   */
  onWriteHealth?: (failing: boolean, error?: unknown) => void;
  clock?: Clock;
  logger?: PipelineLogger;
}

export interface CommittedBatch {
  /** the batch as handed to the store (oldest first) */
  records: readonly MarketRecord[];
  written: number;
  /** already in the store: not stored again */
  duplicates: number;
}

export interface PipelineStats {
  /** waiting in the buffer */
  buffered: number;
  /** in the transaction being written */
  inFlight: number;
  /** newly stored, since start */
  committed: number;
  /** dropped by the dedup window plus refused by the store as already stored */
  duplicates: number;
  dedupDropped: number;
  storeDuplicates: number;
  rejected: Readonly<Record<RejectReason, number>>;
  rejectedTotal: number;
  /** live records kept although they arrived more than maxClockSkewMs after their exchange timestamp */
  late: number;
  /**
   * the venue's measured clock offset in ms: median of localTimestamp − timestamp over recent
   * live frames (network delay plus how far our clock is ahead); absent before enough frames
   */
  clockOffsetMs?: number;
  batches: number;
  writeErrors: number;
  /** the last write failed and its batch waits for a retry */
  writeFailing: boolean;
  overLimitPushes: number;
  pressure: boolean;
}

export type RecordOrigin = 'live' | 'backfill';

export interface SubmitResult {
  /** the records that passed validation and dedup (the input array itself when all did) */
  accepted: readonly MarketRecord[];
  /** false when the caller must stop reading until pressure$ is false (push's answer) */
  writable: boolean;
}

export interface Pipeline {
  /**
   * Takes ownership of `records` (do not mutate the array afterwards). Returns false when the
   * caller must stop reading until pressure$ is false. Throws TV_ERR_PIPELINE_CLOSED after close().
   */
  push(records: readonly MarketRecord[], origin?: RecordOrigin): boolean;
  /**
   * push, also telling which records were accepted: what follows validation (gap accounting)
   * must see only those, or a refused record would count as received and never be backfilled
   */
  submit(records: readonly MarketRecord[], origin?: RecordOrigin): SubmitResult;
  /** the venue's measured clock offset (see PipelineStats.clockOffsetMs) */
  clockOffsetMs(): number | undefined;
  /** the records that passed validation and dedup, one array per push */
  readonly records$: Observable<readonly MarketRecord[]>;
  readonly committed$: Observable<CommittedBatch>;
  /** current value on subscribe, then changes only */
  readonly pressure$: Observable<boolean>;
  /** live counts by reject reason */
  readonly rejected: Readonly<Record<RejectReason, number>>;
  readonly cache: LatestCacheReader;
  stats(): PipelineStats;
  /** resolves when pressure is off (at once when it already is) */
  whenWritable(): Promise<void>;
  /** resolves once everything pushed before the call is committed */
  flush(): Promise<void>;
  /**
   * Refuses further pushes, flushes, completes the observables. Does not close the store (its
   * owner does). While the store keeps failing this keeps waiting: bound it from outside if needed.
   */
  close(): Promise<void>;
  /**
   * Gives up on what is not stored yet: a shutdown past its deadline while the store refuses
   * writes. Drops the buffer, stops retrying, lets every flush and close waiting resolve, and
   * completes the observables. Returns how many records were given up (never silently: the caller
   * says so).
   */
  abandon(): number;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const clock = options.clock ?? systemClock;
  const { store, logger } = options;
  const batchMaxRecords = options.batchMaxRecords ?? 5000;
  const batchMaxDelayMs = options.batchMaxDelayMs ?? 5;
  const highWaterMark = options.highWaterMark ?? 50_000;
  const lowWaterMark = options.lowWaterMark ?? Math.floor(highWaterMark / 2);
  const hardLimit = options.hardLimit ?? highWaterMark * 4;
  const retryDelayMs = options.retryDelayMs ?? 250;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  if (!(batchMaxRecords >= 1 && lowWaterMark < highWaterMark && highWaterMark <= hardLimit && lowWaterMark >= 0)) {
    throw new PipelineError(
      'TV_ERR_PIPELINE_OPTIONS',
      `need batchMaxRecords ≥ 1 and 0 ≤ lowWaterMark < highWaterMark ≤ hardLimit (got ${batchMaxRecords}, ${lowWaterMark}, ${highWaterMark}, ${hardLimit})`,
    );
  }
  // live and backfilled records share the bounds: a late live trade is as genuine as an old
  // backfilled one (only lateness is counted, for live records)
  const live: ValidationContext = {
    now: 0,
    maxClockSkewMs: options.maxClockSkewMs ?? 60_000,
    maxAgeMs: options.backfillMaxAgeMs ?? 7 * 24 * 3_600_000,
    clockAheadMs: 0,
    ...(options.knownSymbols ? { knownSymbols: options.knownSymbols } : {}),
  };
  const backfill: ValidationContext = { ...live };
  const maxClockAheadMs = options.maxClockAheadMs ?? 10 * 60_000;
  const clockOffset = new ClockOffsetEstimator();

  const dedup = new TradeDedup({ ...(options.dedupWindowPerSymbol ? { windowPerSymbol: options.dedupWindowPerSymbol } : {}) });
  const cache = new LatestCache();
  const queue = new RecordQueue();
  const records$ = new Subject<readonly MarketRecord[]>();
  const committed$ = new Subject<CommittedBatch>();
  const pressure$ = new BehaviorSubject<boolean>(false);
  const rejected = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;

  let accepted = 0; // records ever queued
  let settled = 0; // records ever handed to the store and committed (written or duplicate)
  let committed = 0;
  let storeDuplicates = 0;
  let dedupDropped = 0;
  let late = 0;
  let batches = 0;
  let writeErrors = 0;
  let overLimitPushes = 0;
  let overLimitLogged = false;
  let inFlight = 0;
  let writing = false;
  let closed = false;
  /** abandon() was called: nothing more is written, retried or reported */
  let abandoned = false;
  let delayTimer: TimerHandle | undefined;
  let delayElapsed = false;
  let retryTimer: TimerHandle | undefined;
  let retryDelay = retryDelayMs;
  let writeFailing = false;
  const flushWaiters: { target: number; resolve: () => void }[] = [];
  let writableWaiters: (() => void)[] = [];

  /**
   * One sample per live frame, taken before validation: a venue whose clock runs ahead has its
   * first frames refused until the median learns it, and would never be learned from accepted
   * records only. REST records are not sampled: their localTimestamp is the fetch time.
   */
  function sampleClock(records: readonly MarketRecord[]): void {
    const first = records[0];
    if (first !== undefined) clockOffset.sample(first.localTimestamp - first.timestamp);
    const offset = clockOffset.offsetMs;
    const ahead = offset === undefined || offset >= 0 ? 0 : Math.min(-offset, maxClockAheadMs);
    live.clockAheadMs = ahead;
    backfill.clockAheadMs = ahead;
  }

  /** validate, dedup and cache one pushed array; returns the records to queue (the input when all pass) */
  function admit(records: readonly MarketRecord[], ctx: ValidationContext): readonly MarketRecord[] {
    ctx.now = clock.now();
    const countLate = ctx === live;
    let kept: MarketRecord[] | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as MarketRecord;
      const reason = validateRecord(r, ctx);
      let keep = reason === undefined;
      if (!keep) rejected[reason as RejectReason]++;
      else if (r.type === 'trade' && !dedup.admit(r)) {
        dedupDropped++;
        keep = false;
      } else if (countLate && isLate(r, ctx)) late++;
      if (keep) {
        cache.update(r);
        kept?.push(r);
      } else if (kept === undefined) {
        kept = records.slice(0, i) as MarketRecord[]; // first drop: copy what passed so far
      }
    }
    return kept ?? records;
  }

  function setPressure(on: boolean): void {
    if (pressure$.value === on) return;
    pressure$.next(on);
    if (!on) {
      overLimitLogged = false;
      const waiters = writableWaiters;
      writableWaiters = [];
      for (const w of waiters) w();
    }
  }

  function submit(records: readonly MarketRecord[], origin: RecordOrigin = 'live'): SubmitResult {
    if (closed) throw new PipelineError('TV_ERR_PIPELINE_CLOSED', 'push after close');
    if (origin === 'live') sampleClock(records);
    const kept = admit(records, origin === 'backfill' ? backfill : live);
    if (kept.length > 0) {
      queue.push(kept);
      accepted += kept.length;
      records$.next(kept);
      if (queue.length > highWaterMark) setPressure(true);
      if (queue.length > hardLimit) {
        overLimitPushes++;
        if (!overLimitLogged) {
          overLimitLogged = true;
          logger?.warn({ buffered: queue.length, hardLimit }, 'pipeline buffer past its hard limit: a producer ignores pressure');
        }
      }
      schedule();
    }
    return { accepted: kept, writable: !pressure$.value };
  }

  function push(records: readonly MarketRecord[], origin: RecordOrigin = 'live'): boolean {
    return submit(records, origin).writable;
  }

  /**
   * Starts a write when one is due, else makes sure the delay timer runs. The timer runs while a
   * write is in flight too: it measures how long the oldest buffered record has waited, so records
   * that arrived during a commit go out as soon as it ends once their delay is up, instead of
   * waiting a fresh batchMaxDelayMs after it (that added a whole delay to every commit's wait).
   */
  function schedule(): void {
    if (abandoned || retryTimer !== undefined || queue.length === 0) return;
    if (!writing && (queue.length >= batchMaxRecords || delayElapsed || flushWaiters.length > 0)) {
      startWrite();
    } else if (delayTimer === undefined && !delayElapsed) {
      delayTimer = clock.setTimeout(onDelay, batchMaxDelayMs);
    }
  }

  function onDelay(): void {
    delayTimer = undefined;
    delayElapsed = true;
    schedule();
  }

  function startWrite(): void {
    if (delayTimer !== undefined) {
      clock.clearTimeout(delayTimer);
      delayTimer = undefined;
    }
    delayElapsed = false;
    const batch = queue.take(batchMaxRecords);
    writing = true;
    inFlight = batch.length;
    if (queue.length <= lowWaterMark) setPressure(false);
    // the records left behind get a fresh delay from now: they may wait up to one delay longer
    // than their arrival says, which keeps per-record arrival times out of the queue (under a
    // burst they fill the next batch anyway)
    if (queue.length > 0) schedule();
    let result: Promise<{ written: number; duplicates: number }>;
    try {
      result = options.openGaps ? store.writeBatch(batch, { openGaps: options.openGaps() }) : store.writeBatch(batch);
    } catch (error) {
      result = Promise.reject(error); // a sink that throws synchronously is treated like one that rejects
    }
    result.then(
      (res) => onCommitted(batch, res.written, res.duplicates),
      (error: unknown) => onWriteFailed(batch, error),
    );
  }

  function onCommitted(batch: readonly MarketRecord[], written: number, duplicates: number): void {
    if (abandoned) return;
    writing = false;
    inFlight = 0;
    retryDelay = retryDelayMs;
    if (writeFailing) {
      writeFailing = false;
      options.onWriteHealth?.(false);
    }
    batches++;
    committed += written;
    storeDuplicates += duplicates;
    settled += batch.length;
    committed$.next({ records: batch, written, duplicates });
    while (flushWaiters.length > 0 && (flushWaiters[0] as { target: number }).target <= settled) {
      (flushWaiters.shift() as { resolve: () => void }).resolve();
    }
    schedule();
  }

  /**
   * The batch goes back to the front (order kept, nothing acknowledged is dropped) and is retried
   * with capped backoff. Until a write succeeds nothing else is written, so the buffer grows and
   * the usual pressure (highWaterMark) slows the producers: a full disk slows intake instead of
   * losing records or growing memory without bound.
   */
  function onWriteFailed(batch: readonly MarketRecord[], error: unknown): void {
    if (abandoned) return;
    writing = false;
    inFlight = 0;
    writeErrors++;
    queue.unshift(batch);
    if (queue.length > highWaterMark) setPressure(true);
    const reason = error instanceof Error ? error.message : String(error);
    logger?.error({ reason, code: (error as { code?: unknown } | null)?.code, records: batch.length, buffered: queue.length, retryInMs: retryDelay }, 'store write failed; batch kept for retry');
    if (!writeFailing) {
      writeFailing = true;
      options.onWriteHealth?.(true, error);
    }
    retryTimer = clock.setTimeout(() => {
      retryTimer = undefined;
      delayElapsed = true; // the retried batch has waited long enough already
      schedule();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, maxRetryDelayMs);
  }

  function flush(): Promise<void> {
    const target = accepted;
    if (settled >= target) return Promise.resolve();
    return new Promise((resolve) => {
      flushWaiters.push({ target, resolve });
      schedule();
    });
  }

  return {
    push,
    submit,
    clockOffsetMs: () => clockOffset.offsetMs,
    records$: records$.asObservable(),
    committed$: committed$.asObservable(),
    pressure$: pressure$.pipe(distinctUntilChanged()),
    rejected,
    cache,
    stats: () => ({
      buffered: queue.length,
      inFlight,
      committed,
      duplicates: dedupDropped + storeDuplicates,
      dedupDropped,
      storeDuplicates,
      rejected: { ...rejected },
      rejectedTotal: REJECT_REASONS.reduce((n, r) => n + rejected[r], 0),
      late,
      ...(clockOffset.offsetMs !== undefined ? { clockOffsetMs: clockOffset.offsetMs } : {}),
      batches,
      writeErrors,
      writeFailing,
      overLimitPushes,
      pressure: pressure$.value,
    }),
    whenWritable: () => (pressure$.value ? new Promise<void>((resolve) => writableWaiters.push(resolve)) : Promise.resolve()),
    flush,
    async close() {
      if (closed) return flush();
      closed = true;
      await flush();
      finish();
    },
    abandon() {
      if (abandoned) return 0;
      abandoned = true;
      closed = true;
      const given = queue.length + inFlight;
      queue.take(queue.length);
      inFlight = 0;
      writing = false;
      if (retryTimer !== undefined) clock.clearTimeout(retryTimer);
      retryTimer = undefined;
      for (const w of flushWaiters.splice(0)) w.resolve();
      finish();
      return given;
    },
  };

  function finish(): void {
    if (delayTimer !== undefined) clock.clearTimeout(delayTimer);
    delayTimer = undefined;
    // completing twice is a no-op: abandon() after close() is safe
    records$.complete();
    committed$.complete();
    pressure$.complete();
  }
}
