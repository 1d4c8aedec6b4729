/**
 * OKX SWAP sizes are contracts; base amount = sz × ctVal. Done in decimal so that
 * `3 × 0.1` is 0.3 and not 0.30000000000000004: both operands are decimal strings, their digits
 * multiply exactly as integers (while below 2^53), and one division by a power of ten rounds once.
 */
import { MalformedFrameError } from '../types.js';

/** A decimal as integer digits and a power-of-ten scale: `0.01` → { digits: 1, scale: 2 }. */
export interface ScaledDecimal {
  digits: number;
  scale: number;
  value: number;
}

export function scaledDecimal(text: string): ScaledDecimal | undefined {
  if (text.trim() === '' || text.length > 40) return undefined;
  const dot = text.indexOf('.');
  const intPart = dot === -1 ? text : text.slice(0, dot);
  const fracPart = dot === -1 ? '' : text.slice(dot + 1);
  const digits = Number(intPart + fracPart);
  const value = Number(text);
  if (!Number.isFinite(digits) || !Number.isFinite(value) || intPart.startsWith('-')) return undefined;
  return { digits, scale: fracPart.length, value };
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** sz (decimal text, contracts) × contract size → base amount; throws MalformedFrameError on bad sz. */
export function contractsToBase(sz: unknown, contract: ScaledDecimal): number {
  const text = typeof sz === 'string' ? sz : typeof sz === 'number' ? String(sz) : undefined;
  const size = text === undefined ? undefined : scaledDecimal(text);
  if (size === undefined) throw new MalformedFrameError(`field sz is not a number: ${String(sz)}`);
  const product = size.digits * contract.digits;
  const scale = size.scale + contract.scale;
  if (Number.isSafeInteger(product) && scale < POW10.length) return product / (POW10[scale] as number);
  return size.value * contract.value;
}
