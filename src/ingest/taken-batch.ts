/**
 * A batch taken from the pipeline's buffer (record-queue.ts) on its way to the store. When every
 * row is a trade the buffer held as columns, of one exchange and market (a live stream's batch),
 * the batch stays columns: the store writes them as they are (HistoryStore.writeTradeRows) and no
 * record object is made per trade. Its records are made only when something asks for them (a store
 * without writeTradeRows, a committed$ subscriber, a failed write put back in the buffer).
 */
import type { MarketRecord, Trade } from '../records.js';
import type { TradeRows } from '../store/types.js';

export class TakenBatch {
  private made: readonly MarketRecord[] | undefined;
  private symbolList: readonly string[] | undefined;

  private constructor(
    readonly length: number,
    /** the rows as columns, when the batch is trades of one venue with numeric ids */
    readonly trades: TradeRows | undefined,
    records: readonly MarketRecord[] | undefined,
  ) {
    this.made = records;
    if (trades !== undefined) this.symbolList = trades.symbols;
  }

  static ofRecords(records: readonly MarketRecord[]): TakenBatch {
    return new TakenBatch(records.length, undefined, records);
  }

  static ofTrades(trades: TradeRows): TakenBatch {
    return new TakenBatch(trades.columns.length, trades, undefined);
  }

  /** the oldest exchange time among the batch's trades (Infinity: none) */
  oldestTradeTime(): number {
    let oldest = Infinity;
    if (this.trades !== undefined) {
      const t = this.trades.columns.timestamps;
      for (let i = 0; i < this.length; i++) if ((t[i] as number) < oldest) oldest = t[i] as number;
      return oldest;
    }
    for (const r of this.records) if (r.type === 'trade' && r.timestamp < oldest) oldest = r.timestamp;
    return oldest;
  }

  /** the rows as records, oldest first, equal field for field to the records pushed */
  get records(): readonly MarketRecord[] {
    return (this.made ??= tradeRecords(this.trades as TradeRows));
  }

  /** each row's symbol */
  get symbols(): readonly string[] {
    return (this.symbolList ??= this.records.map((r) => r.symbol));
  }
}

function tradeRecords(t: TradeRows): Trade[] {
  const c = t.columns;
  const ids = c.ids.values as Float64Array;
  const out = new Array<Trade>(c.length);
  for (let i = 0; i < c.length; i++) {
    // the parsers' property order, so rebuilt and parsed trades share one hidden class; a numeric
    // id prints back to the very id pushed (keys.ts idPart makes numbers only of such ids)
    out[i] = {
      type: 'trade',
      exchange: t.exchange,
      market: t.market,
      symbol: t.symbols[i] as string,
      id: String(ids[i]),
      price: c.prices[i] as number,
      amount: c.amounts[i] as number,
      side: c.sides[i] === 1 ? 'sell' : 'buy',
      timestamp: c.timestamps[i] as number,
      localTimestamp: c.localTimestamps[i] as number,
    };
  }
  return out;
}
