/**
 * The batch writer: the bounded buffer between admission and the store sink. Turns admitted
 * arrays into batches of at most `batchMaxRecords`, written one transaction at a time when a batch
 * is full, when the oldest buffered record has waited `batchMaxDelayMs`, or when a flush waits.
 * Owns backpressure (high/low water, hard limit) and retries a failed write with capped
 * exponential backoff. All waiting is on the injected clock.
 *
 * The buffer is hand-written because RxJS's buffering operators (bufferTime, concatMap) queue
 * without bound and cannot tell a producer to stop.
 *
 * One write in flight, by design: a batch counts as committed (committed$, flush, stats) only once
 * the store says it is durable. Overlapping batch N's fsync with batch N+1's transaction would
 * need the store to report "committed" and "durable" apart, with failures surfacing at commit
 * (before N+1 starts, so order holds) and durable promises settling in order; not worth its
 * complexity while fsync is ~0.1–0.3 ms of a 1–3 ms commit (see store/open.ts).
 */
import { BehaviorSubject, Subject } from '../rx.js';
import type { MarketRecord } from '../records.js';
import type { TradeRows } from '../store/types.js';
import type { Clock, TimerHandle } from '../time/clock.js';
import { batchDelayMs } from './batch-delay.js';
import { RecordQueue } from './record-queue.js';
import type { StoreSink } from './store-sink.js';
import type { TakenBatch } from './taken-batch.js';

/** pino-compatible: a pino logger (or a child of it) fits as is */
export interface PipelineLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface CommittedBatch {
  /** the batch as handed to the store (oldest first): equal to the records pushed, not the same objects (record-queue.ts) */
  records: readonly MarketRecord[];
  /**
   * the same rows as columns, when the batch is trades of one venue held as columns (taken-batch.ts):
   * read these instead of `records` and no record object is made per trade
   */
  trades?: TradeRows;
  written: number;
  /** already in the store: not stored again */
  duplicates: number;
}

export interface BatchWriterOptions {
  sink: StoreSink;
  clock: Clock;
  batchMaxRecords: number;
  batchMaxDelayMs: number;
  /**
   * the longest a partial batch waits while the process is saturated (batch-delay.ts); with
   * `busy` unset, or not above batchMaxDelayMs, the delay is always batchMaxDelayMs
   */
  batchBusyDelayMs?: number;
  /** the fraction of recent wall time the process was busy, 0–1 (the runtime measures the event loop's) */
  busy?: () => number;
  highWaterMark: number;
  lowWaterMark: number;
  hardLimit: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  onWriteHealth?: (failing: boolean, error?: unknown) => void;
  /**
   * a commit not settled (neither stored nor failed) after this long is reported: logged, and the
   * writes counted as failing (onWriteHealth) until it settles (default 30 s). It is not written
   * again meanwhile: it may still land.
   */
  commitStallMs?: number;
  /** told of each admitted array once it is queued, before pressure is judged (the pipeline's records$) */
  onQueued?: (records: readonly MarketRecord[]) => void;
  logger?: PipelineLogger;
}

interface FlushWaiter {
  target: number;
  resolve: () => void;
}

export class BatchWriter {
  readonly committed$ = new Subject<CommittedBatch>();
  readonly pressure$ = new BehaviorSubject<boolean>(false);
  /** newly stored, since start */
  committed = 0;
  storeDuplicates = 0;
  batches = 0;
  writeErrors = 0;
  overLimitPushes = 0;
  /** in the transaction being written */
  inFlight = 0;
  /** the batch being written */
  private writingBatch: TakenBatch | undefined;
  /** the last write failed and its batch waits for a retry */
  writeFailing = false;

  private readonly queue = new RecordQueue();
  /**
   * pressure$'s value, kept beside it: asked once per pushed frame, and BehaviorSubject's getter
   * (closed and error checks) showed in the burst profile (~14 ms per 300k frames)
   */
  private pressureOn = false;
  private accepted = 0; // records ever queued
  private settled = 0; // records ever handed to the store and committed (written or duplicate)
  private overLimitLogged = false;
  private writing = false;
  /** abandon() was called: nothing more is written, retried or reported */
  private abandoned = false;
  private delayTimer: TimerHandle | undefined;
  private delayElapsed = false;
  private retryTimer: TimerHandle | undefined;
  /** armed while a commit is in flight: fires when it takes longer than commitStallMs */
  private stallTimer: TimerHandle | undefined;
  /** when the commit in flight started, and whether it was reported stalled */
  private writeStartedAt = 0;
  private stalled = false;
  private retryDelay: number;
  private readonly flushWaiters: FlushWaiter[] = [];
  private writableWaiters: (() => void)[] = [];
  // bound once: the timers and the store's promise get the same functions every time
  private readonly onDelay = (): void => {
    this.delayTimer = undefined;
    this.delayElapsed = true;
    this.schedule();
  };
  private readonly onStall = (): void => {
    this.stallTimer = undefined;
    if (!this.writing || this.abandoned) return;
    this.stalled = true;
    const waitedMs = this.o.clock.now() - this.writeStartedAt;
    this.o.logger?.error({ records: this.inFlight, buffered: this.queue.length, waitedMs }, 'store commit has not finished (neither stored nor failed): the store may be stuck');
    if (!this.writeFailing) {
      this.writeFailing = true;
      this.o.onWriteHealth?.(true, new Error(`a store commit has not finished after ${waitedMs} ms`));
    }
  };
  private readonly onRetry = (): void => {
    this.retryTimer = undefined;
    this.delayElapsed = true; // the retried batch has waited long enough already
    this.schedule();
  };

  constructor(private readonly o: BatchWriterOptions) {
    this.retryDelay = o.retryDelayMs;
  }

  /** waiting in the buffer */
  get buffered(): number {
    return this.queue.length;
  }

  get pressure(): boolean {
    return this.pressureOn;
  }

  /**
   * Queues an admitted, non-empty array (taking ownership of it). Always accepts: the records
   * were already read off a socket. Turns pressure on past highWaterMark; past hardLimit the push
   * is counted and logged once per pressure episode, because the producer ignores pressure.
   */
  enqueue(records: readonly MarketRecord[]): void {
    this.queue.push(records);
    this.accepted += records.length;
    this.o.onQueued?.(records);
    if (this.queue.length > this.o.highWaterMark) this.setPressure(true);
    if (this.queue.length > this.o.hardLimit) {
      this.overLimitPushes++;
      if (!this.overLimitLogged) {
        this.overLimitLogged = true;
        this.o.logger?.warn({ buffered: this.queue.length, hardLimit: this.o.hardLimit }, 'pipeline buffer past its hard limit: a producer ignores pressure');
      }
    }
    this.schedule();
  }

  /**
   * The oldest exchange time among the trades held and not committed yet, buffered or being
   * written (Infinity: none). What a cluster node's published cursors must stay below: a trade
   * still here has not reached the stream (docs/cluster.md, cursors).
   */
  oldestPendingTradeTime(): number {
    return Math.min(this.queue.oldestTradeTime(), this.writingBatch?.oldestTradeTime() ?? Infinity);
  }

  /** resolves when pressure is off (at once when it already is) */
  whenWritable(): Promise<void> {
    return this.pressureOn ? new Promise<void>((resolve) => this.writableWaiters.push(resolve)) : Promise.resolve();
  }

  /** resolves once everything queued before the call is committed */
  flush(): Promise<void> {
    const target = this.accepted;
    if (this.settled >= target) return Promise.resolve();
    return new Promise((resolve) => {
      this.flushWaiters.push({ target, resolve });
      this.schedule();
    });
  }

  /** gives up on what is not stored: returns how many records that was (see Pipeline.abandon) */
  abandon(): number {
    if (this.abandoned) return 0;
    this.abandoned = true;
    const given = this.queue.length + this.inFlight;
    this.queue.clear();
    this.inFlight = 0;
    this.writingBatch = undefined;
    this.writing = false;
    if (this.retryTimer !== undefined) this.o.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.clearStall();
    for (const w of this.flushWaiters.splice(0)) w.resolve();
    return given;
  }

  /** stops the delay timer and completes the observables; completing twice is a no-op */
  finish(): void {
    if (this.delayTimer !== undefined) this.o.clock.clearTimeout(this.delayTimer);
    this.delayTimer = undefined;
    this.committed$.complete();
    this.pressure$.complete();
  }

  private setPressure(on: boolean): void {
    if (this.pressureOn === on) return;
    this.pressureOn = on;
    this.pressure$.next(on);
    if (!on) {
      this.overLimitLogged = false;
      const waiters = this.writableWaiters;
      this.writableWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Starts a write when one is due, else makes sure the delay timer runs. The timer runs while a
   * write is in flight too: it measures how long the oldest buffered record has waited, so records
   * that arrived during a commit go out as soon as it ends once their delay is up, instead of
   * waiting a fresh batchMaxDelayMs after it (that added a whole delay to every commit's wait).
   */
  private schedule(): void {
    if (this.abandoned || this.retryTimer !== undefined || this.queue.length === 0) return;
    if (!this.writing && (this.queue.length >= this.o.batchMaxRecords || this.delayElapsed || this.flushWaiters.length > 0)) {
      this.startWrite();
    } else if (this.delayTimer === undefined && !this.delayElapsed) {
      this.delayTimer = this.o.clock.setTimeout(this.onDelay, this.delayMs());
    }
  }

  private delayMs(): number {
    const { busy, batchBusyDelayMs, batchMaxDelayMs } = this.o;
    return busy === undefined || batchBusyDelayMs === undefined ? batchMaxDelayMs : batchDelayMs(batchMaxDelayMs, batchBusyDelayMs, busy());
  }

  private startWrite(): void {
    if (this.delayTimer !== undefined) {
      this.o.clock.clearTimeout(this.delayTimer);
      this.delayTimer = undefined;
    }
    this.delayElapsed = false;
    const batch = this.queue.take(this.o.batchMaxRecords);
    this.writing = true;
    this.inFlight = batch.length;
    this.writingBatch = batch;
    if (this.queue.length <= this.o.lowWaterMark) this.setPressure(false);
    // the records left behind get a fresh delay from now: they may wait up to one delay longer
    // than their arrival says, which keeps per-record arrival times out of the queue (under a
    // burst they fill the next batch anyway)
    if (this.queue.length > 0) this.schedule();
    this.writeStartedAt = this.o.clock.now();
    this.stallTimer = this.o.clock.setTimeout(this.onStall, this.o.commitStallMs ?? 30_000);
    this.o.sink(batch).then(
      (res) => this.onCommitted(batch, res.written, res.duplicates),
      (error: unknown) => this.onWriteFailed(batch, error),
    );
  }

  /** the commit in flight settled (or was given up): its stall timer goes; a stall reported is said to be over */
  private clearStall(): void {
    if (this.stallTimer !== undefined) this.o.clock.clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    if (this.stalled) {
      this.stalled = false;
      this.o.logger?.warn({ waitedMs: this.o.clock.now() - this.writeStartedAt }, 'the store commit that had not finished has settled');
    }
  }

  private onCommitted(batch: TakenBatch, written: number, duplicates: number): void {
    if (this.abandoned) return;
    this.clearStall();
    this.writing = false;
    this.inFlight = 0;
    this.writingBatch = undefined;
    this.retryDelay = this.o.retryDelayMs;
    if (this.writeFailing) {
      this.writeFailing = false;
      this.o.onWriteHealth?.(false);
    }
    this.batches++;
    this.committed += written;
    this.storeDuplicates += duplicates;
    this.settled += batch.length;
    // the records are made only when a subscriber reads them (taken-batch.ts)
    if (this.committed$.observed) this.committed$.next({ get records() { return batch.records; }, ...(batch.trades !== undefined && { trades: batch.trades }), written, duplicates });
    while (this.flushWaiters.length > 0 && (this.flushWaiters[0] as FlushWaiter).target <= this.settled) {
      (this.flushWaiters.shift() as FlushWaiter).resolve();
    }
    this.schedule();
  }

  /**
   * The batch goes back to the front (order kept, nothing acknowledged is dropped) and is retried
   * with capped backoff. Until a write succeeds nothing else is written, so the buffer grows and
   * the usual pressure (highWaterMark) slows the producers: a full disk slows intake instead of
   * losing records or growing memory without bound.
   */
  private onWriteFailed(batch: TakenBatch, error: unknown): void {
    if (this.abandoned) return;
    this.clearStall();
    this.writing = false;
    this.inFlight = 0;
    this.writingBatch = undefined;
    this.writeErrors++;
    this.queue.unshift(batch.records);
    if (this.queue.length > this.o.highWaterMark) this.setPressure(true);
    const reason = error instanceof Error ? error.message : String(error);
    this.o.logger?.error(
      { reason, code: (error as { code?: unknown } | null)?.code, records: batch.length, buffered: this.queue.length, retryInMs: this.retryDelay },
      'store write failed; batch kept for retry',
    );
    if (!this.writeFailing) {
      this.writeFailing = true;
      this.o.onWriteHealth?.(true, error);
    }
    this.retryTimer = this.o.clock.setTimeout(this.onRetry, this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, this.o.maxRetryDelayMs);
  }
}
