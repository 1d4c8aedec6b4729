/**
 * The columnar ticker block codec (codec id 2): one symbol's tickers as columns.
 *
 *   [2] [rows: varint] [flags: 0]
 *   timestamps        float column, never a form under a byte a row (that bounds the row count)
 *   localTimestamps   offset from timestamps (see relative-time.ts)
 *   last              float column
 *   then for each of TICKER_OPTIONAL_COLUMNS, in that order:
 *     presence byte   0 absent from every row, 1 present in every row, 2 bitmap follows
 *     [bitmap]        bit i = row i has the field
 *     values          float column of the present values only
 *
 * A field is absent where its column holds NaN (stored values are never NaN). Presence per column,
 * not per row, because venues send the same fields on every message of a stream: the usual cost is
 * one byte per column per block. Column forms (decimal delta, constant, raw...) as in float-column.ts.
 */
import { type BlockCodec, TICKER_OPTIONAL_COLUMNS, type TickerColumns, type TickerOptionalColumn } from './columns.js';
import type { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { corrupt, invalidColumns } from './corrupt.js';
import { decodeBitmap, encodeBitmap } from './bitmap.js';
import { expectEnd, readFrameHeader, writeFrameHeader } from './codec-frame.js';
import { decodeFloatColumn, encodeFloatColumn } from './float-column.js';
import { decodeRelativeTime, encodeRelativeTime } from './relative-time.js';
import { StoreError } from '../errors.js';

const Presence = { None: 0, All: 1, Bitmap: 2 } as const;

function checkShape(c: TickerColumns): void {
  const n = c.length;
  if (!Number.isSafeInteger(n) || n < 0) throw invalidColumns(`length ${n}`);
  const columns: [string, Float64Array | undefined][] = [
    ['timestamps', c.timestamps],
    ['localTimestamps', c.localTimestamps],
    ['last', c.last],
    ...TICKER_OPTIONAL_COLUMNS.map((k): [string, Float64Array | undefined] => [k, c.optional[k]]),
  ];
  for (const [name, col] of columns) {
    if (col === undefined || col.length < n) throw invalidColumns(`${name} has ${col?.length ?? 0} entries, block has ${n}`);
  }
}

let presentScratch = new Uint8Array(1024);
let valueScratch = new Float64Array(1024);

function encodeOptional(w: ByteWriter, values: Float64Array, n: number): void {
  if (presentScratch.length < n) {
    presentScratch = new Uint8Array(Math.max(n, presentScratch.length * 2));
    valueScratch = new Float64Array(presentScratch.length);
  }
  const present = presentScratch;
  const compact = valueScratch;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const has = v === v ? 1 : 0;
    present[i] = has;
    if (has) compact[count++] = v;
  }
  if (count === 0) return w.byte(Presence.None);
  if (count === n) {
    w.byte(Presence.All);
    return encodeFloatColumn(w, values, n);
  }
  w.byte(Presence.Bitmap);
  encodeBitmap(w, present, n);
  encodeFloatColumn(w, compact, count);
}

function decodeOptional(r: ByteReader, n: number): Float64Array {
  const out = new Float64Array(n);
  const presence = r.byte();
  if (presence === Presence.None) {
    out.fill(NaN);
  } else if (presence === Presence.All) {
    decodeFloatColumn(r, out, n);
  } else if (presence === Presence.Bitmap) {
    const present = new Uint8Array(n);
    decodeBitmap(r, present, n);
    let count = 0;
    for (let i = 0; i < n; i++) count += present[i]!;
    const compact = new Float64Array(count);
    decodeFloatColumn(r, compact, count);
    for (let i = 0, k = 0; i < n; i++) out[i] = present[i] ? compact[k++]! : NaN;
  } else {
    throw corrupt(`unknown presence ${presence}`);
  }
  return out;
}

/** one writer for every encode (encode is synchronous and finish() copies out) */
const WRITER_KEEP_BYTES = 1 << 20;
const writer = new ByteWriter(64 * 1024);

function encode(c: TickerColumns): Uint8Array {
  checkShape(c);
  const n = c.length;
  const w = writer;
  w.reset(WRITER_KEEP_BYTES);
  writeFrameHeader(w, n);
  encodeFloatColumn(w, c.timestamps, n, true);
  encodeRelativeTime(w, c.timestamps, c.localTimestamps, n);
  encodeFloatColumn(w, c.last, n);
  for (const k of TICKER_OPTIONAL_COLUMNS) encodeOptional(w, c.optional[k], n);
  const value = w.finish();
  w.reset(WRITER_KEEP_BYTES);
  return value;
}

function decode(bytes: Uint8Array): TickerColumns {
  try {
    // timestamps cost at least a byte per row (never the constant or runs form)
    const { rows: n, reader: r } = readFrameHeader(bytes, 1);
    const timestamps = new Float64Array(n);
    decodeFloatColumn(r, timestamps, n);
    const localTimestamps = new Float64Array(n);
    decodeRelativeTime(r, timestamps, localTimestamps, n);
    const last = new Float64Array(n);
    decodeFloatColumn(r, last, n);
    const optional = {} as Record<TickerOptionalColumn, Float64Array>;
    for (const k of TICKER_OPTIONAL_COLUMNS) optional[k] = decodeOptional(r, n);
    expectEnd(r);
    return { length: n, timestamps, localTimestamps, last, optional };
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw corrupt(err instanceof Error ? err.message : String(err));
  }
}

export const tickerBlockCodec: BlockCodec<TickerColumns> = { encode, decode };

