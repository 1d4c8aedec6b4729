/**
 * One stored book record's value (its exchange, market, symbol and time live in the key, see
 * keys.ts). Lossless: every number comes back bit for bit. Layout, version 1:
 *
 *   byte    version (1)
 *   byte    kind: 0 snapshot, 1 update, 2 resync
 *   byte    flags (FLAG_*)
 *   [varint | float64]  sequence              when present (varint when a safe non-negative integer)
 *   [float64]           timestamp             when it differs from the key's time (keys.ts clamps)
 *   zigzag | float64    localTimestamp        as (local − timestamp) when both are integers, else raw
 *   varint, varint      bid count, ask count
 *   float column        prices: bids then asks (decimal-scaled deltas: neighbouring levels are ticks apart)
 *   float column        amounts: bids then asks
 *   [varint + UTF-8]    reason                when present
 *
 * The float columns are the block codecs' (blocks/float-column.ts) with one byte or more per value,
 * so a decoder can refuse a level count the bytes cannot hold before it allocates anything.
 */
import type { BookLevelTuple, BookRecord } from '../../records.js';
import { ByteReader } from '../blocks/byte-reader.js';
import { ByteWriter } from '../blocks/byte-writer.js';
import { corrupt } from '../blocks/corrupt.js';
import { decodeFloatColumn, encodeFloatColumn } from '../blocks/float-column.js';

const VERSION = 1;
const KINDS = ['snapshot', 'update', 'resync'] as const;
export type BookKind = BookRecord['kind'];
export const KIND_CODE: Readonly<Record<BookKind, number>> = { snapshot: 0, update: 1, resync: 2 };

const FLAG_SEQUENCE_VARINT = 1;
const FLAG_SEQUENCE_FLOAT = 2;
const FLAG_OWN_TIMESTAMP = 4;
const FLAG_LOCAL_RAW = 8;
const FLAG_REASON = 16;
const KNOWN_FLAGS = 31;

/** what a value holds besides the key: the key supplies the rest of the record */
export interface BookRecordIdentity {
  exchange: BookRecord['exchange'];
  market: BookRecord['market'];
  symbol: string;
  /** the key's time */
  keyTime: number;
}

const writer = new ByteWriter(1024);
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });
let column = new Float64Array(256);

function columnFor(n: number): Float64Array {
  if (column.length < n) column = new Float64Array(Math.max(n, column.length * 2));
  return column;
}

/** the value of `r` stored under a key whose time is `keyTime` */
export function encodeBookValue(r: BookRecord, keyTime: number): Uint8Array {
  const w = writer;
  w.reset(1 << 20);
  const seq = r.sequence;
  const seqVarint = seq !== undefined && Number.isSafeInteger(seq) && seq >= 0;
  const localDelta = r.localTimestamp - r.timestamp;
  const localZigzag = Number.isInteger(r.timestamp) && Number.isInteger(r.localTimestamp) && Math.abs(localDelta) < 2 ** 52;
  const ownTimestamp = !Object.is(r.timestamp, keyTime);
  const flags =
    (seq === undefined ? 0 : seqVarint ? FLAG_SEQUENCE_VARINT : FLAG_SEQUENCE_FLOAT) |
    (ownTimestamp ? FLAG_OWN_TIMESTAMP : 0) |
    (localZigzag ? 0 : FLAG_LOCAL_RAW) |
    (r.reason !== undefined ? FLAG_REASON : 0);
  w.byte(VERSION);
  w.byte(KIND_CODE[r.kind]);
  w.byte(flags);
  if (seq !== undefined) seqVarint ? w.varint(seq) : w.float64(seq);
  if (ownTimestamp) w.float64(r.timestamp);
  if (localZigzag) w.zigzag(localDelta);
  else w.float64(r.localTimestamp);
  const nb = r.bids.length;
  const na = r.asks.length;
  w.varint(nb);
  w.varint(na);
  const values = columnFor(nb + na);
  for (let field = 0; field < 2; field++) {
    for (let i = 0; i < nb; i++) values[i] = (r.bids[i] as BookLevelTuple)[field] as number;
    for (let i = 0; i < na; i++) values[nb + i] = (r.asks[i] as BookLevelTuple)[field] as number;
    encodeFloatColumn(w, values, nb + na, true);
  }
  if (r.reason !== undefined) {
    const text = utf8.encode(r.reason);
    w.varint(text.length);
    w.bytes(text);
  }
  return w.finish();
}

/** only the kind: what the sync index (keys.ts) needs without decoding levels */
export function bookValueKind(value: Uint8Array): BookKind {
  if (value.length < 3 || value[0] !== VERSION) throw corrupt('book record: unknown version');
  const kind = KINDS[value[1] as number];
  if (kind === undefined) throw corrupt(`book record: unknown kind ${value[1]}`);
  return kind;
}

/** the record back; bytes that do not decode exactly to the end are refused (TV_ERR_STORE_CORRUPT_VALUE) */
export function decodeBookValue(value: Uint8Array, id: BookRecordIdentity): BookRecord {
  const kind = bookValueKind(value);
  const r = new ByteReader(value, 2);
  const flags = r.byte();
  if ((flags & ~KNOWN_FLAGS) !== 0 || (flags & FLAG_SEQUENCE_VARINT && flags & FLAG_SEQUENCE_FLOAT)) throw corrupt(`book record: flags ${flags}`);
  const sequence = flags & FLAG_SEQUENCE_VARINT ? r.varint() : flags & FLAG_SEQUENCE_FLOAT ? r.float64() : undefined;
  const timestamp = flags & FLAG_OWN_TIMESTAMP ? r.float64() : id.keyTime;
  const localTimestamp = flags & FLAG_LOCAL_RAW ? r.float64() : timestamp + r.zigzag();
  const nb = r.varint();
  const na = r.varint();
  const n = nb + na;
  // every value takes a byte at least, in each of the two columns
  if (2 * n > r.remaining) throw corrupt('book record: more levels than bytes');
  const prices = new Float64Array(n);
  const amounts = new Float64Array(n);
  decodeFloatColumn(r, prices, n);
  decodeFloatColumn(r, amounts, n);
  let reason: string | undefined;
  if (flags & FLAG_REASON) {
    const len = r.varint();
    try {
      reason = fromUtf8.decode(r.bytes(len));
    } catch (error) {
      if ((error as { code?: unknown }).code === 'TV_ERR_STORE_CORRUPT_VALUE') throw error;
      throw corrupt('book record: reason is not UTF-8');
    }
  }
  if (r.remaining !== 0) throw corrupt('book record: trailing bytes');
  const bids: BookLevelTuple[] = new Array<BookLevelTuple>(nb);
  const asks: BookLevelTuple[] = new Array<BookLevelTuple>(na);
  for (let i = 0; i < nb; i++) bids[i] = [prices[i] as number, amounts[i] as number];
  for (let i = 0; i < na; i++) asks[i] = [prices[nb + i] as number, amounts[nb + i] as number];
  const head = { type: 'book', exchange: id.exchange, market: id.market, symbol: id.symbol, kind, timestamp, localTimestamp } as const;
  const out: BookRecord = sequence === undefined ? { ...head, bids, asks } : { ...head, sequence, bids, asks };
  if (reason !== undefined) out.reason = reason;
  return out;
}
