/**
 * One published message of one symbol's committed book records as bytes: msgpack of
 * `{v, x: exchange, m: market, s: symbol, r: rows}`, each record a row
 * `[kind, timestamp, localTimestamp, sequence, prev, bids, asks, reason]`:
 * kind 0 snapshot, 1 update, 2 resync; sequence the venue's (null where it has none); prev the
 * sequence of the record the node stored just before this one for the symbol (null after a
 * resync, or where unknown): the link the archiver checks continuity by (book-archive.ts);
 * bids and asks flat `[price, amount, price, amount, …]`; reason null unless a resync.
 * The envelope is every message's (wire-envelope.ts). Decoding checks every field, so a malformed
 * message is refused, never a crash.
 */
import type { BookLevelTuple, BookRecord, ExchangeId, Market } from '../records.js';
import type { BookColumns } from '../store/books/pending-run.js';
import { finite, openEnvelope, packr, type Envelope } from './wire-envelope.js';

export const BOOK_BATCH_FORMAT = 1;

const KINDS: readonly BookRecord['kind'][] = ['snapshot', 'update', 'resync'];
const KIND_OF: Readonly<Record<BookRecord['kind'], number>> = { snapshot: 0, update: 1, resync: 2 };

/** a record as published: the record and the sequence of the node's record before it */
export interface LinkedBookRecord {
  record: BookRecord;
  /** sequence of the node's previous record of the symbol; undefined after a resync, at its start, or where the venue has none */
  prev?: number;
}

export interface BookBatch {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  records: LinkedBookRecord[];
}

export type BookWireRow = [kind: number, timestamp: number, localTimestamp: number, sequence: number | null, prev: number | null, bids: number[], asks: number[], reason: string | null];

interface Wire extends Envelope {
  r: BookWireRow[];
}

function flat(levels: readonly BookLevelTuple[]): number[] {
  const out = new Array<number>(levels.length * 2);
  for (let j = 0; j < levels.length; j++) (out[2 * j] = levels[j]![0]), (out[2 * j + 1] = levels[j]![1]);
  return out;
}

export function bookRow(r: BookRecord, prev: number | undefined): BookWireRow {
  return [KIND_OF[r.kind], r.timestamp, r.localTimestamp, r.sequence ?? null, prev ?? null, flat(r.bids), flat(r.asks), r.reason ?? null];
}

/** record `i` of a run's columns as a row, read straight off the columns (no record object on the way) */
export function bookRowFromColumns(c: BookColumns, i: number, prev: number | undefined): BookWireRow {
  const start = c.levelStart[i]!;
  const nb = c.bidCounts[i]!;
  const end = c.levelStart[i + 1]!;
  const bids = new Array<number>(nb * 2);
  const asks = new Array<number>((end - start - nb) * 2);
  for (let j = 0; j < nb; j++) (bids[2 * j] = c.prices[start + j]!), (bids[2 * j + 1] = c.amounts[start + j]!);
  for (let j = 0; j < end - start - nb; j++) (asks[2 * j] = c.prices[start + nb + j]!), (asks[2 * j + 1] = c.amounts[start + nb + j]!);
  const sequence = c.sequences[i]!;
  return [c.kinds[i]!, c.timestamps[i]!, c.localTimestamps[i]!, Number.isNaN(sequence) ? null : sequence, prev ?? null, bids, asks, c.reasons[i] ?? null];
}

export function encodeBookRows(exchange: ExchangeId, market: Market, symbol: string, rows: BookWireRow[]): Uint8Array {
  const wire: Wire = { v: BOOK_BATCH_FORMAT, x: exchange, m: market, s: symbol, r: rows };
  return packr.pack(wire);
}

export function encodeBookBatch(batch: BookBatch): Uint8Array {
  return encodeBookRows(batch.exchange, batch.market, batch.symbol, batch.records.map((l) => bookRow(l.record, l.prev)));
}

function levels(v: unknown): BookLevelTuple[] | undefined {
  if (!Array.isArray(v) || v.length % 2 !== 0) return undefined;
  const out = new Array<BookLevelTuple>(v.length / 2);
  for (let j = 0; j < out.length; j++) {
    const price: unknown = v[2 * j];
    const amount: unknown = v[2 * j + 1];
    if (!finite(price) || !finite(amount)) return undefined;
    out[j] = [price, amount];
  }
  return out;
}

/** the batch, or a one-line reason it cannot be read */
export function decodeBookBatch(bytes: Uint8Array): BookBatch | { error: string } {
  const opened = openEnvelope<Wire>(bytes, BOOK_BATCH_FORMAT, 'book batch');
  if ('error' in opened) return opened;
  const { wire, exchange, market, symbol } = opened;
  if (!Array.isArray(wire.r)) return { error: 'no book records' };
  const records = new Array<LinkedBookRecord>(wire.r.length);
  for (let i = 0; i < wire.r.length; i++) {
    const row = wire.r[i] as unknown;
    if (!Array.isArray(row) || row.length !== 8) return { error: `book record ${i} is not an 8-field row` };
    const [k, timestamp, localTimestamp, sequence, prev, b, a, reason] = row as unknown[];
    const kind = typeof k === 'number' ? KINDS[k] : undefined;
    if (kind === undefined) return { error: `book record ${i} has an unknown kind ${String(k)}` };
    if (!finite(timestamp) || !finite(localTimestamp)) return { error: `book record ${i} has a malformed time` };
    if ((sequence !== null && !finite(sequence)) || (prev !== null && !finite(prev))) return { error: `book record ${i} has a malformed sequence` };
    if (reason !== null && typeof reason !== 'string') return { error: `book record ${i} has a malformed reason` };
    const bids = levels(b);
    const asks = levels(a);
    if (bids === undefined || asks === undefined) return { error: `book record ${i} has malformed levels` };
    const record: BookRecord = { type: 'book', exchange, market, symbol, kind, timestamp, localTimestamp, bids, asks };
    if (sequence !== null) record.sequence = sequence;
    if (reason !== null) record.reason = reason;
    records[i] = prev === null ? { record } : { record, prev };
  }
  return { exchange, market, symbol, records };
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/**
 * 32-bit FNV-1a over what the rows say about the venue's book, not when a node received it (the
 * local time): kind, exchange time, sequence, prev, every level's bits, reason. Two redundant nodes
 * that committed the same records in one batch hash the same.
 */
export function bookRowsHash(rows: readonly BookWireRow[]): string {
  let h = 0x811c9dc5;
  const mix = (n: number) => {
    bits[0] = n;
    for (let w = 0; w < 2; w++) {
      const v = words[w]!;
      for (let s = 0; s < 32; s += 8) {
        h ^= (v >>> s) & 0xff;
        h = Math.imul(h, 0x01000193);
      }
    }
  };
  for (const [kind, timestamp, , sequence, prev, bids, asks, reason] of rows) {
    mix(kind);
    mix(timestamp);
    mix(sequence ?? NaN);
    mix(prev ?? NaN);
    mix(bids.length);
    for (const v of bids) mix(v);
    mix(asks.length);
    for (const v of asks) mix(v);
    if (reason !== null) for (let i = 0; i < reason.length; i++) mix(reason.charCodeAt(i));
    mix(-1);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
