/**
 * The frame around a columnar block value: byte 0 = codec id (2; the store's interim plain codec
 * is 1), the row count as an unsigned LEB128 varint (the convention every block codec shares, so
 * the store can read a count without decoding), then this codec's own flags byte (reserved, 0 today:
 * room for a per-block compressor without a new codec id), then the columns.
 */
import { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { corrupt } from './corrupt.js';

export const COLUMNAR_CODEC_ID = 2;

export function writeFrameHeader(w: ByteWriter, rows: number): void {
  w.byte(COLUMNAR_CODEC_ID);
  w.varint(rows);
  w.byte(0);
}

/**
 * Reads the header and returns the row count and a reader positioned at the first column.
 * `maxRowsPerByte` bounds the count by the bytes that follow (each row costs at least 1/maxRowsPerByte
 * of a byte in the codec's cheapest column), so garbage cannot make the decoder allocate gigabytes.
 */
export function readFrameHeader(bytes: Uint8Array, maxRowsPerByte: number): { rows: number; reader: ByteReader } {
  if (!(bytes instanceof Uint8Array)) throw corrupt('not bytes');
  const reader = new ByteReader(bytes);
  const id = reader.byte();
  if (id !== COLUMNAR_CODEC_ID) throw corrupt(`codec id ${id}, expected ${COLUMNAR_CODEC_ID}`);
  const rows = reader.varint();
  const flags = reader.byte();
  if (flags !== 0) throw corrupt(`unknown flags ${flags}`);
  if (rows > reader.remaining * maxRowsPerByte) throw corrupt(`${rows} rows in ${bytes.length} bytes`);
  return { rows, reader };
}

/** a decoder that stops short of the end read something else than what was written */
export function expectEnd(reader: ByteReader): void {
  if (reader.remaining !== 0) throw corrupt(`${reader.remaining} trailing bytes`);
}
