/**
 * Consumes the stream into a local history store exactly once (docs/cluster.md#archiver): a
 * durable pull consumer, each chunk of messages written in one store transaction, acked only after
 * the commit. A crash between the commit and the acks redelivers the chunk, and the store's id
 * guard stores none of it again, so the archive never holds a trade twice nor misses one.
 *
 * Tickers have no id: one is the same exchange event as another when its exchange time and every
 * value are the same (ticker-codec.ts tickerEventKey; the local time differs between two redundant
 * nodes). A ticker newer than the newest this archiver has stored for its symbol is new; an older
 * one (a redelivery, the other node's copy) is looked up in the store, and within a chunk each
 * event is kept once.
 *
 * Book records: every node publishes its own (snapshots, venue updates, its resyncs), linked to
 * the record before them; the archive keeps one book per symbol, each venue update once, and
 * never applies a record to a book it does not continue (book-archive.ts). They are written
 * through the book store's own code (store/books/append.ts), in a transaction of their own
 * before the chunk's trades and tickers; a redelivery is judged against what the store holds.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { MarketRecord, Ticker } from '../records.js';
import type { TradeColumns } from '../store/blocks/columns.js';
import type { HistoryStore, OpenedHistoryStore } from '../store/index.js';
import { BookAppender } from '../store/books/append.js';
import { decodeTradeBatchColumns, type TradeBatchColumns } from './batch-codec.js';
import { tradeWrites } from './archive-trades.js';
import { decodeBookBatch, type LinkedBookRecord } from './book-codec.js';
import { BookArchivePlanner, DEFAULT_BOOK_GRACE_MS } from './book-archive.js';
import { STREAM_NAME, subjectType } from './subjects.js';
import { decodeTickerBatch, tickerEventKey } from './ticker-codec.js';

export interface ArchiverOptions {
  store: HistoryStore & Pick<OpenedHistoryStore, 'tickerEventStored' | 'env'>;
  /** the durable consumer's name: one per archive (two archivers of one name share the work) */
  durable?: string;
  stream?: string;
  /** messages written per store transaction at most (default 2,000) */
  maxChunk?: number;
  /**
   * how long the server waits for an ack before redelivering (default 10 s): after an archiver
   * crash, the messages it had received come again this long later. A chunk's commit takes well
   * under a second; a slower one tells the server it is still working on it.
   */
  ackWaitMs?: number;
  /**
   * exchange time past a book's stored tip during which a record that does not continue it waits
   * for another node's copy that does (default 5 s); past it the archive stores a resync (book-archive.ts)
   */
  bookGraceMs?: number;
  /** a failed store commit is retried after this (doubled up to 10 s; default 200 ms) */
  retryMs?: number;
  /** after each commit: the trades of the chunk (stored now or already) as their messages' columns, for latency figures */
  onCommitted?(trades: readonly TradeColumns[]): void;
  /** a message that cannot be read: acked (it would only come back) and reported */
  onMalformed?(subject: string, reason: string): void;
}

export interface ArchiverStats {
  messages: number;
  /** trades newly stored */
  written: number;
  /** trades the store already held (redelivery, or two nodes' overlapping batches) */
  duplicates: number;
  /** tickers newly stored */
  tickersWritten: number;
  /** tickers of an exchange event already stored (redelivery, or a redundant node's copy) */
  tickerDuplicates: number;
  /** book records newly stored (the archive's own resyncs at a gap not counted) */
  booksWritten: number;
  /** book records of a venue event, snapshot or resync already stored (the other node's copy, a redelivery) */
  bookDuplicates: number;
  /** book records not stored because they continue no book the archive holds (another node's resync or first records after its sync, an update while the archive is unsynced) */
  bookSkipped: number;
  /** resyncs the archive stored where no record continued its book (book-archive.ts) */
  bookGaps: number;
  malformed: number;
  failedCommits: number;
}

export const DEFAULT_ARCHIVER = 'tickvisor-archiver';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Archiver {
  readonly stats: ArchiverStats = { messages: 0, written: 0, duplicates: 0, tickersWritten: 0, tickerDuplicates: 0, booksWritten: 0, bookDuplicates: 0, bookSkipped: 0, bookGaps: 0, malformed: 0, failedCommits: 0 };
  /** per symbol, the newest exchange time of a ticker this archiver stored (bounded by the symbols) */
  private readonly newestTicker = new Map<string, number>();
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private readonly received: JsMsg[] = [];
  private draining = false;
  private stopping = false;
  private readonly books: BookAppender;
  private readonly bookPlanner: BookArchivePlanner;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: ArchiverOptions,
  ) {
    this.books = new BookAppender(options.store.env);
    this.bookPlanner = new BookArchivePlanner((r) => this.books.tip(r), options.bookGraceMs ?? DEFAULT_BOOK_GRACE_MS);
  }

  /** creates (or finds) the durable consumer and starts consuming */
  async start(): Promise<void> {
    const stream = this.options.stream ?? STREAM_NAME;
    const durable = this.options.durable ?? DEFAULT_ARCHIVER;
    const maxChunk = this.options.maxChunk ?? 2_000;
    const jsm = await jetstreamManager(this.nc);
    const existing = await jsm.consumers.info(stream, durable).catch(() => undefined);
    if (!existing) {
      await jsm.consumers.add(stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(this.options.ackWaitMs ?? 10_000),
        // room for several chunks in flight between the server and the commit
        max_ack_pending: maxChunk * 8,
      });
    }
    const consumer = await jetstream(this.nc).consumers.get(stream, durable);
    // callback delivery: each message lands in `received` at once, and one drain loop commits what
    // has gathered. (Iterating the messages with for-await stalled now and then on nats-server
    // 2.9.10: the server had delivered, the iterator yielded nothing until ack_wait redelivered.)
    // The server's max_ack_pending bounds what can gather while a commit runs.
    this.messages = await consumer.consume({
      max_messages: maxChunk * 2,
      // pull requests live 5 s (heartbeats every 2.5 s): after a NATS server dies, a pull it held is
      // noticed missing and renewed within seconds, not the client's default 30 s
      expires: 5_000,
      callback: (msg) => {
        this.received.push(msg);
        if (!this.draining) this.loop = this.drain(maxChunk);
      },
    });
  }

  /** nothing received waits to be written and no chunk is being written */
  idle(): boolean {
    return this.received.length === 0 && !this.draining;
  }

  /** stops pulling, finishes the chunk being written (and acks it), resolves when done */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.messages?.close();
    await this.loop;
  }

  private async drain(maxChunk: number): Promise<void> {
    this.draining = true;
    try {
      while (this.received.length > 0 && !this.stopping) {
        const chunk = this.received.splice(0, maxChunk);
        await this.commit(chunk);
      }
    } finally {
      this.draining = false;
    }
  }

  private async commit(chunk: JsMsg[]): Promise<void> {
    const batches: TradeBatchColumns[] = [];
    const tickers: Ticker[] = [];
    const books: LinkedBookRecord[] = [];
    const malformed = (msg: JsMsg, reason: string) => {
      this.stats.malformed += 1;
      this.options.onMalformed?.(msg.subject, reason);
    };
    for (const msg of chunk) {
      const type = subjectType(msg.subject);
      if (type === 'ticker') {
        const batch = decodeTickerBatch(msg.data);
        if ('error' in batch) malformed(msg, batch.error);
        else for (const t of batch.tickers) tickers.push(t);
        continue;
      }
      if (type === 'book') {
        const batch = decodeBookBatch(msg.data);
        if ('error' in batch) malformed(msg, batch.error);
        else for (const r of batch.records) books.push(r);
        continue;
      }
      if (type !== 'trade') {
        malformed(msg, `no record type ${String(type)} is archived`);
        continue;
      }
      const batch = decodeTradeBatchColumns(msg.data);
      if ('error' in batch) {
        malformed(msg, batch.error);
        continue;
      }
      batches.push(batch);
    }
    const newTickers = this.newTickers(tickers);
    this.stats.tickerDuplicates += tickers.length - newTickers.length;
    // numeric-id trades as columns, one write per exchange × market; string-id trades and tickers as records
    const writeRows = this.options.store.writeTradeRows?.bind(this.options.store);
    const { rows, records: stringIdTrades } = tradeWrites(batches, writeRows !== undefined);
    const records: MarketRecord[] = newTickers.length === 0 ? stringIdTrades : [...stringIdTrades, ...newTickers];
    if (records.length > 0 || rows.length > 0 || books.length > 0) {
      let delay = this.options.retryMs ?? 200;
      let booksDone = books.length === 0;
      /** the row writes already committed: a retry after a failure goes on from the next one */
      let rowsDone = 0;
      for (let attempt = 0; ; attempt++) {
        // a commit retried for a while (a full disk) must not have the server hand the chunk out again
        if (attempt > 0) for (const msg of chunk) msg.working();
        try {
          // books first, in their own transaction: once on disk they are not planned again, so a
          // retry of the trades' commit below neither writes nor counts them twice
          if (!booksDone) {
            const plan = this.bookPlanner.plan(books);
            try {
              await this.books.append(plan.store);
            } catch (error) {
              this.bookPlanner.forget();
              throw error;
            }
            this.bookPlanner.committed(plan);
            booksDone = true;
            this.stats.booksWritten += plan.written;
            this.stats.bookDuplicates += plan.duplicates;
            this.stats.bookSkipped += plan.skipped;
            this.stats.bookGaps += plan.gaps;
          }
          // each write is exactly-once by trade id on its own (the store's id guard), and counted once
          for (; rowsDone < rows.length; rowsDone++) {
            const result = await writeRows!(rows[rowsDone]!);
            this.stats.written += result.written;
            this.stats.duplicates += result.duplicates;
          }
          if (records.length === 0) break;
          const result = await this.options.store.writeBatch(records);
          // the store counts tickers as written; trades are what its id guard judged
          this.stats.written += result.written - newTickers.length;
          this.stats.duplicates += result.duplicates;
          this.stats.tickersWritten += newTickers.length;
          for (const t of newTickers) {
            const key = symbolKey(t);
            if (t.timestamp > (this.newestTicker.get(key) ?? Number.NEGATIVE_INFINITY)) this.newestTicker.set(key, t.timestamp);
          }
          break;
        } catch {
          // not acked: retried here, and redelivered by the server should this process die meanwhile
          this.stats.failedCommits += 1;
          if (this.stopping) return;
          await sleep(delay);
          delay = Math.min(10_000, delay * 2);
        }
      }
    }
    for (const msg of chunk) msg.ack();
    this.stats.messages += chunk.length;
    if (this.options.onCommitted) this.options.onCommitted(batches.map((b) => b.columns));
  }

  /** the chunk's tickers of exchange events not stored yet, each event once */
  private newTickers(tickers: readonly Ticker[]): Ticker[] {
    if (tickers.length === 0) return [];
    const out: Ticker[] = [];
    const seen = new Set<string>();
    for (const t of tickers) {
      const symbol = symbolKey(t);
      const key = `${symbol}\u0000${tickerEventKey(t)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const newest = this.newestTicker.get(symbol);
      // newer than anything stored by this archiver: new. Otherwise (or after a restart) ask the store.
      if (newest !== undefined && t.timestamp > newest) out.push(t);
      else if (!this.options.store.tickerEventStored(t)) out.push(t);
    }
    return out;
  }
}

const symbolKey = (t: Ticker): string => `${t.exchange}\u0000${t.market}\u0000${t.symbol}`;
