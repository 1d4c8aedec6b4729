/**
 * A block of one symbol's records as columns: the shape the columnar store (docs/architecture.md#store)
 * encodes into one LMDB value, and the shape a columnar read hands to analysis code (typed arrays,
 * no object per record). Rows are in store order: ascending by (timestamp, id) for trades, by
 * (timestamp, localTimestamp) for tickers. Every column has `length` entries.
 */

import type { ColumnMemory } from './column-memory.js';

/**
 * Trade ids as the venue wrote them. A block keeps one kind:
 * - `numeric`: every id is a canonical non-negative integer of at most 15 digits (no leading zero
 *   except "0" itself), exactly representable as a float64; `values[i]` is that number.
 * - `string`: anything else (Bybit UUIDs, Upbit's 17+ digit ids, ids with leading zeros); `values[i]`
 *   is the exact string.
 * Reading a numeric id back as a record gives `String(values[i])`, the same string that was written.
 */
export type TradeIdColumn =
  | { readonly kind: 'numeric'; readonly values: Float64Array }
  | { readonly kind: 'string'; readonly values: readonly string[] };

export interface TradeColumns {
  readonly length: number;
  /** exchange event time, ms since epoch */
  readonly timestamps: Float64Array;
  /** time received, ms since epoch */
  readonly localTimestamps: Float64Array;
  readonly ids: TradeIdColumn;
  /** quote per base */
  readonly prices: Float64Array;
  /** base asset */
  readonly amounts: Float64Array;
  /** taker side: 0 buy, 1 sell */
  readonly sides: Uint8Array;
}

/** The eight optional ticker fields, in this order everywhere (bit i of a presence mask = field i). */
export const TICKER_OPTIONAL_COLUMNS = ['bid', 'ask', 'bidSize', 'askSize', 'high24h', 'low24h', 'volume24h', 'quoteVolume24h'] as const;
export type TickerOptionalColumn = (typeof TICKER_OPTIONAL_COLUMNS)[number];

export interface TickerColumns {
  readonly length: number;
  readonly timestamps: Float64Array;
  readonly localTimestamps: Float64Array;
  readonly last: Float64Array;
  /** an optional field absent from a row is NaN in its column (stored values are never NaN) */
  readonly optional: Readonly<Record<TickerOptionalColumn, Float64Array>>;
}

/**
 * Encodes one block into one value and back. Lossless: decode(encode(c)) gives bit-identical
 * float64s (including -0 vs 0 is NOT required: stored values are finite and prices/amounts positive)
 * and identical id strings. encode may assume rows are already in store order.
 */
export interface BlockCodec<C> {
  encode(columns: C): Uint8Array;
  /** `memory`: where the columns may go (column-memory.ts); a codec may ignore it and allocate */
  decode(bytes: Uint8Array, memory?: ColumnMemory): C;
}
