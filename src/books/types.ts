/**
 * Order-book frames as the venues' parsers hand them to the sync rules, and what the rules answer.
 * Each venue has its own rules for when an update may be applied (src/exchanges/<venue>/book.ts);
 * see docs/architecture.md#order-books.
 */
import type { Instrument } from '../exchanges/types.js';
import type { ExchangeId, Market } from '../records.js';
import type { BookLevel, OrderBook } from './order-book.js';

export interface BookFrame {
  /** the venue's own id (`BTCUSDT`, `BTC-USDT`, `KRW-BTC`) */
  nativeId: string;
  /** unified symbol */
  symbol: string;
  /** snapshot: the whole book (as deep as the channel goes); delta: levels to set, size 0 deletes */
  kind: 'snapshot' | 'delta';
  bids: BookLevel[];
  asks: BookLevel[];
  /** exchange time, ms */
  timestamp: number;
  /** Binance U (first update id in the event) */
  firstId?: number;
  /** Binance u, Bybit u, OKX seqId, a REST snapshot's lastUpdateId / seqId */
  lastId?: number;
  /** Binance futures pu, OKX prevSeqId */
  prevId?: number;
  /** OKX CRC32 of the top 25 levels (0 or absent: not provided) */
  checksum?: number;
}

/**
 * What one frame did to a book: applied (`reset`: the frame replaced the whole book, as a venue's
 * restart marker does: Bybit's delta with u == 1; the history must record it as a snapshot, not
 * as an update to the book before it); ignored (older than the book, as the rules say to drop);
 * waiting (no snapshot yet to apply it to); broken (the sequence broke: the book is the last
 * consistent one and needs a resync).
 */
export type SyncOutcome = { kind: 'applied'; reset?: true } | { kind: 'ignored' } | { kind: 'waiting' } | { kind: 'broken'; reason: string };

export const APPLIED: SyncOutcome = Object.freeze({ kind: 'applied' });
export const RESET: SyncOutcome = Object.freeze({ kind: 'applied', reset: true });
export const IGNORED: SyncOutcome = Object.freeze({ kind: 'ignored' });
export const WAITING: SyncOutcome = Object.freeze({ kind: 'waiting' });
export const broken = (reason: string): SyncOutcome => ({ kind: 'broken', reason });

/** One symbol's book kept by its venue's rules. */
export interface BookSync {
  readonly book: OrderBook;
  /** true once the book is built and consistent */
  readonly synced: boolean;
  /** the venue's update id the book stands at (Binance u, Bybit u, OKX seqId); undefined where the venue has none (Upbit) */
  readonly sequence?: number | undefined;
  /** a REST snapshot (Binance, OKX when no WebSocket snapshot comes) */
  seed(snapshot: BookFrame): SyncOutcome;
  apply(frame: BookFrame): SyncOutcome;
}

/** A venue's order-book support: frame parsing, REST snapshot parsing, the sync rules. */
export interface BookVenue {
  exchange: ExchangeId;
  market: Market;
  /** whether a REST snapshot is needed before updates can be applied */
  needsSnapshot: boolean;
  /** a parser for this connection's frames; non-book frames give [] */
  createFrameParser(instruments?: readonly Instrument[]): (text: string) => BookFrame[];
  /**
   * The venue's common book frame read straight from its bytes ([start, end) of a socket read,
   * never decoded; docs/architecture.md#trades-from-bytes); undefined for any frame it does not
   * take, which then goes to the frame parser as text. Optional: without it every frame is text.
   */
  createByteScanner?(instruments?: readonly Instrument[]): (bytes: Uint8Array, start: number, end: number) => BookFrame | undefined;
  /** a REST depth answer (the body as JSON) → a snapshot frame for `nativeId`'s symbol */
  parseSnapshot(body: unknown, instruments?: readonly Instrument[], nativeId?: string): BookFrame;
  createSync(): BookSync;
  /**
   * whether a frame (text, or bytes for binary venues) may be a book frame, by a substring check
   * that costs far less than parsing: the live path parses book frames apart from trade frames.
   * It may say yes to a frame that is not one (the book parser then returns [] and the frame goes
   * on to the trade parser); it must never say no to a book frame.
   */
  mayBeBookFrame(frame: string | Buffer): boolean;
  /** the REST path (and query) of a depth snapshot for `nativeId`, where the venue serves one the books use */
  snapshotPath?(nativeId: string): string;
}
