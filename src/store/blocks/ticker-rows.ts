/**
 * Ticker columns as the store handles them. Store order is (timestamp, localTimestamp); tickers
 * equal on both keep the order they were stored in (merges are stable, older rows first).
 */
import type { Key } from 'lmdb';
import type { ExchangeId, Market, Ticker } from '../../records.js';
import { decodeTickerBlock, tickerCodec } from './codecs.js';
import { TICKER_OPTIONAL_COLUMNS, type TickerColumns, type TickerOptionalColumn } from './columns.js';
import type { RowKind } from './row-kind.js';

type Optional = Record<TickerOptionalColumn, Float64Array>;

function mapOptional(f: (name: TickerOptionalColumn) => Float64Array): Optional {
  const out = {} as Optional;
  for (const name of TICKER_OPTIONAL_COLUMNS) out[name] = f(name);
  return out;
}

export function tickerColumnsFrom(tickers: readonly Ticker[]): TickerColumns {
  const n = tickers.length;
  const timestamps = new Float64Array(n);
  const localTimestamps = new Float64Array(n);
  const last = new Float64Array(n);
  const optional = mapOptional(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const t = tickers[i] as Ticker;
    timestamps[i] = t.timestamp;
    localTimestamps[i] = t.localTimestamp;
    last[i] = t.last;
    for (const name of TICKER_OPTIONAL_COLUMNS) optional[name][i] = t[name] ?? NaN;
  }
  return { length: n, timestamps, localTimestamps, last, optional };
}

export function tickerRecordAt(c: TickerColumns, i: number, exchange: ExchangeId, market: Market, symbol: string): Ticker {
  const t: Ticker = {
    type: 'ticker', exchange, market, symbol,
    timestamp: c.timestamps[i] as number,
    localTimestamp: c.localTimestamps[i] as number,
    last: c.last[i] as number,
  };
  for (const name of TICKER_OPTIONAL_COLUMNS) {
    const v = c.optional[name][i] as number;
    // an absent field stays absent (NaN in its column), as the record had it
    if (!Number.isNaN(v)) t[name] = v;
  }
  return t;
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

function gatherF64(col: Float64Array, order: ArrayLike<number>): Float64Array {
  const out = new Float64Array(order.length);
  for (let i = 0; i < order.length; i++) out[i] = col[order[i] as number] as number;
  return out;
}

export function compareTickerRows(a: TickerColumns, i: number, b: TickerColumns, j: number): number {
  const ta = a.timestamps[i] as number;
  const tb = b.timestamps[j] as number;
  if (ta !== tb) return ta < tb ? -1 : 1;
  const la = a.localTimestamps[i] as number;
  const lb = b.localTimestamps[j] as number;
  return la < lb ? -1 : la > lb ? 1 : 0;
}

export const tickerRows: RowKind<TickerColumns> = {
  name: 'ticker',
  encode: (c) => tickerCodec.encode(c),
  decode: decodeTickerBlock,
  slice: (c, start, end) => ({
    length: end - start,
    timestamps: c.timestamps.subarray(start, end),
    localTimestamps: c.localTimestamps.subarray(start, end),
    last: c.last.subarray(start, end),
    optional: mapOptional((name) => c.optional[name].subarray(start, end)),
  }),
  concat: (parts) => {
    if (parts.length === 1) return parts[0] as TickerColumns;
    const n = parts.reduce((s, p) => s + p.length, 0);
    return {
      length: n,
      timestamps: concatF64(parts.map((p) => p.timestamps), n),
      localTimestamps: concatF64(parts.map((p) => p.localTimestamps), n),
      last: concatF64(parts.map((p) => p.last), n),
      optional: mapOptional((name) => concatF64(parts.map((p) => p.optional[name]), n)),
    };
  },
  gather: (c, order) => ({
    length: order.length,
    timestamps: gatherF64(c.timestamps, order),
    localTimestamps: gatherF64(c.localTimestamps, order),
    last: gatherF64(c.last, order),
    optional: mapOptional((name) => gatherF64(c.optional[name], order)),
  }),
  compare: compareTickerRows,
  keySuffix: (c, i): Key[] => [c.timestamps[i] as number, c.localTimestamps[i] as number],
};
