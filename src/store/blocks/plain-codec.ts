/**
 * The interim block codec: every column fixed-width, no compression. Simple enough to be obviously
 * right, fast to decode (a column is one memcpy), and large on disk (~41 bytes a trade); the
 * compact codec (codec id 2) replaces it for new blocks, and blocks written with this one stay
 * readable because every block says its codec in byte 0 (block-header.ts).
 *
 *   trade block:  header, id kind (u8: 0 numeric, 1 string),
 *                 timestamps, localTimestamps, prices, amounts (float64 LE × n each),
 *                 numeric ids (float64 LE × n) | string ids (LEB128 byte length + UTF-8, × n),
 *                 sides (u8 × n)
 *   ticker block: header, presence (u8: bit i set when optional column i has a value in any row),
 *                 timestamps, localTimestamps, last, then each present optional column (float64 LE × n;
 *                 NaN where a row has no value)
 */
import { TICKER_OPTIONAL_COLUMNS, type BlockCodec, type TickerColumns, type TickerOptionalColumn, type TradeColumns } from './columns.js';
import { blockHeaderLength, PLAIN_CODEC_ID, readBlockHeader, writeBlockHeader } from './block-header.js';

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

function putF64s(target: Uint8Array, pos: number, column: Float64Array): number {
  if (LITTLE_ENDIAN) {
    target.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), pos);
  } else {
    const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
    for (let i = 0; i < column.length; i++) view.setFloat64(pos + i * 8, column[i] as number, true);
  }
  return pos + column.byteLength;
}

function getF64s(bytes: Uint8Array, pos: number, n: number): Float64Array {
  const out = new Float64Array(n);
  if (pos + n * 8 > bytes.length) throw new RangeError('plain block: column runs past the block');
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes.subarray(pos, pos + n * 8));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) out[i] = view.getFloat64(pos + i * 8, true);
  }
  return out;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

export const plainTradeCodec: BlockCodec<TradeColumns> = {
  encode(c) {
    const n = c.length;
    const strings = c.ids.kind === 'string' ? c.ids.values.map((s) => utf8.encode(s)) : undefined;
    let size = blockHeaderLength(n) + 1 + n * 8 * 5 + n;
    if (strings) {
      size -= n * 8;
      for (const s of strings) size += s.length + varintLength(s.length);
    }
    const out = new Uint8Array(size);
    let pos = writeBlockHeader(out, PLAIN_CODEC_ID, n);
    out[pos++] = strings ? 1 : 0;
    pos = putF64s(out, pos, c.timestamps);
    pos = putF64s(out, pos, c.localTimestamps);
    pos = putF64s(out, pos, c.prices);
    pos = putF64s(out, pos, c.amounts);
    if (c.ids.kind === 'numeric') pos = putF64s(out, pos, c.ids.values);
    else {
      for (const s of strings as Uint8Array[]) {
        pos = writeVarint(out, pos, s.length);
        out.set(s, pos);
        pos += s.length;
      }
    }
    out.set(c.sides.subarray(0, n), pos);
    return out;
  },
  decode(bytes) {
    const { codecId, rows: n, offset } = readBlockHeader(bytes);
    if (codecId !== PLAIN_CODEC_ID) throw new RangeError(`not a plain block (codec ${codecId})`);
    let pos = offset;
    const kind = bytes[pos++];
    const timestamps = getF64s(bytes, pos, n);
    const localTimestamps = getF64s(bytes, (pos += n * 8), n);
    const prices = getF64s(bytes, (pos += n * 8), n);
    const amounts = getF64s(bytes, (pos += n * 8), n);
    pos += n * 8;
    let ids: TradeColumns['ids'];
    if (kind === 0) {
      ids = { kind: 'numeric', values: getF64s(bytes, pos, n) };
      pos += n * 8;
    } else if (kind === 1) {
      const values: string[] = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const [len, next] = readVarint(bytes, pos);
        if (next + len > bytes.length) throw new RangeError('plain block: id runs past the block');
        values[i] = fromUtf8.decode(bytes.subarray(next, next + len));
        pos = next + len;
      }
      ids = { kind: 'string', values };
    } else throw new RangeError(`plain block: unknown id kind ${String(kind)}`);
    if (pos + n !== bytes.length) throw new RangeError('plain block: length does not match its row count');
    const sides = bytes.slice(pos, pos + n);
    return { length: n, timestamps, localTimestamps, ids, prices, amounts, sides };
  },
};

export const plainTickerCodec: BlockCodec<TickerColumns> = {
  encode(c) {
    const n = c.length;
    let presence = 0;
    TICKER_OPTIONAL_COLUMNS.forEach((name, bit) => {
      const col = c.optional[name];
      for (let i = 0; i < n; i++) {
        if (!Number.isNaN(col[i])) {
          presence |= 1 << bit;
          break;
        }
      }
    });
    let present = 0;
    for (let bit = 0; bit < 8; bit++) if (presence & (1 << bit)) present++;
    const out = new Uint8Array(blockHeaderLength(n) + 1 + n * 8 * (3 + present));
    let pos = writeBlockHeader(out, PLAIN_CODEC_ID, n);
    out[pos++] = presence;
    pos = putF64s(out, pos, c.timestamps);
    pos = putF64s(out, pos, c.localTimestamps);
    pos = putF64s(out, pos, c.last);
    TICKER_OPTIONAL_COLUMNS.forEach((name, bit) => {
      if (presence & (1 << bit)) pos = putF64s(out, pos, c.optional[name]);
    });
    return out;
  },
  decode(bytes) {
    const { codecId, rows: n, offset } = readBlockHeader(bytes);
    if (codecId !== PLAIN_CODEC_ID) throw new RangeError(`not a plain block (codec ${codecId})`);
    let pos = offset;
    const presence = bytes[pos++] as number;
    const timestamps = getF64s(bytes, pos, n);
    const localTimestamps = getF64s(bytes, (pos += n * 8), n);
    const last = getF64s(bytes, (pos += n * 8), n);
    pos += n * 8;
    const optional = {} as Record<TickerOptionalColumn, Float64Array>;
    TICKER_OPTIONAL_COLUMNS.forEach((name, bit) => {
      if (presence & (1 << bit)) {
        optional[name] = getF64s(bytes, pos, n);
        pos += n * 8;
      } else optional[name] = new Float64Array(n).fill(NaN);
    });
    if (pos !== bytes.length) throw new RangeError('plain block: length does not match its row count');
    return { length: n, timestamps, localTimestamps, last, optional };
  },
};

function varintLength(v: number): number {
  let n = 1;
  for (; v >= 0x80; v = Math.floor(v / 128)) n++;
  return n;
}

function writeVarint(target: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    target[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  target[pos++] = v;
  return pos;
}

function readVarint(bytes: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    if (pos >= bytes.length || shift > 28) throw new RangeError('plain block: varint runs past the block');
    const b = bytes[pos++] as number;
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [v, pos];
    shift += 7;
  }
}
