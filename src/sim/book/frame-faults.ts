/**
 * The book faults that act on one connection's book frames: `book-drop` (a frame not sent) and
 * `book-out-of-order` (a frame held back and sent after the next one of its symbol). Where a venue
 * numbers its book frames (Binance U/u/pu, Bybit u, OKX seqId/prevSeqId) either breaks the
 * sequence, which a correct client must notice and resync from.
 */
import type { VenueContext } from '../venue.js';

export class BookFrameFaults {
  private readonly held = new Map<string, string>();

  constructor(private readonly ctx: VenueContext) {}

  /** the frames to send now in place of `frame`, the symbol's new book frame */
  pass(symbol: string, frame: string): string[] {
    if (this.ctx.consumeFault('book-drop', symbol)) return [];
    const held = this.held.get(symbol);
    if (held !== undefined) {
      this.held.delete(symbol);
      return [frame, held];
    }
    if (this.ctx.consumeFault('book-out-of-order', symbol)) {
      this.held.set(symbol, frame);
      return [];
    }
    return [frame];
  }
}
