/**
 * OKX SWAP sizes are contracts; base amount = sz × ctVal. Done in decimal so that
 * `3 × 0.1` is 0.3 and not 0.30000000000000004: both operands are decimal strings, their digits
 * multiply exactly as integers (while below 2^53), and one division by a power of ten rounds once.
 */
import { num, preview } from '../common.js';
import { MalformedFrameError } from '../types.js';

/** A decimal as integer digits and a power-of-ten scale: `0.01` → { digits: 1, scale: 2 }. */
export interface ScaledDecimal {
  digits: number;
  scale: number;
  value: number;
}

/**
 * Plain non-negative decimal text only — digits with at most one '.' between digits
 * (`"3"`, `"0.7"`, `"12.50"`). Anything else (sign, exponent, spaces, hex) is undefined: the digit
 * arithmetic below is only exact for this form (`"1.5e3"` would otherwise read as 15).
 */
export function scaledDecimal(text: string): ScaledDecimal | undefined {
  const len = text.length;
  if (len === 0 || len > 40) return undefined;
  let dot = -1;
  for (let k = 0; k < len; k++) {
    const c = text.charCodeAt(k);
    if (c === 46 /* '.' */ && dot === -1 && k > 0 && k < len - 1) dot = k;
    else if (c < 48 || c > 57) return undefined;
  }
  const intPart = dot === -1 ? text : text.slice(0, dot);
  const fracPart = dot === -1 ? '' : text.slice(dot + 1);
  const digits = Number(intPart + fracPart);
  const value = Number(text);
  if (!Number.isFinite(digits) || !Number.isFinite(value)) return undefined;
  return { digits, scale: fracPart.length, value };
}

/** A contract size given as a number (Instrument.contractSize), in the same exact form when it has one. */
export function contractSize(value: number): ScaledDecimal | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  // String(1e-7) is "1e-7": no plain decimal form, so only the float value is kept
  return scaledDecimal(String(value)) ?? { digits: Number.NaN, scale: 0, value };
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * sz (contracts, a decimal string or a number) × contract size → base amount. Exact decimal
 * arithmetic when both are plain decimals within 2^53; otherwise (an exponent form such as
 * `"1e-3"`, very long digits) the float product of two values read by common.ts' number rule.
 * A negative or unreadable sz is a MalformedFrameError.
 */
export function contractsToBase(sz: unknown, contract: ScaledDecimal, field = 'sz'): number {
  const text = typeof sz === 'string' ? sz : typeof sz === 'number' ? String(sz) : undefined;
  const size = text === undefined ? undefined : scaledDecimal(text);
  if (size !== undefined) {
    const product = size.digits * contract.digits;
    const scale = size.scale + contract.scale;
    if (Number.isSafeInteger(product) && scale < POW10.length) return product / (POW10[scale] as number);
    return size.value * contract.value;
  }
  const value = num(sz, field);
  if (value < 0) throw new MalformedFrameError(`field ${field} is negative: ${preview(sz)}`);
  return value * contract.value;
}
