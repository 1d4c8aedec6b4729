/**
 * Trade columns as the store handles them: built from records, cut, joined, put in order, and read
 * back as records. Store order is (timestamp, id) with ids compared as keys.ts's idPart: numeric ids
 * numerically, before every string id.
 */
import type { Key } from 'lmdb';
import { TradeRowBuffer } from './trade-buffer.js';
import type { ExchangeId, Market, Trade } from '../../records.js';
import { compareIdParts, idPart } from '../keys.js';
import { decodeTradeBlock, tradeCodec } from './codecs.js';
import type { TradeColumns, TradeIdColumn } from './columns.js';
import type { RowKind } from './row-kind.js';
import { numericIdText } from './numeric-id-text.js';

/**
 * `numericIds`, when given: each trade's id as idPart reads it, NaN for a string id (the writer
 * has parsed them already; parsing again cost ~50 ns per trade)
 */
export function tradeColumnsFrom(trades: readonly Trade[], numericIds?: readonly number[]): TradeColumns {
  const n = trades.length;
  const timestamps = new Float64Array(n);
  const localTimestamps = new Float64Array(n);
  const prices = new Float64Array(n);
  const amounts = new Float64Array(n);
  const sides = new Uint8Array(n);
  let numeric: Float64Array | undefined = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = trades[i] as Trade;
    timestamps[i] = t.timestamp;
    localTimestamps[i] = t.localTimestamp;
    prices[i] = t.price;
    amounts[i] = t.amount;
    sides[i] = t.side === 'sell' ? 1 : 0;
    if (numeric !== undefined) {
      const part = numericIds !== undefined ? (numericIds[i] as number) : idPart(t.id);
      if (typeof part === 'number' && !Number.isNaN(part)) numeric[i] = part;
      else numeric = undefined;
    }
  }
  const ids: TradeIdColumn = numeric !== undefined ? { kind: 'numeric', values: numeric } : { kind: 'string', values: trades.map((t) => t.id) };
  return { length: n, timestamps, localTimestamps, ids, prices, amounts, sides };
}

export function tradeIdAt(c: TradeColumns, i: number): string {
  return c.ids.kind === 'numeric' ? numericIdText(c.ids.values[i] as number) : (c.ids.values[i] as string);
}

/** the id as keys order it (number or string) */
export function tradePartAt(c: TradeColumns, i: number): number | string {
  return c.ids.kind === 'numeric' ? (c.ids.values[i] as number) : idPart(c.ids.values[i] as string);
}

/** every row as a record of one symbol */
export function tradeRecordsOf(c: TradeColumns, exchange: ExchangeId, market: Market, symbol: string): Trade[] {
  const out = new Array<Trade>(c.length);
  for (let i = 0; i < c.length; i++) out[i] = tradeRecordAt(c, i, exchange, market, symbol);
  return out;
}

export function tradeRecordAt(c: TradeColumns, i: number, exchange: ExchangeId, market: Market, symbol: string): Trade {
  return {
    type: 'trade', exchange, market, symbol,
    id: c.ids.kind === 'numeric' ? numericIdText(c.ids.values[i] as number) : (c.ids.values[i] as string),
    price: c.prices[i] as number,
    amount: c.amounts[i] as number,
    side: c.sides[i] === 1 ? 'sell' : 'buy',
    timestamp: c.timestamps[i] as number,
    localTimestamp: c.localTimestamps[i] as number,
  };
}

function sliceTrades(c: TradeColumns, start: number, end: number): TradeColumns {
  return {
    length: end - start,
    timestamps: c.timestamps.subarray(start, end),
    localTimestamps: c.localTimestamps.subarray(start, end),
    ids: c.ids.kind === 'numeric' ? { kind: 'numeric', values: c.ids.values.subarray(start, end) } : { kind: 'string', values: c.ids.values.slice(start, end) },
    prices: c.prices.subarray(start, end),
    amounts: c.amounts.subarray(start, end),
    sides: c.sides.subarray(start, end),
  };
}

function concatF64(parts: readonly Float64Array[], n: number): Float64Array {
  const out = new Float64Array(n);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

function concatTrades(parts: readonly TradeColumns[]): TradeColumns {
  if (parts.length === 1) return parts[0] as TradeColumns;
  const n = parts.reduce((s, p) => s + p.length, 0);
  const sides = new Uint8Array(n);
  let pos = 0;
  for (const p of parts) {
    sides.set(p.sides, pos);
    pos += p.length;
  }
  const allNumeric = parts.every((p) => p.ids.kind === 'numeric');
  const ids: TradeIdColumn = allNumeric
    ? { kind: 'numeric', values: concatF64(parts.map((p) => p.ids.values as Float64Array), n) }
    : { kind: 'string', values: parts.flatMap((p) => (p.ids.kind === 'string' ? p.ids.values : Array.from(p.ids.values, String))) };
  return {
    length: n,
    timestamps: concatF64(parts.map((p) => p.timestamps), n),
    localTimestamps: concatF64(parts.map((p) => p.localTimestamps), n),
    ids,
    prices: concatF64(parts.map((p) => p.prices), n),
    amounts: concatF64(parts.map((p) => p.amounts), n),
    sides,
  };
}

function gatherF64(col: Float64Array, order: ArrayLike<number>): Float64Array {
  const out = new Float64Array(order.length);
  for (let i = 0; i < order.length; i++) out[i] = col[order[i] as number] as number;
  return out;
}

/** the rows at `order`'s indices, in that order, as new columns */
export function gatherTrades(c: TradeColumns, order: ArrayLike<number>): TradeColumns {
  const sides = new Uint8Array(order.length);
  for (let i = 0; i < order.length; i++) sides[i] = c.sides[order[i] as number] as number;
  const ids: TradeIdColumn = c.ids.kind === 'numeric'
    ? { kind: 'numeric', values: gatherF64(c.ids.values, order) }
    : { kind: 'string', values: Array.from(order, (k) => (c.ids.values as readonly string[])[k] as string) };
  return {
    length: order.length,
    timestamps: gatherF64(c.timestamps, order),
    localTimestamps: gatherF64(c.localTimestamps, order),
    ids,
    prices: gatherF64(c.prices, order),
    amounts: gatherF64(c.amounts, order),
    sides,
  };
}

export function compareTradeRows(a: TradeColumns, i: number, b: TradeColumns, j: number): number {
  const ta = a.timestamps[i] as number;
  const tb = b.timestamps[j] as number;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return compareIdParts(tradePartAt(a, i), tradePartAt(b, j));
}

export const tradeRows: RowKind<TradeColumns> = {
  name: 'trade',
  encode: (c) => tradeCodec.encode(c),
  decode: decodeTradeBlock,
  slice: sliceTrades,
  concat: concatTrades,
  gather: gatherTrades,
  compare: compareTradeRows,
  keySuffix: (c, i): Key[] => [c.timestamps[i] as number, tradePartAt(c, i)],
  buffer: () => new TradeRowBuffer(),
};
