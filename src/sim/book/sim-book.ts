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
import type { TrueBookView } from '../types.js';
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
  /** the book at each of the last pushes, oldest first (for `book-stale-snapshot`) */
  private readonly history: BookSnapshot[] = [];

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
    const contracts = this.sym.contractSize !== undefined;
    const size = (l: number) => (contracts ? contractsToBase(String(l), contractSize(this.sym.contractSize as number) as ScaledDecimal) : Number(fixed(l, this.sym.amountDecimals)));
    const side = (levels: TickLevel[]): [number, number][] => levels.slice(0, depth).map(([t, l]) => [Number(fixed(t, this.sym.priceDecimals)), size(l)]);
    return { bids: side(this.book.sorted('bid')), asks: side(this.book.sorted('ask')), updateId: this.book.updateId, pushedId: this.lastPushedId };
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

  /** some churn and recentring since the last call; a diff when a push is due (undefined otherwise) */
  step(now: number): BookDiff | undefined {
    this.book.churn(1 + this.prng.int(4));
    this.book.recentre(this.midTicks());
    if (now < this.nextPushAt) return undefined;
    this.nextPushAt = now + BOOK_PUSH_MS;
    this.history.push(this.snapshot());
    if (this.history.length > STALE_SNAPSHOT_MS / BOOK_PUSH_MS) this.history.shift();
    const diff = this.book.takeDiff();
    return diff.lastId >= diff.firstId ? diff : undefined;
  }
}
