/**
 * Reading price levels off the wire for the order-book parsers: `[["price","size", …], …]`, strings
 * (or numbers, Upbit) read by common.ts's number rule. Sizes become base units through `toBase`
 * (OKX swaps: contracts × contract size); the wire texts are kept only when asked (`keepTexts`:
 * OKX's checksum, see books/order-book.ts).
 */
import type { BookLevel } from '../books/order-book.js';
import { num, preview } from './common.js';
import { MalformedFrameError } from './types.js';

/** the most levels one frame may carry: real books are ≤ 5,000 deep (Binance REST); beyond is not a book */
export const MAX_LEVELS_PER_FRAME = 20_000;

export function levelText(value: unknown, field: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new MalformedFrameError(`field ${field} is not a number: ${preview(value)}`);
}

export function bookLevel(price: unknown, size: unknown, field: string, toBase?: (sizeText: string) => number, keepTexts = false): BookLevel {
  const priceText = levelText(price, `${field} price`);
  const sizeText = levelText(size, `${field} size`);
  const p = num(priceText, `${field} price`);
  const amount = toBase ? toBase(sizeText) : num(sizeText, `${field} size`);
  if (!(p > 0) || !(amount >= 0)) throw new MalformedFrameError(`${field} level ${preview(priceText)} × ${preview(sizeText)} is not a positive price and a size ≥ 0`);
  return keepTexts ? [p, amount, priceText, sizeText] : [p, amount];
}

/** `[[price, size, …], …]` → levels */
export function bookLevels(value: unknown, field: string, toBase?: (sizeText: string) => number, keepTexts = false): BookLevel[] {
  if (!Array.isArray(value)) throw new MalformedFrameError(`field ${field} is not an array of levels: ${preview(value)}`);
  if (value.length > MAX_LEVELS_PER_FRAME) throw new MalformedFrameError(`field ${field} has ${value.length} levels, over ${MAX_LEVELS_PER_FRAME}`);
  const out: BookLevel[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const row: unknown = value[i];
    if (!Array.isArray(row) || row.length < 2) throw new MalformedFrameError(`${field}[${i}] is not a [price, size] pair: ${preview(row)}`);
    out[i] = bookLevel(row[0], row[1], field, toBase, keepTexts);
  }
  return out;
}

/** an update id: a non-negative safe integer */
export function bookId(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= -1) return value;
  if (typeof value === 'string' && /^-?\d{1,16}$/.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n) && n >= -1) return n;
  }
  throw new MalformedFrameError(`field ${field} is not an update id: ${preview(value)}`);
}
