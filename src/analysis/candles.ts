/**
 * OHLCV candles from trades, aligned to the UTC epoch: a candle of interval I holds the trades with
 * `start ≤ timestamp < start + I`, where `start` is a multiple of I ms since 1970-01-01T00:00Z.
 * An interval without trades yields no candle (no filler with a repeated close).
 *
 * The aggregator takes one trade at a time as plain numbers, so it serves a record read today and
 * a columnar read (typed arrays per block) alike, and holds one candle whatever the range.
 * Sums (volume, quoteVolume, buy/sell volume) are plain float64 sums in trade order: exact enough
 * for amounts with a few decimals, and what a reader summing the same trades in the same order gets.
 */
import type { Trade } from '../records.js';

export interface Candle {
  /** first ms of the interval, ms since epoch (a multiple of the interval) */
  start: number;
  /** price of the interval's first trade (store order: timestamp, then id) */
  open: number;
  high: number;
  low: number;
  /** price of the interval's last trade */
  close: number;
  /** Σ amount, base asset */
  volume: number;
  /** Σ price × amount, quote asset */
  quoteVolume: number;
  trades: number;
  /** Σ amount of trades whose taker bought, base asset */
  buyVolume: number;
  /** Σ amount of trades whose taker sold, base asset */
  sellVolume: number;
}

/** taker side as a record spells it, or as the columnar store does (0 buy, 1 sell) */
export type TakerSide = 'buy' | 'sell' | 0 | 1;

export class CandleAggregator {
  private current: Candle | undefined;
  /** trades left out because a number was not finite (never stored that way; guarded all the same) */
  skipped = 0;

  constructor(readonly intervalMs: number) {
    if (!Number.isInteger(intervalMs) || intervalMs <= 0) throw new RangeError(`candle interval must be a positive whole number of ms, got ${intervalMs}`);
  }

  /**
   * One trade, in ascending time order. Returns the candle this trade closed (the previous
   * interval's), if any. A trade older than the open candle (out of order) closes it too and opens
   * a candle of its own, so every candle is exact for the trades it was given.
   */
  add(timestamp: number, price: number, amount: number, side: TakerSide): Candle | undefined {
    if (!Number.isFinite(timestamp) || !Number.isFinite(price) || !Number.isFinite(amount)) {
      this.skipped++;
      return undefined;
    }
    const start = Math.floor(timestamp / this.intervalMs) * this.intervalMs;
    const buy = side === 'buy' || side === 0;
    const c = this.current;
    if (c !== undefined && c.start === start) {
      if (price > c.high) c.high = price;
      if (price < c.low) c.low = price;
      c.close = price;
      c.volume += amount;
      c.quoteVolume += price * amount;
      c.trades++;
      if (buy) c.buyVolume += amount;
      else c.sellVolume += amount;
      return undefined;
    }
    this.current = {
      start,
      open: price,
      high: price,
      low: price,
      close: price,
      volume: amount,
      quoteVolume: price * amount,
      trades: 1,
      buyVolume: buy ? amount : 0,
      sellVolume: buy ? 0 : amount,
    };
    return c;
  }

  /** the open candle, once the trades are done (then the aggregator starts empty again) */
  flush(): Candle | undefined {
    const c = this.current;
    this.current = undefined;
    return c;
  }
}

/** Candles from trades in ascending time order; anything that is not a trade is passed over. */
export async function* candlesFrom(records: AsyncIterable<{ type: string }> | Iterable<{ type: string }>, intervalMs: number): AsyncGenerator<Candle> {
  const aggregator = new CandleAggregator(intervalMs);
  const add = (record: { type: string }): Candle | undefined => {
    if (record.type !== 'trade') return undefined;
    const t = record as Trade;
    return aggregator.add(t.timestamp, t.price, t.amount, t.side);
  };
  // a store's read is synchronous underneath: taken so, it costs no promise per trade (only per candle)
  if (Symbol.iterator in records) {
    for (const record of records) {
      const closed = add(record);
      if (closed) yield closed;
    }
  } else {
    for await (const record of records) {
      const closed = add(record);
      if (closed) yield closed;
    }
  }
  const last = aggregator.flush();
  if (last) yield last;
}
