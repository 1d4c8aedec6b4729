/**
 * Seeded blocks shaped like what venues send, for codec tests and scripts/codec-figures.ts.
 * Prices and amounts are made the way a parser makes them: from decimal text (Number("0.00123")),
 * never by float arithmetic, because that is what the store receives.
 */
import { Prng } from '../../../src/prng.js';
import type { TickerColumns, TradeColumns, TradeIdColumn } from '../../../src/store/blocks/columns.js';
import { TICKER_OPTIONAL_COLUMNS } from '../../../src/store/blocks/columns.js';

/** a decimal value with `decimals` places, parsed from its text like a venue's "97123.45" */
function decimal(units: number, decimals: number): number {
  if (decimals <= 0) return units * 10 ** -decimals;
  return Number((units / 10 ** decimals).toFixed(decimals));
}

/** 0 with probability `zero`, else a small signed step */
function step(rng: Prng, zero: number, max: number): number {
  if (rng.next() < zero) return 0;
  const s = 1 + rng.int(max);
  return rng.next() < 0.5 ? -s : s;
}

/** log-uniform integer in [1, max] */
function logUniform(rng: Prng, max: number): number {
  return Math.max(1, Math.round(Math.exp(rng.next() * Math.log(max))));
}

interface Shape {
  startPrice: number; // in price units (integer)
  priceDecimals: number;
  priceStepMax: number;
  amountDecimals: number;
  amountMaxUnits: number;
  /** amounts are multiples of this many units (OKX contracts) */
  amountLot: number;
  ids: (rng: Prng, n: number) => TradeIdColumn;
}

function tradeBlock(shape: Shape, n: number, seed: number): TradeColumns {
  const rng = new Prng(seed);
  const timestamps = new Float64Array(n);
  const localTimestamps = new Float64Array(n);
  const prices = new Float64Array(n);
  const amounts = new Float64Array(n);
  const sides = new Uint8Array(n);
  let t = 1_764_700_000_000 + rng.int(1_000_000);
  let p = shape.startPrice;
  for (let i = 0; i < n; i++) {
    t += rng.next() < 0.3 ? 0 : rng.int(51);
    timestamps[i] = t;
    localTimestamps[i] = t + 1 + rng.int(30);
    p += step(rng, 0.5, shape.priceStepMax);
    prices[i] = decimal(p, shape.priceDecimals);
    amounts[i] = decimal(logUniform(rng, shape.amountMaxUnits / shape.amountLot) * shape.amountLot, shape.amountDecimals);
    sides[i] = rng.int(2);
  }
  return { length: n, timestamps, localTimestamps, ids: shape.ids(rng, n), prices, amounts, sides };
}

function consecutiveIds(start: number) {
  return (_rng: Prng, n: number): TradeIdColumn => {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = start + i;
    return { kind: 'numeric', values };
  };
}

/** Binance BTCUSDT: 97123.45 ± a few ticks, amounts to 5 decimals (0.00001 … 2 BTC), consecutive ids */
export function binanceLike(n: number, seed = 1): TradeColumns {
  return tradeBlock(
    { startPrice: 9_712_345, priceDecimals: 2, priceStepMax: 5, amountDecimals: 5, amountMaxUnits: 200_000, amountLot: 1, ids: consecutiveIds(4_123_456_789) },
    n,
    seed,
  );
}

/** OKX BTC-USDT-SWAP: one decimal prices, amounts = contracts × 0.01 BTC, increasing ids with holes */
export function okxSwapLike(n: number, seed = 2): TradeColumns {
  return tradeBlock(
    {
      startPrice: 971_234,
      priceDecimals: 1,
      priceStepMax: 3,
      amountDecimals: 2,
      amountMaxUnits: 50_000,
      amountLot: 1,
      ids: (rng, k) => {
        const values = new Float64Array(k);
        let id = 1_234_567_890;
        for (let i = 0; i < k; i++) values[i] = id += 1 + (rng.next() < 0.1 ? rng.int(5) : 0);
        return { kind: 'numeric', values };
      },
    },
    n,
    seed,
  );
}

/** Upbit KRW-BTC: integer KRW prices in 1,000-won ticks (143,250,000), 8-decimal amounts, 17-digit string ids */
export function upbitLike(n: number, seed = 3): TradeColumns {
  return tradeBlock(
    {
      startPrice: 143_250,
      priceDecimals: -3,
      priceStepMax: 4,
      amountDecimals: 8,
      amountMaxUnits: 100_000_000,
      amountLot: 1,
      ids: (rng, k) => {
        const values: string[] = [];
        let hi = 17_103_275;
        let lo = 719_220_001;
        for (let i = 0; i < k; i++) {
          lo += 1 + rng.int(20_000);
          if (lo >= 1e9) {
            hi += 1;
            lo -= 1e9;
          }
          values.push(`${hi}${String(lo).padStart(9, '0')}`);
        }
        return { kind: 'string', values };
      },
    },
    n,
    seed,
  );
}

/** Bybit linear BTCUSDT: one decimal prices, 3-decimal amounts, random lowercase UUID ids */
export function bybitLike(n: number, seed = 4): TradeColumns {
  return tradeBlock(
    {
      startPrice: 971_234,
      priceDecimals: 1,
      priceStepMax: 3,
      amountDecimals: 3,
      amountMaxUnits: 20_000,
      amountLot: 1,
      ids: (rng, k) => ({ kind: 'string', values: Array.from({ length: k }, () => rng.uuid()) }),
    },
    n,
    seed,
  );
}

/** Binance-like book ticker stream: bid/ask with sizes on every row, 24 h fields only on some */
export function tickerLike(n: number, seed = 5): TickerColumns {
  const rng = new Prng(seed);
  const timestamps = new Float64Array(n);
  const localTimestamps = new Float64Array(n);
  const last = new Float64Array(n);
  const optional = Object.fromEntries(TICKER_OPTIONAL_COLUMNS.map((k) => [k, new Float64Array(n)])) as Record<
    (typeof TICKER_OPTIONAL_COLUMNS)[number],
    Float64Array
  >;
  let t = 1_764_700_000_000;
  let p = 9_712_345;
  let vol = 1_234_567_890;
  for (let i = 0; i < n; i++) {
    t += rng.int(1000);
    timestamps[i] = t;
    localTimestamps[i] = t + 1 + rng.int(30);
    p += step(rng, 0.3, 10);
    last[i] = decimal(p, 2);
    optional.bid[i] = decimal(p - 1, 2);
    optional.ask[i] = decimal(p, 2);
    optional.bidSize[i] = decimal(logUniform(rng, 500_000), 5);
    optional.askSize[i] = decimal(logUniform(rng, 500_000), 5);
    optional.high24h[i] = decimal(9_900_000, 2);
    optional.low24h[i] = decimal(9_500_000, 2);
    vol += rng.int(100_000);
    optional.volume24h[i] = rng.next() < 0.8 ? decimal(vol, 5) : NaN;
    optional.quoteVolume24h[i] = NaN;
  }
  return { length: n, timestamps, localTimestamps, last, optional };
}
