/**
 * One published batch of one symbol's trades as bytes: msgpack of
 * `{v: 2, x: exchange, m: market, s: symbol, w: windowStart, b: block}`, where `b` is the trades
 * as one columnar block, the store's own trade codec (docs/architecture.md#store, codecs): a
 * window's trades are in store order already (window-batcher.ts), consecutive ids cost almost
 * nothing and a price walking in ticks a byte or two, so a message is ~6–10 bytes a trade instead
 * of format 1's ~47. The stream's servers store and replicate every byte three times, and their
 * cost grew with the bytes as well as the messages (docs/cluster.md#figures).
 *
 * Format 1 (`t: [[id, timestamp, localTimestamp, price, amount, side], …]`, plain msgpack rows)
 * is still read: a stream keeps a day of messages written by an earlier node. Decoding checks
 * every field: a malformed message is refused with a one-line reason, never a crash.
 */
import type { ExchangeId, Market, Trade } from '../records.js';
import type { TradeColumns } from '../store/blocks/columns.js';
import { decodeTradeBlock, tradeCodec } from '../store/blocks/codecs.js';
import { tradeColumnsFrom, tradeRecordsOf } from '../store/blocks/trade-rows.js';
import { finite, openEnvelope, packr, type Envelope } from './wire-envelope.js';

/** the format new messages are written in */
export const BATCH_FORMAT = 2;
const ROWS_FORMAT = 1;

export interface TradeBatch {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  /** start of the exchange-time window the trades fall in (ms) */
  windowStart: number;
  trades: Trade[];
}

/** a decoded batch as columns (format 2 carries them; format 1's rows are turned into them) */
export interface TradeBatchColumns {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  windowStart: number;
  columns: TradeColumns;
}

type Row = [id: string, timestamp: number, localTimestamp: number, price: number, amount: number, side: 0 | 1];

interface Wire extends Envelope {
  w: number;
  /** format 1 */
  t: Row[];
  /** format 2 */
  b: Uint8Array;
}

export function encodeTradeBatch(batch: TradeBatch): Uint8Array {
  return encodeTradeColumns({ ...batch, columns: tradeColumnsFrom(batch.trades) });
}

/** a window's trades already as columns (the publisher's own path: no record per trade) */
export function encodeTradeColumns(batch: TradeBatchColumns): Uint8Array {
  const block = tradeCodec.encode(batch.columns);
  return packr.pack({ v: BATCH_FORMAT, x: batch.exchange, m: batch.market, s: batch.symbol, w: batch.windowStart, b: block });
}

/** format 1, kept for tests of the reader (and for a library consumer that wants plain msgpack rows) */
export function encodeTradeBatchRows(batch: TradeBatch): Uint8Array {
  const rows: Row[] = new Array(batch.trades.length);
  for (let i = 0; i < rows.length; i++) {
    const t = batch.trades[i]!;
    rows[i] = [t.id, t.timestamp, t.localTimestamp, t.price, t.amount, t.side === 'buy' ? 0 : 1];
  }
  return packr.pack({ v: ROWS_FORMAT, x: batch.exchange, m: batch.market, s: batch.symbol, w: batch.windowStart, t: rows });
}

/** the batch, or a one-line reason it cannot be read */
export function decodeTradeBatch(bytes: Uint8Array): TradeBatch | { error: string } {
  const decoded = decodeTradeBatchColumns(bytes);
  if ('error' in decoded) return decoded;
  const { exchange, market, symbol, windowStart, columns } = decoded;
  return { exchange, market, symbol, windowStart, trades: tradeRecordsOf(columns, exchange, market, symbol) };
}

/** the batch as columns (no object per trade), or a one-line reason it cannot be read */
export function decodeTradeBatchColumns(bytes: Uint8Array): TradeBatchColumns | { error: string } {
  const opened = openEnvelope<Wire>(bytes, [BATCH_FORMAT, ROWS_FORMAT], 'batch');
  if ('error' in opened) return opened;
  const { wire, exchange, market, symbol } = opened;
  if (!finite(wire.w)) return { error: 'no window start' };
  const columns = wire.v === ROWS_FORMAT ? rowsToColumns(wire.t) : blockToColumns(wire.b);
  if ('error' in columns) return columns;
  return { exchange, market, symbol, windowStart: wire.w, columns };
}

function blockToColumns(block: unknown): TradeColumns | { error: string } {
  if (!(block instanceof Uint8Array)) return { error: 'no trade block' };
  let c: TradeColumns;
  try {
    c = decodeTradeBlock(block);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  // the codec gives back whatever float64s were written: a sender's NaN is still refused here
  for (let i = 0; i < c.length; i++) {
    if (!finite(c.timestamps[i]) || !finite(c.localTimestamps[i]) || !finite(c.prices[i]) || !finite(c.amounts[i])) return { error: `trade ${i} has a malformed field` };
    if (c.ids.kind === 'string' && c.ids.values[i] === '') return { error: `trade ${i} has no id` };
  }
  return c;
}

function rowsToColumns(rows: unknown): TradeColumns | { error: string } {
  if (!Array.isArray(rows)) return { error: 'no trades' };
  const trades: Trade[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as unknown;
    if (!Array.isArray(r) || r.length !== 6) return { error: `trade ${i} is not a 6-field row` };
    const [id, timestamp, localTimestamp, price, amount, side] = r as unknown[];
    if (typeof id !== 'string' || id === '' || !finite(timestamp) || !finite(localTimestamp) || !finite(price) || !finite(amount) || (side !== 0 && side !== 1)) {
      return { error: `trade ${i} has a malformed field` };
    }
    // only the fields the columns keep are read back from this record
    trades[i] = { id, timestamp, localTimestamp, price, amount, side: side === 0 ? 'buy' : 'sell' } as Trade;
  }
  return tradeColumnsFrom(trades);
}
