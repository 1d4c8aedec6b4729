/**
 * Decimal scaling: most venue prices and amounts are short decimals ("97123.45", "0.00123") that
 * float64 can only approximate, but `m / 10^e` with an integer m reproduces the parsed double
 * exactly (division by an exactly representable power of ten is correctly rounded, and so was
 * parsing the decimal text). Storing m instead of the double turns 8 bytes into a 1–3 byte varint.
 * Exactness is checked per value, bit for bit: a column that does not scale is stored raw.
 */

/** Largest exponent tried: 12 decimals covers every venue's tick and lot sizes (1e-8 is common). */
export const MAX_DECIMAL_EXPONENT = 12;

/** 10^0..10^12, all exact in float64 */
export const POW10: readonly number[] = Array.from({ length: MAX_DECIMAL_EXPONENT + 1 }, (_, e) => 10 ** e);

/**
 * |m| stays below 2^51 so deltas of two m's (|Δ| < 2^52) still have an exact zigzag form (< 2^53).
 */
export const MAX_SCALED = 2 ** 51;

/** true when `v` is exactly `m / 10^e` for m = round(v · 10^e) within range (and v is not -0) */
function scalesAt(v: number, p: number): boolean {
  const m = Math.round(v * p);
  return m / p === v && Math.abs(m) < MAX_SCALED && !(v === 0 && 1 / v < 0);
}

/** the smallest exponent above `e` at which `v` scales exactly, or -1 if none up to 12 */
export function raiseExponent(v: number, e: number): number {
  if (!Number.isFinite(v)) return -1;
  while (++e <= MAX_DECIMAL_EXPONENT) if (scalesAt(v, POW10[e]!)) return e;
  return -1;
}
