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

/**
 * The smallest exponent e (0..12) at which every value of `values[from..to)` scales exactly, or -1.
 * One pass: the exponent only grows, and a value exact at e stays exact at a larger e while m is in
 * range (the rational m·10^k / 10^(e+k) is the same number, so the correctly rounded quotient is too);
 * the encoder re-verifies each value when it scales it, so this is a fast guess that cannot lie.
 */
export function findDecimalExponent(values: Float64Array, from = 0, to = values.length): number {
  let e = 0;
  let p = 1;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (scalesAt(v, p)) continue;
    if (!Number.isFinite(v)) return -1;
    do {
      e++;
      if (e > MAX_DECIMAL_EXPONENT) return -1;
      p = POW10[e]!;
    } while (!scalesAt(v, p));
  }
  return e;
}
