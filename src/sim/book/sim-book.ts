/**
 * A listed symbol's true book inside the simulator: created when a client first asks for it (a
 * depth subscription or a REST depth request), then kept moving with the symbol's trades (each
 * trade takes liquidity from the side it hits) and price, and pushed as a diff every
 * BOOK_PUSH_MS (Binance's `@depth@100ms`). Its PRNG is derived from the symbol, not drawn from the
 * simulator's: asking for books must not change the trades a seed produces.
 */
import { contractSize, contractsToBase, type ScaledDecimal } from '../../exchanges/okx/contracts.js';
import { Prng } from '../../prng.js';
import type { SymbolState } from '../generator.js';
import type { LedgerEntry } from '../ledger.js';
import type { TrueBookAtView, TrueBookView } from '../types.js';
import { TrueBook, type BookDiff, type TickLevel } from './true-book.js';
import { fixed, type BookWireFormat } from './wire.js';

export const BOOK_PUSH_MS = 100;
/** how old a `book-stale-snapshot` answer is */
export const STALE_SNAPSHOT_MS = 5_000;

/** a whole book as it stood at one push */
export interface BookSnapshot {
  bids: TickLevel[];
  asks: TickLevel[];
  updateId: number;
}

/** one push kept in the history: the book, the time its frames carry, and venue-assigned ids */
interface PushRecord extends BookSnapshot {
  /** the time stamped on the push's frames (clock skew included) */
  timestamp: number;
  /** ids a venue numbered this push with per subscription (Bybit's `u`), when they are not the update id */
  venueIds?: number[];
}

/**
 * Which version of a book `versionAt` looks up: the update id the push carries (Binance u, OKX
 * seqId), an id a venue's subscription numbered the push with (Bybit u, see noteVenueId), or the
 * time stamped on the push (Upbit, whose whole-book frames carry no id).
 */
export type BookVersionKey = { updateId: number } | { venueId: number } | { timestamp: number };
/** whole books served outside the pushes kept for versionAt (a resync storm's worth, bounded) */
const SERVED_KEPT = 16;
/** levels per side the true book keeps */
export const SIM_BOOK_DEPTH = 200;

function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class SimBook {
  readonly book: TrueBook;
  readonly format: BookWireFormat;
  private readonly prng: Prng;
  /** the last update id pushed (Binance futures' `pu` of the next push) */
  lastPushedId: number;
  nextPushAt: number;
  /**
   * the book at each of the last pushes, oldest first: for `book-stale-snapshot`, and to tell what
   * a collector lagging a little should hold (versionAt). Bounded to STALE_SNAPSHOT_MS of pushes.
   */
  private readonly history: PushRecord[] = [];
  /** the last SERVED_KEPT whole books served outside the pushes, oldest first */
  private readonly servedHistory: PushRecord[] = [];

  /** base units per lot: 10^-amountDecimals, or the contract size where sizes are contracts (OKX swaps) */
  private readonly lotSize: number;

  constructor(private readonly sym: SymbolState, now: number) {
    this.prng = new Prng(seedOf(`book:${sym.symbol}`));
    // where the venue quotes contracts, a lot is one contract and sizes are written as whole contracts
    const contracts = sym.contractSize !== undefined;
    this.format = { priceDecimals: sym.priceDecimals, amountDecimals: contracts ? 0 : sym.amountDecimals };
    this.lotSize = contracts ? (sym.contractSize as number) : 10 ** -sym.amountDecimals;
    const maxLots = Math.max(1, Math.round(5 / this.lotSize));
    this.book = new TrueBook(this.prng, this.midTicks(), { depth: SIM_BOOK_DEPTH, maxLots });
    this.lastPushedId = this.book.updateId;
    this.nextPushAt = now + BOOK_PUSH_MS;
  }

  /**
   * While a book burst is being sent (book-burst.ts): the book as of the last event handed to the
   * sockets, which REST answers instead of the true book (already at the burst's end).
   */
  served: { snapshot(): BookSnapshot } | undefined;

  /** the whole book now, or (stale) as it stood about STALE_SNAPSHOT_MS ago */
  snapshot(stale = false): BookSnapshot {
    if (this.served !== undefined) return this.served.snapshot();
    if (stale && this.history.length > 0) return this.history[0] as BookSnapshot;
    return { bids: this.book.sorted('bid'), asks: this.book.sorted('ask'), updateId: this.book.updateId };
  }

  /** the top `depth` levels per side as numbers, base units */
  view(depth: number): TrueBookView {
    return { bids: this.levels(this.book.sorted('bid'), depth), asks: this.levels(this.book.sorted('ask'), depth), updateId: this.book.updateId, pushedId: this.lastPushedId };
  }

  /** price ticks and size lots as numbers in base units (OKX swaps: contracts × ctVal), top `depth` */
  private levels(levels: readonly TickLevel[], depth: number): [number, number][] {
    const contracts = this.sym.contractSize !== undefined;
    const size = (l: number) => (contracts ? contractsToBase(String(l), contractSize(this.sym.contractSize as number) as ScaledDecimal) : Number(fixed(l, this.sym.amountDecimals)));
    return levels.slice(0, depth).map(([t, l]) => [Number(fixed(t, this.sym.priceDecimals)), size(l)]);
  }

  /**
   * The book as it was pushed (or served whole, see keepServed()) with this version, top `depth` per
   * side in base units; undefined when that version is no longer (or never was) kept, or when a
   * time or a venue id names two different books (two subscriptions numbering alike, a snapshot
   * stamped like a push): never a guess.
   */
  versionAt(key: BookVersionKey, depth: number): TrueBookAtView | undefined {
    let hit: PushRecord | undefined;
    for (const kept of [this.history, this.servedHistory]) {
      for (let i = kept.length - 1; i >= 0; i--) {
        const h = kept[i] as PushRecord;
        const match = 'updateId' in key ? h.updateId === key.updateId : 'timestamp' in key ? h.timestamp === key.timestamp : h.venueIds?.includes(key.venueId) === true;
        if (!match) continue;
        // one update id is one book (every change takes the next id): any entry of it will do
        if (hit !== undefined && hit.updateId !== h.updateId) return undefined;
        hit ??= h;
      }
    }
    if (hit === undefined) return undefined;
    return { bids: this.levels(hit.bids, depth), asks: this.levels(hit.asks, depth), updateId: hit.updateId, timestamp: hit.timestamp };
  }

  /**
   * A whole book was served now outside the pushes (a REST depth answer, a subscription's first
   * snapshot): a client just synced holds this version until the next push, so it is kept too,
   * apart from the pushes (`stamp`: the time its frame carries; `venueId`: an id the venue gave it).
   */
  keepServed(stamp: number, venueId?: number): void {
    this.servedHistory.push({ ...this.snapshot(), timestamp: stamp, ...(venueId !== undefined ? { venueIds: [venueId] } : {}) });
    if (this.servedHistory.length > SERVED_KEPT) this.servedHistory.shift();
  }

  /** a venue numbered the latest push `id` for one subscription (Bybit's per-subscription `u`) */
  noteVenueId(id: number): void {
    const last = this.history[this.history.length - 1];
    if (last === undefined) return;
    (last.venueIds ??= []).push(id);
  }

  private midTicks(): number {
    return Math.max(2, Math.round(this.sym.price * 10 ** this.sym.priceDecimals));
  }

  /** trades take the top of the side they hit (a buy takes asks); the book follows the price */
  onTrades(entries: readonly LedgerEntry[]): void {
    for (const e of entries) {
      const lots = Math.max(1, Math.round(e.trade.amount / this.lotSize));
      this.book.take(e.trade.side === 'buy' ? 'ask' : 'bid', lots);
    }
  }

  /**
   * One event of a book burst: about `meanChanges` level changes around the mid (1 to
   * 2 × meanChanges − 1, evenly), taken as the next diff. Never empty: a draw that changed nothing
   * (a removal of a missing level) draws again.
   */
  burstDiff(meanChanges: number): BookDiff {
    const spread = Math.max(1, 2 * Math.round(meanChanges) - 1);
    for (;;) {
      this.book.churnAround(1 + this.prng.int(spread), this.midTicks());
      const diff = this.book.takeDiff();
      if (diff.lastId >= diff.firstId) return diff;
    }
  }

  /**
   * some churn and recentring since the last call; a diff when a push is due (undefined otherwise).
   * `stamp`: the time the push's frames carry (now, unless the venue's clock is skewed).
   */
  step(now: number, stamp = now): BookDiff | undefined {
    this.book.churn(1 + this.prng.int(4));
    this.book.recentre(this.midTicks());
    if (now < this.nextPushAt) return undefined;
    this.nextPushAt = now + BOOK_PUSH_MS;
    this.history.push({ ...this.snapshot(), timestamp: stamp });
    if (this.history.length > STALE_SNAPSHOT_MS / BOOK_PUSH_MS) this.history.shift();
    const diff = this.book.takeDiff();
    return diff.lastId >= diff.firstId ? diff : undefined;
  }
}
