/**
 * One published batch of one symbol's trades as bytes: msgpack of
 * `{v, x: exchange, m: market, s: symbol, w: windowStart, t: rows}`, each trade a row
 * `[id, timestamp, localTimestamp, price, amount, side]` (side 0 buy, 1 sell). msgpack over JSON:
 * measured on 20-trade batches, it encodes about 3× and decodes about 2× faster and is 27% smaller
 * (docs/cluster.md#data). Decoding checks every field: a malformed message is refused, never a crash.
 */
import type { ExchangeId, Market, Trade } from '../records.js';
import { finite, openEnvelope, packr, type Envelope } from './wire-envelope.js';

export const BATCH_FORMAT = 1;

export interface TradeBatch {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  /** start of the exchange-time window the trades fall in (ms) */
  windowStart: number;
  trades: Trade[];
}

type Row = [id: string, timestamp: number, localTimestamp: number, price: number, amount: number, side: 0 | 1];

interface Wire extends Envelope {
  w: number;
  t: Row[];
}

export function encodeTradeBatch(batch: TradeBatch): Uint8Array {
  const rows: Row[] = new Array(batch.trades.length);
  for (let i = 0; i < rows.length; i++) {
    const t = batch.trades[i]!;
    rows[i] = [t.id, t.timestamp, t.localTimestamp, t.price, t.amount, t.side === 'buy' ? 0 : 1];
  }
  const wire: Wire = { v: BATCH_FORMAT, x: batch.exchange, m: batch.market, s: batch.symbol, w: batch.windowStart, t: rows };
  return packr.pack(wire);
}

/** the batch, or a one-line reason it cannot be read */
export function decodeTradeBatch(bytes: Uint8Array): TradeBatch | { error: string } {
  const opened = openEnvelope<Wire>(bytes, BATCH_FORMAT, 'batch');
  if ('error' in opened) return opened;
  const { wire, exchange, market, symbol } = opened;
  if (!finite(wire.w)) return { error: 'no window start' };
  if (!Array.isArray(wire.t)) return { error: 'no trades' };
  const trades: Trade[] = new Array(wire.t.length);
  for (let i = 0; i < wire.t.length; i++) {
    const r = wire.t[i] as unknown;
    if (!Array.isArray(r) || r.length !== 6) return { error: `trade ${i} is not a 6-field row` };
    const [id, timestamp, localTimestamp, price, amount, side] = r as unknown[];
    if (typeof id !== 'string' || id === '' || !finite(timestamp) || !finite(localTimestamp) || !finite(price) || !finite(amount) || (side !== 0 && side !== 1)) {
      return { error: `trade ${i} has a malformed field` };
    }
    trades[i] = { type: 'trade', exchange, market, symbol, id, timestamp, localTimestamp, price, amount, side: side === 0 ? 'buy' : 'sell' };
  }
  return { exchange, market, symbol, windowStart: wire.w, trades };
}
