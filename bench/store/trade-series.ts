/**
 * A deterministic series of one Binance-like symbol's trades for the store bench: prices with two
 * decimals near 97,000 moving a few cents at a time, amounts with up to five decimals (mostly
 * small, some large), consecutive ids, 0–50 ms apart, a receive time a few ms after. Realistic
 * enough that a codec's delta/varint encoding sees what it will see in production, not a constant.
 */
import type { Trade } from '../../src/records.js';
import { Prng } from '../../src/prng.js';

export interface SeriesOptions {
  seed: number;
  /** first trade id; the rest follow one by one */
  firstId: number;
  /** exchange time of the first trade, ms since epoch */
  startMs: number;
}

export const SERIES_DEFAULTS: SeriesOptions = { seed: 13, firstId: 4_800_000_000, startMs: Date.UTC(2026, 0, 5, 12) };

/** the symbol the series is stored under */
export const SERIES_SYMBOL = { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' } as const;

/** yields the trades in batches of `batchSize` (the last one shorter), `count` in all */
export function* tradeSeries(count: number, batchSize: number, options: SeriesOptions = SERIES_DEFAULTS): Generator<Trade[]> {
  const rng = new Prng(options.seed);
  let cents = 9_700_000; // 97,000.00 as an integer: the price is exact to the cent, as parsed from a string
  let ts = options.startMs;
  let side: 'buy' | 'sell' = 'buy';
  for (let done = 0; done < count; ) {
    const n = Math.min(batchSize, count - done);
    const batch: Trade[] = new Array<Trade>(n);
    for (let i = 0; i < n; i++) {
      // most trades hit the same price level as the last one; the rest move it a few cents
      const r = rng.next();
      if (r > 0.6) cents += rng.int(7) - 3;
      else if (r > 0.58) cents += rng.int(201) - 100;
      ts += rng.int(51);
      // taker side comes in runs (one order sweeping several levels)
      if (rng.next() < 0.3) side = side === 'buy' ? 'sell' : 'buy';
      // amount in lots of 0.00001, roughly log-uniform from 0.00001 to ~2: many small, a few large
      const lots = Math.max(1, Math.round(Math.exp(rng.next() * Math.log(200_000))));
      batch[i] = {
        type: 'trade',
        ...SERIES_SYMBOL,
        id: String(options.firstId + done + i),
        price: cents / 100,
        amount: lots / 100_000,
        side,
        timestamp: ts,
        localTimestamp: ts + 2 + rng.int(18),
      };
    }
    done += n;
    yield batch;
  }
}
