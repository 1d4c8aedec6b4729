/** Small pure helpers every adapter needs; one copy here instead of four. */
import { MalformedFrameError } from './types.js';

/** WebSocket frames arrive as text or as binary (Upbit sends JSON inside binary frames). */
export function frameText(frame: string | Buffer): string {
  return typeof frame === 'string' ? frame : frame.toString('utf8');
}

/** JSON.parse that reports a bad frame as MalformedFrameError instead of a SyntaxError. */
export function parseJsonFrame(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new MalformedFrameError(`not JSON: ${text.slice(0, 80)}`, { cause });
  }
}

/** A finite number from an exchange field that may be a number or a numeric string. */
export function num(value: unknown, field: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new MalformedFrameError(`field ${field} is not a number: ${String(value)}`);
  return n;
}

/** Like num, but undefined when the field is absent or empty (a field not sent is never invented). */
export function optNum(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return num(value, field);
}

export function str(value: unknown, field: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new MalformedFrameError(`field ${field} is missing or not a string`);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Quote assets, longest first, to split a concatenated id like `BTCUSDT` when no instrument table is at hand. */
const KNOWN_QUOTES = [
  'FDUSD', 'USDT', 'USDC', 'TUSD', 'BUSD', 'USDE', 'DAI', 'EUR', 'TRY', 'BRL', 'GBP', 'JPY', 'KRW',
  'BTC', 'ETH', 'BNB', 'USD',
];

/** `BTCUSDT` → `{ base: 'BTC', quote: 'USDT' }`; undefined when no known quote ends the id. */
export function splitConcatenated(nativeId: string): { base: string; quote: string } | undefined {
  const upper = nativeId.toUpperCase();
  for (const quote of KNOWN_QUOTES) {
    if (upper.length > quote.length && upper.endsWith(quote)) {
      return { base: upper.slice(0, -quote.length), quote };
    }
  }
  return undefined;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new RangeError(`chunk size must be >= 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Maps native ids to unified symbols, with a fallback guess for ids missing from the table. */
export function symbolMapper(
  instruments: readonly { nativeId: string; symbol: string }[] | undefined,
  guess: (nativeId: string) => string,
): (nativeId: string) => string {
  const table = new Map<string, string>();
  for (const i of instruments ?? []) table.set(i.nativeId, i.symbol);
  return (nativeId) => {
    let symbol = table.get(nativeId);
    if (symbol === undefined) {
      symbol = guess(nativeId);
      table.set(nativeId, symbol);
    }
    return symbol;
  };
}
