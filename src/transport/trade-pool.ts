/**
 * The Trade objects a Link lends its parser's byte scanner during one socket read (FrameParser.
 * scanBytes), taken back once the read's records are delivered: a trade read from bytes is then
 * written into an object that already exists, and the data path allocates nothing per trade for
 * it. Its doubles are stored in place (V8 keeps a double field's box and overwrites it).
 *
 * The price of the saving is a rule downstream: a delivered trade is valid only while it is being
 * delivered, and whoever keeps one copies it — the latest-state cache, the buffer's record rows
 * and the records$ stream do (docs/architecture.md#data-path).
 */
import { newTrade, type TradeLender } from '../exchanges/types.js';
import type { Trade } from '../records.js';

/** the most objects kept for reuse: a read of more trades than this lends fresh ones past it */
const MAX_POOLED = 4096;

export class TradePool {
  private readonly trades: Trade[] = [];
  private used = 0;

  /** the next object to fill (bound: the scanner calls it bare) */
  readonly lend: TradeLender = () => {
    const k = this.used;
    if (k >= MAX_POOLED) return newTrade();
    this.used = k + 1;
    return k < this.trades.length ? (this.trades[k] as Trade) : (this.trades[k] = newTrade());
  };

  /**
   * Every lent object is free again: the records they were have been delivered. Each is spoilt on
   * the way back (no price, no id), so a consumer that kept one past its delivery, against the
   * rule above, stores or shows something loudly wrong (validation and the store refuse a NaN
   * price) rather than, quietly, whichever trade the object carries next.
   */
  reclaim(): void {
    const trades = this.trades;
    const n = Math.min(this.used, trades.length);
    for (let k = 0; k < n; k++) {
      const t = trades[k] as Trade;
      t.price = NaN;
      t.id = '';
    }
    this.used = 0;
  }
}
