/**
 * BookSink: what the live path hands its book records to (`write`), off the hot path. Records are
 * buffered and committed in batches, one LMDB transaction each, on a small timer of the injected
 * clock or at once when a batch is full. One commit in flight at a time, so records are stored in
 * the order written.
 *
 * A failing disk never throws out of here: a failed commit (or a fault gate's refusal) puts the
 * batch back in front of the buffer to be tried again on the next tick, and the buffer is bounded:
 * past `maxPendingLevels` it sheds whole runs of a symbol's records and stores a `resync` in their
 * place (shed.ts), so the stored history never pretends a continuity it lost.
 *
 * Use: `const books = new BookSink(store.env, { clock, faultGate })` beside the history store (the
 * same fault gate as the store's, so a `store-full` fault reaches books too), `books.write(records)`
 * from the live path, and `await books.close()` before `store.close()` (a closed environment fails
 * every later commit). The sink keeps the records it is given until they are committed: a caller
 * must not change a record (or its level arrays) after handing it over.
 */
import type { RootDatabase } from 'lmdb';
import type { BookRecord } from '../../records.js';
import { backgroundClock, type Clock, type TimerHandle } from '../../time/clock.js';
import type { StoreFaultGate } from '../fault-gate.js';
import { appendBookRecords, BookKeyCache, bookRecordStorable } from './write.js';
import { openBookDbs, type BookDbs } from './keys.js';
import { bookSymbolId, bookWeight, shedBooks } from './shed.js';

export interface BookSinkOptions {
  /** timers and nothing else (default: real time, timers that keep no process alive: close() flushes) */
  clock?: Clock;
  /** how long records gather before a commit; default 200 ms */
  flushMs?: number;
  /** a batch this many records long is committed without waiting for the timer; default 5 000 */
  batchMaxRecords?: number;
  /**
   * levels (+1 per record) held at most, committing included; default 2 000 000 (~100 MB). Past it
   * the sink sheds down to three quarters of it; only a symbol down to one resync and one snapshot
   * cannot shed more, so the bound may be passed by at most one snapshot per symbol.
   */
  maxPendingLevels?: number;
  /** fault scenarios: while the gate says so, commits fail as on a full disk */
  faultGate?: StoreFaultGate;
  /** false only in tests (noSync stores): "committed" then means visible, not flushed to disk */
  durable?: boolean;
  /** a failed commit, a refused record: reported, never thrown */
  onError?: (error: unknown) => void;
}

export interface BookSinkStats {
  /** records committed */
  written: number;
  batches: number;
  failedCommits: number;
  /** records dropped because the buffer was full (or a symbol was broken by that) */
  shed: number;
  /** resyncs stored in place of shed records */
  shedResyncs: number;
  /** records refused as unstorable (non-finite numbers, unknown kind...) */
  refused: number;
  /** records lost because the sink was closed while commits were failing */
  lostAtClose: number;
}

const SHED_REASON = 'store writer behind: book records dropped';

export class BookSink {
  readonly stats: BookSinkStats = { written: 0, batches: 0, failedCommits: 0, shed: 0, shedResyncs: 0, refused: 0, lostAtClose: 0 };
  private readonly dbs: BookDbs;
  private readonly keys = new BookKeyCache();
  private readonly clock: Clock;
  private readonly flushMs: number;
  private readonly batchMax: number;
  private readonly maxLevels: number;
  private pending: BookRecord[] = [];
  private pendingLevels = 0;
  /** levels of the batch being committed: part of the bound */
  private committingLevels = 0;
  /** symbols whose newest records were shed: their updates are dropped until a snapshot */
  private readonly broken = new Set<string>();
  private timer: TimerHandle | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** a commit round is queued behind `writing` and not started: it will take what is pending then */
  private queued = false;
  /** the last commit failed: retries wait for the timer, however full the buffer */
  private failing = false;
  private closed = false;

  constructor(private readonly env: RootDatabase, private readonly options: BookSinkOptions = {}) {
    this.dbs = openBookDbs(env);
    this.clock = options.clock ?? backgroundClock;
    this.flushMs = options.flushMs ?? 200;
    this.batchMax = options.batchMaxRecords ?? 5_000;
    this.maxLevels = options.maxPendingLevels ?? 2_000_000;
  }

  /** the last commit failed (a full disk, the fault gate): what is held waits for the next try */
  get writeFailing(): boolean {
    return this.failing;
  }

  /** records held, not yet committed */
  get pendingRecords(): number {
    return this.pending.length;
  }

  /** levels (+1 per record) held, the batch being committed included: what maxPendingLevels bounds */
  get heldLevels(): number {
    return this.pendingLevels + this.committingLevels;
  }

  /** Memory only; never throws, never waits. Records of one symbol must come in the order applied. */
  write(records: readonly BookRecord[]): void {
    if (this.closed) return;
    for (const r of records) {
      if (!bookRecordStorable(r)) {
        this.stats.refused++;
        continue;
      }
      if (this.broken.size > 0) {
        const id = bookSymbolId(r);
        if (this.broken.has(id)) {
          if (r.kind !== 'snapshot') {
            this.stats.shed++;
            continue;
          }
          this.broken.delete(id);
        }
      }
      this.pending.push(r);
      this.pendingLevels += bookWeight(r);
    }
    if (this.pendingLevels + this.committingLevels > this.maxLevels) this.shed();
    if (this.pending.length >= this.batchMax && !this.failing) void this.flush();
    else this.schedule();
  }

  /** resolves once what was pending is committed, or was tried and kept for the next try (a failing disk) */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0 || this.queued) return this.writing;
    this.queued = true;
    this.writing = this.writing.then(() => {
      this.queued = false;
      return this.commitPending();
    });
    return this.writing;
  }

  /** flushes (one last try) and stops; what a failing disk still refuses is counted in lostAtClose */
  async close(): Promise<void> {
    if (this.closed) return this.writing;
    await this.flush();
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.stats.lostAtClose += this.pending.length;
    this.pending = [];
    this.pendingLevels = 0;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.closed || this.pending.length === 0) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushMs);
  }

  /** over the bound: shed down to three quarters of it, so shedding is not paid on every write */
  private shed(): void {
    const target = Math.max(0, Math.floor(this.maxLevels * 0.75) - this.committingLevels);
    const result = shedBooks(this.pending, target, SHED_REASON);
    this.pending = result.pending;
    this.pendingLevels = 0;
    for (const r of this.pending) this.pendingLevels += bookWeight(r);
    this.stats.shed += result.dropped;
    this.stats.shedResyncs += result.resyncs;
    for (const id of result.broken) this.broken.add(id);
  }

  /** what is pending now, in batches of batchMaxRecords; stops at a failed commit (the timer tries again) */
  private async commitPending(): Promise<void> {
    let budget = this.pending.length;
    while (budget > 0 && this.pending.length > 0) {
      const n = Math.min(budget, this.batchMax, this.pending.length);
      budget -= n;
      if (!(await this.commitBatch(n))) break;
    }
    this.schedule();
  }

  private async commitBatch(n: number): Promise<boolean> {
    const batch = this.pending.slice(0, n);
    this.pending = this.pending.slice(n);
    let levels = 0;
    for (const r of batch) levels += bookWeight(r);
    this.pendingLevels -= levels;
    this.committingLevels = levels;
    try {
      const refused = this.options.faultGate?.failure();
      if (refused !== undefined) throw new Error(refused);
      // a child transaction: a throw half-way aborts what it wrote (a plain one would commit it)
      await this.dbs.records.childTransaction(() => appendBookRecords(this.dbs, this.keys, batch));
      if (this.options.durable !== false) await this.env.flushed;
      this.stats.written += batch.length;
      this.stats.batches++;
      this.failing = false;
      return true;
    } catch (error) {
      this.stats.failedCommits++;
      this.failing = true;
      // the keys this batch took may never have reached the disk: read them again next time
      this.keys.clear();
      this.pending = batch.concat(this.pending);
      this.pendingLevels += levels;
      this.report(error);
      return false;
    } finally {
      this.committingLevels = 0;
      if (this.pendingLevels > this.maxLevels) this.shed();
    }
  }

  private report(error: unknown): void {
    // lmdb-js rejects a second promise with the real cause; unhandled, it would end the process
    const commitError = (error as { commitError?: unknown } | null)?.commitError;
    if (commitError instanceof Promise) commitError.catch(() => undefined);
    this.options.onError?.(error);
  }
}
