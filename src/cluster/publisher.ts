/**
 * Publishes committed trades, tickers and book records into the JetStream stream
 * (docs/cluster.md#data). Trades: batches cut on exchange-time windows (window-batcher.ts), one
 * message per window and symbol. Tickers and book records: one message per symbol of each
 * committed batch, at once (a ticker is the latest state, a book record the next step of a book:
 * holding either for a window only delays it). Every message has a content-derived message id, so the
 * server drops a retry or a redundant node's identical copy and says so (PubAck.duplicate,
 * counted). A publish that fails is tried again with the same id, never dropped.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import type { ExchangeId, Market, Ticker, Trade } from '../records.js';
import type { TradeRows } from '../store/types.js';
import { cursorKey } from './cursors.js';
import type { Clock } from '../time/clock.js';
import { backgroundClock } from '../time/clock.js';
import { lowerFloor } from '../time/floors.js';
import { encodeTradeColumns } from './batch-codec.js';
import { bookRowsHash, encodeBookRows } from './book-codec.js';
import type { BookRows } from './book-feed.js';
import { bookBatchMsgId, bookSubject, tickerBatchMsgId, tickerSubject, tradeColumnsMsgId, tradeSubject } from './subjects.js';
import { encodeTickerBatch, tickerEventKey } from './ticker-codec.js';
import { LatenessWindow } from './lateness.js';
import { WindowBatcher, type ClosedWindow } from './window-batcher.js';

/** where batches go: JetStream in production, a fake in tests */
export interface PublishTarget {
  publish(subject: string, data: Uint8Array, msgId: string): Promise<{ duplicate: boolean }>;
}

export function jetStreamTarget(js: JetStreamClient, timeoutMs = 5_000): PublishTarget {
  return { publish: (subject, data, msgID) => js.publish(subject, data, { msgID, timeout: timeoutMs }) };
}

export interface PublisherOptions {
  /** exchange-time window per batch (default 50 ms) */
  windowMs?: number;
  /**
   * local time a window is held past its end for trades still on their way: 'measured' (the
   * default): the recent 99th percentile of how late committed trades reach the publisher, plus
   * 10 ms, at least 20 ms (lateness.ts); or a fixed number of ms. It adds to the latency to the
   * archive; a trade later than this still goes out, riding in its symbol's next window
   * (window-batcher.ts), which a redundant node's copy may not match (the archive's id guard then
   * keeps one). The published cursor stays below it until that window is acked (pendingFloors).
   */
  graceMs?: number | 'measured';
  /** trades held in open windows before the oldest go out early (default 200,000) */
  maxPendingTrades?: number;
  /** publishes awaiting their ack at once (default 256): JetStream pipelines them on one connection */
  maxInFlight?: number;
  /** first retry delay after a failed publish, doubled up to retryMaxMs (defaults 100 ms, 5 s) */
  retryMinMs?: number;
  retryMaxMs?: number;
  /**
   * bytes of book messages waiting to be sent at most (default 64 MB): past it the oldest waiting
   * ones are dropped and counted (bookRecordsDropped). The archive sees the hole by the records'
   * links and stores a resync there (book-archive.ts), never a book that skips it.
   */
  maxQueuedBookBytes?: number;
  /** wall clock for window closing; timers never keep the process alive */
  clock?: Clock;
  /** a trade batch the stream has (stored now, or already had: duplicate) */
  onAcked?(batch: ClosedWindow, duplicate: boolean): void;
}

export interface PublisherStats {
  /** trade batches acked */
  batches: number;
  trades: number;
  /** tickers acked */
  tickers: number;
  /** book records acked */
  bookRecords: number;
  /** book records dropped unsent: more were waiting than maxQueuedBookBytes (the stream not keeping up) */
  bookRecordsDropped: number;
  /** batches the stream already had (a retry, or another node's copy): not stored again */
  duplicatesDropped: number;
  /** publish attempts that failed and were retried */
  failedAttempts: number;
  /** trades not yet acked: in open windows, in flight or waiting to retry (tickers are not held back) */
  backlog: number;
}

interface Outgoing {
  /** the trade window it carries; undefined for a ticker message */
  batch: ClosedWindow | undefined;
  /** tickers it carries (0 for others) */
  tickers: number;
  /** book records it carries (0 for others) */
  books: number;
  subject: string;
  msgId: string;
  data: Uint8Array;
  attempts: number;
}

export class TradePublisher {
  private readonly batcher: WindowBatcher;
  private readonly queue: Outgoing[] = [];
  /** sent and not acked yet: in flight, or waiting to be retried */
  private readonly unacked = new Set<Outgoing>();
  private inFlight = 0;
  private inFlightTrades = 0;
  private queuedTrades = 0;
  private queuedBookBytes = 0;
  private timer: unknown;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly clock: Clock;
  private readonly windowMs: number;
  /** the fixed grace when configured; else it follows `lateness` */
  private readonly fixedGraceMs: number | undefined;
  private readonly lateness = new LatenessWindow();
  /** the grace the last hand-out used (the timer wakes at its phase) */
  private graceMs: number;
  private readonly maxInFlight: number;
  readonly stats: PublisherStats = { batches: 0, trades: 0, tickers: 0, bookRecords: 0, bookRecordsDropped: 0, duplicatesDropped: 0, failedAttempts: 0, backlog: 0 };

  constructor(
    private readonly target: PublishTarget,
    private readonly options: PublisherOptions = {},
  ) {
    this.clock = options.clock ?? backgroundClock;
    this.windowMs = options.windowMs ?? 50;
    this.fixedGraceMs = typeof options.graceMs === 'number' ? options.graceMs : undefined;
    this.graceMs = this.fixedGraceMs ?? this.lateness.graceMs(this.clock.now());
    this.maxInFlight = options.maxInFlight ?? 256;
    this.batcher = new WindowBatcher({ windowMs: this.windowMs, graceMs: this.graceMs, maxPendingTrades: options.maxPendingTrades ?? 200_000 });
  }

  /** committed trades (any symbols, any order) */
  push(trades: readonly Trade[]): void {
    this.batcher.add(trades);
    this.updateBacklog();
  }

  /** a committed batch's trades as columns (one venue, any symbols, any order): no record is made per trade */
  pushRows(rows: TradeRows): void {
    const now = this.clock.now();
    if (this.fixedGraceMs === undefined) this.lateness.observe(now, rows.columns.timestamps, rows.columns.length);
    this.batcher.addRows(rows, now, this.graceMs);
    this.updateBacklog();
  }

  /** committed tickers (any symbols; each symbol's in commit order): one message per symbol, sent now */
  pushTickers(tickers: readonly Ticker[]): void {
    if (tickers.length === 0 || this.closed) return;
    const bySymbol = new Map<string, Ticker[]>();
    for (const t of tickers) {
      const key = `${t.exchange}\u0000${t.market}\u0000${t.symbol}`;
      const group = bySymbol.get(key);
      if (group === undefined) bySymbol.set(key, [t]);
      else group.push(t);
    }
    for (const group of bySymbol.values()) {
      const { exchange, market, symbol } = group[0]!;
      this.queue.push({
        batch: undefined,
        tickers: group.length,
        books: 0,
        subject: tickerSubject(exchange, market, symbol),
        msgId: tickerBatchMsgId(exchange, market, symbol, group[0]!.timestamp, group.map(tickerEventKey)),
        data: encodeTickerBatch({ exchange, market, symbol, tickers: group }),
        attempts: 0,
      });
    }
    this.pump();
  }

  /**
   * Committed book records, one entry per symbol of a commit (book-feed.ts): one message each, sent
   * now. Not held back by backpressure and without a cursor, as tickers: a node taking a unit over
   * starts its books from a snapshot, there is nothing to backfill.
   */
  pushBooks(batches: readonly BookRows[]): void {
    if (this.closed) return;
    for (const { exchange, market, symbol, rows } of batches) {
      if (rows.length === 0) continue;
      const data = encodeBookRows(exchange, market, symbol, rows);
      this.queue.push({
        batch: undefined,
        tickers: 0,
        books: rows.length,
        subject: bookSubject(exchange, market, symbol),
        msgId: bookBatchMsgId(exchange, market, symbol, rows[0]![1], rows.length, bookRowsHash(rows)),
        data,
        attempts: 0,
      });
      this.queuedBookBytes += data.length;
    }
    this.shedBooks();
    this.pump();
  }

  /** over the bound: the oldest book messages not yet sent go (trades and tickers are never dropped here) */
  private shedBooks(): void {
    const max = this.options.maxQueuedBookBytes ?? 64 * 1024 * 1024;
    for (let i = 0; i < this.queue.length && this.queuedBookBytes > max; i++) {
      const out = this.queue[i]!;
      if (out.books === 0) continue;
      this.queue.splice(i--, 1);
      this.queuedBookBytes -= out.data.length;
      this.stats.bookRecordsDropped += out.books;
    }
  }

  /**
   * Closes due windows as they fall due. Every window ends on a multiple of the window length, so
   * all of them fall due at the same phase (the grace past such a multiple): the timer wakes up just
   * then, not every window length from whenever start() ran, which added up to one more window
   * length (0–50 ms) to each trade's way to the archive.
   */
  start(): void {
    const tick = () => {
      this.flushClosed();
      if (!this.closed) this.timer = this.clock.setTimeout(tick, this.untilNextDue());
    };
    this.timer = this.clock.setTimeout(tick, this.untilNextDue());
  }

  /** ms from now until the next moment windows fall due (1 ms past it: a timer rounded down must not come early) */
  private untilNextDue(): number {
    const phase = ((this.graceMs - this.clock.now()) % this.windowMs + this.windowMs) % this.windowMs;
    return (phase === 0 ? this.windowMs : phase) + 1;
  }

  /** publishes the windows that are due now */
  flushClosed(): void {
    const now = this.clock.now();
    if (this.fixedGraceMs === undefined) this.graceMs = this.lateness.graceMs(now);
    this.enqueue(this.batcher.takeClosed(now, this.graceMs));
  }

  /** how long a window is held past its end just now, ms (the configured grace, or the measured one) */
  get currentGraceMs(): number {
    return this.graceMs;
  }

  /**
   * Publishes every window, due or not (shutdown), and resolves true once all are acked, or false
   * when `timeoutMs` passed first (NATS unreachable): what was not acked is then `stats.backlog`,
   * and the node that takes the unit over backfills it from the published cursor.
   */
  async close(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.enqueue(this.batcher.takeAll());
    if (!Number.isFinite(timeoutMs)) {
      await this.idle();
      return true;
    }
    let timer: unknown;
    const timedOut = new Promise<false>((resolve) => (timer = this.clock.setTimeout(() => resolve(false), timeoutMs)));
    const done = await Promise.race([this.idle().then(() => true as const), timedOut]);
    this.clock.clearTimeout(timer);
    return done;
  }

  /** resolves once nothing is queued or in flight */
  idle(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private enqueue(windows: ClosedWindow[]): void {
    for (const batch of windows) {
      this.queue.push({
        batch,
        tickers: 0,
        books: 0,
        subject: tradeSubject(batch.exchange, batch.market, batch.symbol),
        msgId: tradeColumnsMsgId(batch.exchange, batch.market, batch.symbol, batch.windowStart, batch.columns),
        data: encodeTradeColumns(batch),
        attempts: 0,
      });
      this.queuedTrades += batch.length;
    }
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const out = this.queue.shift()!;
      this.queuedTrades -= tradesOf(out);
      if (out.books > 0) this.queuedBookBytes -= out.data.length;
      this.send(out);
    }
    this.updateBacklog();
    if (this.inFlight === 0 && this.queue.length === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private send(out: Outgoing): void {
    this.unacked.add(out);
    this.inFlight += 1;
    this.inFlightTrades += tradesOf(out);
    out.attempts += 1;
    this.target.publish(out.subject, out.data, out.msgId).then(
      (ack) => {
        this.settle(out);
        this.unacked.delete(out);
        if (out.batch !== undefined) {
          this.stats.batches += 1;
          this.stats.trades += out.batch.length;
        }
        this.stats.tickers += out.tickers;
        this.stats.bookRecords += out.books;
        if (ack.duplicate) this.stats.duplicatesDropped += 1;
        if (out.batch !== undefined) this.options.onAcked?.(out.batch, ack.duplicate);
        this.pump();
      },
      () => {
        this.settle(out);
        this.stats.failedAttempts += 1;
        // the same bytes and id again: if the failed attempt did land, the server drops this one
        const delay = Math.min(this.options.retryMaxMs ?? 5_000, (this.options.retryMinMs ?? 100) * 2 ** (out.attempts - 1));
        this.inFlight += 1; // a retry waiting counts as in flight: idle() must not resolve before it
        this.inFlightTrades += tradesOf(out);
        this.clock.setTimeout(() => {
          this.settle(out);
          this.send(out);
        }, delay);
      },
    );
  }

  private settle(out: Outgoing): void {
    this.inFlight -= 1;
    this.inFlightTrades -= tradesOf(out);
  }

  /**
   * Per symbol (cursor key), the oldest exchange time of its trades not yet acked (a window's start,
   * or a late trade's time riding in a later window): in open windows, queued, in flight or waiting
   * to retry. A published cursor must stay below it (cursors.ts).
   */
  pendingFloors(): Map<string, number> {
    const floors = new Map<string, number>();
    const note = (w: { exchange: ExchangeId; market: Market; symbol: string; floor: number }) => lowerFloor(floors, cursorKey(w.exchange, w.market, w.symbol), w.floor);
    this.batcher.forEachOpen(note);
    for (const out of this.queue) if (out.batch !== undefined) note(out.batch);
    for (const out of this.unacked) if (out.batch !== undefined) note(out.batch);
    return floors;
  }

  private updateBacklog(): void {
    this.stats.backlog = this.batcher.pending + this.queuedTrades + this.inFlightTrades;
  }
}

const tradesOf = (out: Outgoing): number => out.batch?.length ?? 0;
