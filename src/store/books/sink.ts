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
 * every later commit). Records are copied into per-symbol columns as they are written
 * (pending-run.ts), so the caller's objects die young and the GC never traces what is held.
 */
import type { RootDatabase } from 'lmdb';
import type { BookRecord, ExchangeId, Market } from '../../records.js';
import { backgroundClock, type Clock, type TimerHandle } from '../../time/clock.js';
import type { StoreFaultGate } from '../fault-gate.js';
import { openBookDbs, type BookDbs } from './keys.js';
import { PendingRun, type BookColumns } from './pending-run.js';
import { bookSymbolId, shedRuns, type SheddableRun } from './shed.js';
import { BookKeyCache, bookSymbolStorable, commitBookRuns } from './write.js';

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
  /**
   * After each commit that reached the disk (durable), the records it stored, one run per symbol
   * in stored order: what cluster mode publishes. Called from the commit's completion, never from
   * write(); the columns are the sink's own and are reused once the call returns, so a listener
   * copies (encodes) what it needs right there and holds nothing. A throw is counted, never passed on.
   */
  onCommitted?: (runs: readonly CommittedBookRun[]) => void;
}

/** one symbol's records of a commit: records [0, count) of `columns`, readable during the onCommitted call only */
export interface CommittedBookRun {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  columns: BookColumns;
  count: number;
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
  /** onCommitted calls that threw (the records are stored all the same) */
  listenerErrors: number;
}

const SHED_REASON = 'store writer behind: book records dropped';

export class BookSink {
  readonly stats: BookSinkStats = { written: 0, batches: 0, failedCommits: 0, shed: 0, shedResyncs: 0, refused: 0, lostAtClose: 0, listenerErrors: 0 };
  private readonly dbs: BookDbs;
  private readonly keys = new BookKeyCache();
  private readonly clock: Clock;
  private readonly flushMs: number;
  private readonly batchMax: number;
  private readonly maxLevels: number;
  /**
   * What is held, one run per symbol (kept once seen: a symbol's columns are reused from one commit
   * to the next), each with the count of its first records a commit in flight holds.
   */
  private readonly runs: SheddableRun[] = [];
  /** runs by symbol (the common case: a symbol on one venue), and by full id for the rest */
  private readonly bySymbol = new Map<string, SheddableRun>();
  private readonly byId = new Map<string, SheddableRun>();
  /** records held, the commit in flight's included */
  private held = 0;
  /** records the commit in flight holds */
  private committing = 0;
  /** weight (records + levels) held, the commit in flight's included: what maxPendingLevels bounds */
  private heldWeight = 0;
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
    return this.held;
  }

  /** levels (+1 per record) held, the batch being committed included: what maxPendingLevels bounds */
  get heldLevels(): number {
    return this.heldWeight;
  }

  /**
   * Memory only; never throws, never waits. Records of one symbol must come in the order applied.
   * Each record is copied into its symbol's columns at once (pending-run.ts): the sink keeps no
   * reference to it.
   */
  write(records: readonly BookRecord[]): void {
    if (this.closed) return;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (typeof r !== 'object' || r === null || r.type !== 'book') {
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
      const s = this.runFor(r);
      const before = s?.run.weight ?? 0;
      if (s === undefined || !s.run.push(r)) {
        this.stats.refused++;
        continue;
      }
      this.held++;
      this.heldWeight += s.run.weight - before;
    }
    if (this.heldWeight > this.maxLevels) this.shed();
    if (this.held - this.committing >= this.batchMax && !this.failing) void this.flush();
    else this.schedule();
  }

  /** resolves once what was pending is committed, or was tried and kept for the next try (a failing disk) */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.held === 0 || this.queued) return this.writing;
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
    this.stats.lostAtClose += this.held;
    for (const s of this.runs) s.run.clear();
    this.held = 0;
    this.heldWeight = 0;
  }

  /** the run of the record's symbol, made on its first record; undefined when no key could hold the symbol */
  private runFor(r: BookRecord): SheddableRun | undefined {
    const bySymbol = this.bySymbol.get(r.symbol);
    if (bySymbol !== undefined && bySymbol.run.exchange === r.exchange && bySymbol.run.market === r.market) return bySymbol;
    const id = bookSymbolId(r);
    const known = this.byId.get(id);
    if (known !== undefined) return known;
    if (!bookSymbolStorable(r)) return undefined;
    const s: SheddableRun = { run: new PendingRun(r.exchange, r.market, r.symbol, id), committing: 0 };
    this.runs.push(s);
    this.byId.set(id, s);
    if (bySymbol === undefined) this.bySymbol.set(r.symbol, s);
    return s;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.closed || this.held === 0) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushMs);
  }

  /** over the bound: shed down to three quarters of it, so shedding is not paid on every write */
  private shed(): void {
    let committingWeight = 0;
    for (const s of this.runs) committingWeight += s.committing + s.run.levelStart[s.committing]!;
    const target = Math.max(0, Math.floor(this.maxLevels * 0.75) - committingWeight);
    const result = shedRuns(this.runs, target, SHED_REASON);
    this.recount();
    this.stats.shed += result.dropped;
    this.stats.shedResyncs += result.resyncs;
    for (const id of result.broken) this.broken.add(id);
  }

  private recount(): void {
    this.held = 0;
    this.heldWeight = 0;
    for (const s of this.runs) {
      this.held += s.run.count;
      this.heldWeight += s.run.weight;
    }
  }

  /** what is pending now, in batches of batchMaxRecords; stops at a failed commit (the timer tries again) */
  private async commitPending(): Promise<void> {
    let budget = this.held;
    while (budget > 0 && this.held > 0) {
      const n = Math.min(budget, this.batchMax, this.held);
      budget -= n;
      if (!(await this.commitBatch(n))) break;
    }
    this.schedule();
  }

  /** commits up to `n` records, each run's oldest first */
  private async commitBatch(n: number): Promise<boolean> {
    let taken = 0;
    for (const s of this.runs) {
      s.committing = Math.min(s.run.count, n - taken);
      taken += s.committing;
    }
    this.committing = taken;
    try {
      const refused = this.options.faultGate?.failure();
      if (refused !== undefined) throw new Error(refused);
      await commitBookRuns(this.env, this.dbs, this.keys, this.runs, this.options.durable !== false);
      this.tellCommitted();
      for (const s of this.runs) {
        s.run.dropFront(s.committing);
        s.run.shrinkIfIdle();
        s.committing = 0;
      }
      this.stats.written += taken;
      this.stats.batches++;
      this.failing = false;
      return true;
    } catch (error) {
      this.stats.failedCommits++;
      this.failing = true;
      this.report(error);
      return false;
    } finally {
      for (const s of this.runs) s.committing = 0;
      this.committing = 0;
      this.recount();
      if (this.heldWeight > this.maxLevels) this.shed();
    }
  }

  /** the commit's records to the listener, before they are dropped from the runs */
  private tellCommitted(): void {
    const listener = this.options.onCommitted;
    if (listener === undefined) return;
    const committed: CommittedBookRun[] = [];
    for (const { run, committing } of this.runs) {
      if (committing > 0) committed.push({ exchange: run.exchange, market: run.market, symbol: run.symbol, columns: run, count: committing });
    }
    try {
      listener(committed);
    } catch {
      // what was stored stays stored: a listener's fault is its own, never a failed commit
      this.stats.listenerErrors++;
    }
  }

  private report(error: unknown): void {
    // lmdb-js rejects a second promise with the real cause; unhandled, it would end the process
    const commitError = (error as { commitError?: unknown } | null)?.commitError;
    if (commitError instanceof Promise) commitError.catch(() => undefined);
    this.options.onError?.(error);
  }
}
