/**
 * One published message of one symbol's tickers as bytes: msgpack of
 * `{v, x: exchange, m: market, s: symbol, k: rows}`, each ticker a row
 * `[timestamp, localTimestamp, last, bid, ask, bidSize, askSize, high24h, low24h, volume24h, quoteVolume24h]`
 * with null for a field the venue does not send; the envelope is every message's (wire-envelope.ts).
 * Decoding checks every field, so a malformed message is refused, never a crash.
 */
import type { ExchangeId, Market, Ticker } from '../records.js';
import { TICKER_OPTIONAL_COLUMNS } from '../store/blocks/columns.js';
import { finite, openEnvelope, packr, type Envelope } from './wire-envelope.js';

export const TICKER_BATCH_FORMAT = 1;

export interface TickerBatch {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  tickers: Ticker[];
}

/** fields after timestamp, localTimestamp and last, in row order */
const OPTIONAL = TICKER_OPTIONAL_COLUMNS;
const ROW_LENGTH = 3 + OPTIONAL.length;

type Row = (number | null)[];

interface Wire extends Envelope {
  k: Row[];
}

export function encodeTickerBatch(batch: TickerBatch): Uint8Array {
  const rows: Row[] = new Array(batch.tickers.length);
  for (let i = 0; i < rows.length; i++) {
    const t = batch.tickers[i]!;
    const row: Row = [t.timestamp, t.localTimestamp, t.last];
    for (const f of OPTIONAL) row.push(t[f] ?? null);
    rows[i] = row;
  }
  const wire: Wire = { v: TICKER_BATCH_FORMAT, x: batch.exchange, m: batch.market, s: batch.symbol, k: rows };
  return packr.pack(wire);
}

/** the batch, or a one-line reason it cannot be read */
export function decodeTickerBatch(bytes: Uint8Array): TickerBatch | { error: string } {
  const opened = openEnvelope<Wire>(bytes, TICKER_BATCH_FORMAT, 'ticker batch');
  if ('error' in opened) return opened;
  const { wire, exchange, market, symbol } = opened;
  if (!Array.isArray(wire.k)) return { error: 'no tickers' };
  const tickers: Ticker[] = new Array(wire.k.length);
  for (let i = 0; i < wire.k.length; i++) {
    const r = wire.k[i] as unknown;
    if (!Array.isArray(r) || r.length !== ROW_LENGTH) return { error: `ticker ${i} is not a ${ROW_LENGTH}-field row` };
    const [timestamp, localTimestamp, last] = r as unknown[];
    if (!finite(timestamp) || !finite(localTimestamp) || !finite(last)) return { error: `ticker ${i} has a malformed field` };
    const t: Ticker = { type: 'ticker', exchange, market, symbol, timestamp, localTimestamp, last };
    for (let f = 0; f < OPTIONAL.length; f++) {
      const v = r[3 + f] as unknown;
      if (v === null) continue;
      if (!finite(v)) return { error: `ticker ${i} has a malformed ${OPTIONAL[f]}` };
      t[OPTIONAL[f]!] = v;
    }
    tickers[i] = t;
  }
  return { exchange, market, symbol, tickers };
}

/**
 * What makes two tickers the same exchange event: the exchange's time and every value, not the
 * time each node received it (two redundant nodes receive one ticker at two local times).
 */
export function tickerEventKey(t: Ticker): string {
  let key = `${t.timestamp}|${t.last}`;
  for (const f of OPTIONAL) key += `|${t[f] ?? ''}`;
  return key;
}
