/**
 * The header every encoded block starts with, whatever its codec: byte 0 is the codec id, then the
 * row count as unsigned LEB128. The store counts rows (tail bookkeeping, figures) without decoding
 * a block, and picks the decoder from byte 0, so blocks written by an older codec stay readable
 * next to blocks written by a newer one.
 */

/** fixed-width columns (plain-codec.ts) */
export const PLAIN_CODEC_ID = 1;
/** delta/varint-encoded, compressed columns (trade-codec.ts, ticker-codec.ts) */
export const COMPACT_CODEC_ID = 2;

export interface BlockHeader {
  codecId: number;
  rows: number;
  /** offset of the first byte after the header */
  offset: number;
}

export function readBlockHeader(bytes: Uint8Array): BlockHeader {
  if (bytes.length < 2) throw new RangeError(`block of ${bytes.length} bytes has no header`);
  const codecId = bytes[0] as number;
  let rows = 0;
  let shift = 0;
  let pos = 1;
  for (;;) {
    if (pos >= bytes.length || shift > 49) throw new RangeError('block header: row count runs past the block');
    const b = bytes[pos++] as number;
    rows += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
    shift += 7;
  }
  return { codecId, rows, offset: pos };
}

export function blockRowCount(bytes: Uint8Array): number {
  return readBlockHeader(bytes).rows;
}

/** bytes writeBlockHeader takes for `rows` */
export function blockHeaderLength(rows: number): number {
  let n = 2;
  for (let v = rows; v >= 0x80; v = Math.floor(v / 128)) n++;
  return n;
}

/** writes the header at 0; returns the offset after it */
export function writeBlockHeader(target: Uint8Array, codecId: number, rows: number): number {
  target[0] = codecId;
  let pos = 1;
  let v = rows;
  while (v >= 0x80) {
    target[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  target[pos++] = v;
  return pos;
}
