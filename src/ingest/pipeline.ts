/**
 * The tick pipeline of one Collector, composed of its stages: admission (validate → dedup →
 * latest cache, admit.ts) → batch writer (bounded buffer, batches, backpressure, retry,
 * batch-writer.ts) → store sink (one transaction per batch, store-sink.ts), on one injected clock
 * (docs/architecture.md#data-path).
 *
 * Work is per pushed array (one per frame), never per-record observables or log lines. RxJS
 * carries what leaves the pipeline (accepted records, committed batches, pressure).
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
 */
import { Subject, distinctUntilChanged, type Observable } from '../rx.js';
import type { MarketRecord } from '../records.js';
import type { HistoryStore } from '../store/types.js';
import { systemClock, type Clock } from '../time/clock.js';
import { Admission, type RecordOrigin } from './admit.js';
import { BatchWriter, type CommittedBatch, type PipelineLogger } from './batch-writer.js';
import type { LatestCacheReader } from './cache.js';
import { PipelineError } from './errors.js';
import { storeSink, type OpenGaps } from './store-sink.js';
import type { RejectReason } from './validate.js';

export type { CommittedBatch, PipelineLogger, RecordOrigin };

export interface PipelineOptions {
  /**
   * the sink; only writeBatch is needed, so NATS or a fake fits too (writeTradeRows, when there,
   * takes the batches that are trades held as columns)
   */
  store: Pick<HistoryStore, 'writeBatch' | 'writeTradeRows'>;
  /**
   * the symbols whose history has a known hole right now (a gap window open or being backfilled),
   * asked at each write about that write's batch (its rows' symbols, one per row; only those are
   * looked up): the store keeps their resume point where it was (see TradeCursor)
   */
  openGaps?: OpenGaps;
  /** records per store transaction (default 5000) */
  batchMaxRecords?: number;
  /**
   * longest a record waits in the buffer before a partial batch is written (default 2 ms), counted
   * from its arrival even while a write is in flight
   */
  batchMaxDelayMs?: number;
  /**
   * the longest a partial batch waits while the process is saturated (default: batchMaxDelayMs,
   * i.e. never longer); needs `busy` (batch-delay.ts)
   */
  batchBusyDelayMs?: number;
  /** the fraction of recent wall time the process was busy, 0–1 (runtime/event-loop-busy.ts) */
  busy?: () => number;
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
  /**
   * first retry delay after a failed write (default 250 ms), doubling up to maxRetryDelayMs
   * (default 5 s: while writes fail the sockets are held, and a freed disk should be noticed within
   * seconds, not after a 30 s wait; a failed attempt costs one refused commit)
   */
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

export interface SubmitResult {
  /** the records that passed validation and dedup (the input array itself when all did) */
  accepted: readonly MarketRecord[];
  /** false when the caller must stop reading until pressure$ is false (push's answer) */
  writable: boolean;
}

export interface Pipeline {
  /**
   * Takes ownership of `records` (do not mutate the array afterwards), not of its trades: they
   * may be lent (transport/trade-pool.ts) and are copied by whatever keeps them. Returns false
   * when the caller must stop reading until pressure$ is false. Throws TV_ERR_PIPELINE_CLOSED
   * after close().
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
  /** the oldest exchange time among the trades held and not committed yet (Infinity: none) */
  oldestPendingTradeTime(): number;
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

/**
 * A record a subscriber may keep: trades pushed may be lent (transport/trade-pool.ts) and filled
 * again after the push, so records$ carries copies of them.
 */
function owned(r: MarketRecord): MarketRecord {
  return r.type === 'trade' ? { ...r } : r;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const clock = options.clock ?? systemClock;
  const batchMaxRecords = options.batchMaxRecords ?? 5000;
  const highWaterMark = options.highWaterMark ?? 50_000;
  const lowWaterMark = options.lowWaterMark ?? Math.floor(highWaterMark / 2);
  const hardLimit = options.hardLimit ?? highWaterMark * 4;
  if (!(batchMaxRecords >= 1 && lowWaterMark < highWaterMark && highWaterMark <= hardLimit && lowWaterMark >= 0)) {
    throw new PipelineError(
      'TV_ERR_PIPELINE_OPTIONS',
      `need batchMaxRecords ≥ 1 and 0 ≤ lowWaterMark < highWaterMark ≤ hardLimit (got ${batchMaxRecords}, ${lowWaterMark}, ${highWaterMark}, ${hardLimit})`,
    );
  }
  const admission = new Admission({
    clock,
    ...(options.maxClockSkewMs !== undefined ? { maxClockSkewMs: options.maxClockSkewMs } : {}),
    ...(options.backfillMaxAgeMs !== undefined ? { backfillMaxAgeMs: options.backfillMaxAgeMs } : {}),
    ...(options.maxClockAheadMs !== undefined ? { maxClockAheadMs: options.maxClockAheadMs } : {}),
    ...(options.knownSymbols ? { knownSymbols: options.knownSymbols } : {}),
    ...(options.dedupWindowPerSymbol ? { dedupWindowPerSymbol: options.dedupWindowPerSymbol } : {}),
  });
  const records$ = new Subject<readonly MarketRecord[]>();
  const writer = new BatchWriter({
    sink: storeSink(options.store, options.openGaps),
    clock,
    batchMaxRecords,
    batchMaxDelayMs: options.batchMaxDelayMs ?? 2,
    ...(options.batchBusyDelayMs !== undefined ? { batchBusyDelayMs: options.batchBusyDelayMs } : {}),
    ...(options.busy !== undefined ? { busy: options.busy } : {}),
    highWaterMark,
    lowWaterMark,
    hardLimit,
    retryDelayMs: options.retryDelayMs ?? 250,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 5_000,
    // Subject.next allocates per call (a closure, an iterator: ~90 bytes per frame, measured) even
    // with no one listening, which is the usual case: asked first
    onQueued: (records) => {
      if (records$.observed) records$.next(records.map(owned));
    },
    ...(options.onWriteHealth ? { onWriteHealth: options.onWriteHealth } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  let closed = false;

  function submit(records: readonly MarketRecord[], origin: RecordOrigin = 'live'): SubmitResult {
    if (closed) throw new PipelineError('TV_ERR_PIPELINE_CLOSED', 'push after close');
    const kept = admission.admit(records, origin);
    if (kept.length > 0) writer.enqueue(kept);
    return { accepted: kept, writable: !writer.pressure };
  }

  function finish(): void {
    writer.finish();
    records$.complete(); // completing twice is a no-op: abandon() after close() is safe
  }

  return {
    push: (records, origin = 'live') => submit(records, origin).writable,
    submit,
    clockOffsetMs: () => admission.clockOffsetMs,
    records$: records$.asObservable(),
    committed$: writer.committed$.asObservable(),
    pressure$: writer.pressure$.pipe(distinctUntilChanged()),
    rejected: admission.rejected,
    cache: admission.cache,
    stats: () => {
      const clockOffsetMs = admission.clockOffsetMs;
      return {
        buffered: writer.buffered,
        inFlight: writer.inFlight,
        committed: writer.committed,
        duplicates: admission.dedupDropped + writer.storeDuplicates,
        dedupDropped: admission.dedupDropped,
        storeDuplicates: writer.storeDuplicates,
        rejected: { ...admission.rejected },
        rejectedTotal: admission.rejectedTotal,
        late: admission.late,
        ...(clockOffsetMs !== undefined ? { clockOffsetMs } : {}),
        batches: writer.batches,
        writeErrors: writer.writeErrors,
        writeFailing: writer.writeFailing,
        overLimitPushes: writer.overLimitPushes,
        pressure: writer.pressure,
      };
    },
    oldestPendingTradeTime: () => writer.oldestPendingTradeTime(),
    whenWritable: () => writer.whenWritable(),
    flush: () => writer.flush(),
    async close() {
      if (closed) return writer.flush();
      closed = true;
      await writer.flush();
      finish();
    },
    abandon() {
      closed = true;
      const given = writer.abandon();
      finish(); // idempotent: a second abandon() gives up nothing more
      return given;
    },
  };
}
