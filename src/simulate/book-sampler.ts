/**
 * Is the collector's book right? At sampled instants, each collected book's top N is compared with
 * the simulator's true book *as it was pushed with the version the collector holds* (its last
 * frame's sequence, or for Upbit's id-less whole books its time): a collector a few pushes behind
 * (network lag) holds an older book that was true then, which is never a mismatch. A book that is
 * honestly not live (syncing, resyncing, not there yet) counts as unsynced time, not a mismatch; a
 * version the simulator no longer keeps is skipped and counted, never judged by guess.
 * Pure: both sides and the clock are injected.
 */
import type { BookLevelTuple, ExchangeId, Market } from '../records.js';
import type { BookVersion, TrueBookAtView } from '../sim/index.js';

/** what the sampler reads of the collector's live book (tv.book) */
export interface SampledBook {
  bids: readonly BookLevelTuple[];
  asks: readonly BookLevelTuple[];
  /** the venue time of the last frame applied */
  timestamp: number;
  /** the venue's id of the last frame applied, where the venue numbers its book frames */
  sequence?: number;
  state: string;
}

/** the collector side: its live books and their counters (tv.book, tv.bookCounters) */
export interface CollectorBooks {
  book(exchange: ExchangeId, market: Market, symbol: string, depth: number): SampledBook | undefined;
  bookCounters(exchange: ExchangeId, market: Market, symbol: string): { resyncs: number } | undefined;
}

/** the simulator side: its true book at a version (SimExchange.trueBookAt) */
export interface TrueBooks {
  trueBookAt(exchange: ExchangeId, market: Market, symbol: string, at: BookVersion, depth: number): TrueBookAtView | undefined;
}

export interface BookKey {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
}

/** the first level where the collector's book and the true book differ, at one sample */
export interface BookMismatch extends BookKey {
  /** when the sample was taken (the sampler's clock) */
  sampledAt: number;
  /** the version compared */
  version: BookVersion;
  side: 'bid' | 'ask';
  /** 0 = best */
  level: number;
  /** null: the side ends before this level */
  collector: BookLevelTuple | null;
  truth: BookLevelTuple | null;
}

export interface BookSampleReport {
  /** book readings taken (books × instants) */
  samples: number;
  /** live readings compared with the true book */
  compared: number;
  /** compared readings whose top N differed from the true book at that version */
  mismatched: number;
  /** live readings whose version the simulator no longer keeps (not judged) */
  skipped: number;
  /** resyncs the collector counted, over every book */
  resyncs: number;
  /** time books spent not live, summed over books (book-ms) */
  unsyncedMs: number;
  /** the first mismatch found */
  mismatch?: BookMismatch;
}

export interface BookSamplerOptions {
  books: readonly BookKey[];
  /** levels per side compared */
  depth: number;
  collector: CollectorBooks;
  truth: TrueBooks;
  now: () => number;
}

/** equal up to float noise of unit conversions (OKX contracts × ctVal); any real difference is a lot or a tick */
function same(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

/** the first differing level of two sides, best first; undefined when they are equal */
function firstDifference(got: readonly BookLevelTuple[], want: readonly BookLevelTuple[], depth: number): number | undefined {
  const n = Math.min(depth, Math.max(got.length, want.length));
  for (let i = 0; i < n; i++) {
    const g = got[i];
    const w = want[i];
    if (g === undefined || w === undefined || !same(g[0], w[0]) || !same(g[1], w[1])) return i;
  }
  return undefined;
}

/** the version a collector's book was built to: Upbit's frames carry no id, only their time */
export function versionOf(exchange: ExchangeId, book: Pick<SampledBook, 'sequence' | 'timestamp'>): BookVersion {
  return exchange !== 'upbit' && book.sequence !== undefined ? { sequence: book.sequence } : { timestamp: book.timestamp };
}

export class BookSampler {
  private samples = 0;
  private compared = 0;
  private mismatched = 0;
  private skipped = 0;
  private unsyncedMs = 0;
  private mismatch: BookMismatch | undefined;
  private readonly lastSampleAt = new Map<string, number>();
  /** per book, the highest resync count seen (read at every sample: the collector may be gone at the end) */
  private readonly resyncs = new Map<string, number>();
  private readonly live = new Map<string, boolean>();

  constructor(private readonly options: BookSamplerOptions) {
    const start = options.now();
    for (const b of options.books) this.lastSampleAt.set(bookKeyText(b), start);
  }

  /** one reading of every book */
  sample(): void {
    const { depth, collector, truth } = this.options;
    const now = this.options.now();
    for (const b of this.options.books) {
      const key = bookKeyText(b);
      const elapsed = now - (this.lastSampleAt.get(key) ?? now);
      this.lastSampleAt.set(key, now);
      this.samples++;
      const counters = collector.bookCounters(b.exchange, b.market, b.symbol);
      if (counters !== undefined) this.resyncs.set(key, Math.max(this.resyncs.get(key) ?? 0, counters.resyncs));
      const held = collector.book(b.exchange, b.market, b.symbol, depth);
      this.live.set(key, held?.state === 'live');
      if (held === undefined || held.state !== 'live') {
        this.unsyncedMs += elapsed;
        continue;
      }
      const version = versionOf(b.exchange, held);
      const then = truth.trueBookAt(b.exchange, b.market, b.symbol, version, depth);
      if (then === undefined) {
        this.skipped++;
        continue;
      }
      this.compared++;
      const bid = firstDifference(held.bids, then.bids, depth);
      const ask = bid === undefined ? firstDifference(held.asks, then.asks, depth) : undefined;
      if (bid === undefined && ask === undefined) continue;
      this.mismatched++;
      if (this.mismatch === undefined) {
        const side = bid !== undefined ? 'bid' : 'ask';
        const level = (bid ?? ask) as number;
        const got = side === 'bid' ? held.bids : held.asks;
        const want = side === 'bid' ? then.bids : then.asks;
        this.mismatch = { ...b, sampledAt: now, version, side, level, collector: got[level] ?? null, truth: want[level] ?? null };
      }
    }
  }

  /** every book live at the last sample (false before any sample) */
  allLive(): boolean {
    return this.options.books.length > 0 && this.options.books.every((b) => this.live.get(bookKeyText(b)) === true);
  }

  /** the books not live at the last sample */
  notLive(): BookKey[] {
    return this.options.books.filter((b) => this.live.get(bookKeyText(b)) !== true);
  }

  report(): BookSampleReport {
    let resyncs = 0;
    for (const n of this.resyncs.values()) resyncs += n;
    return {
      samples: this.samples,
      compared: this.compared,
      mismatched: this.mismatched,
      skipped: this.skipped,
      resyncs,
      unsyncedMs: this.unsyncedMs,
      ...(this.mismatch !== undefined ? { mismatch: this.mismatch } : {}),
    };
  }
}

/** a book's key as text (`exchange:market:symbol`): the sampler's and a child collector's readings share it */
export function bookKeyText(b: BookKey): string {
  return `${b.exchange}:${b.market}:${b.symbol}`;
}

/** one line for the text report: `book  S samples (C compared, K skipped), M mismatched, R resyncs, U ms unsynced` */
export function formatBookReport(r: BookSampleReport): string[] {
  const lines = [
    `  book       ${r.samples} samples (${r.compared} compared, ${r.skipped} past the simulator's history), ${r.mismatched} mismatched, ${r.resyncs} resyncs, ${Math.round(r.unsyncedMs)} ms unsynced`,
  ];
  const m = r.mismatch;
  if (m !== undefined) {
    const level = (l: BookLevelTuple | null) => (l === null ? 'none' : `${l[0]} × ${l[1]}`);
    const at = 'sequence' in m.version ? `sequence ${m.version.sequence}` : `time ${m.version.timestamp}`;
    lines.push(`  book mismatch e.g. ${m.exchange}:${m.market}:${m.symbol} at ${new Date(m.sampledAt).toISOString()} (${at}): ${m.side} level ${m.level + 1} collector ${level(m.collector)}, true ${level(m.truth)}`);
  }
  return lines;
}
