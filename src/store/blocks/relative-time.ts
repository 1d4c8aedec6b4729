/**
 * localTimestamp as an offset from the exchange timestamp: the two are 1–30 ms apart while each is
 * ~1.7e12, so the offset is a 1-byte varint where the value itself (even delta-coded) jitters more.
 * Used only when `timestamp + offset` gives back the exact bits for every row (always, for integer
 * ms); otherwise the column is stored on its own.
 */
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { corrupt } from './corrupt.js';
import { decodeFloatColumn, encodeFloatColumn } from './float-column.js';

const Mode = { Absolute: 0, Relative: 1 } as const;

let scratch = new Float64Array(4096);

export function encodeRelativeTime(w: ByteWriter, base: Float64Array, values: Float64Array, n: number): void {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  const offsets = scratch;
  for (let i = 0; i < n; i++) {
    const b = base[i]!;
    const v = values[i]!;
    const d = v - b;
    if (b + d !== v || (v === 0 && 1 / v < 0)) {
      w.byte(Mode.Absolute);
      encodeFloatColumn(w, values, n);
      return;
    }
    offsets[i] = d;
  }
  w.byte(Mode.Relative);
  encodeFloatColumn(w, offsets, n);
}

export function decodeRelativeTime(r: ByteReader, base: Float64Array, out: Float64Array, n: number): void {
  const mode = r.byte();
  if (mode === Mode.Absolute) return decodeFloatColumn(r, out, n);
  if (mode !== Mode.Relative) throw corrupt(`unknown time mode ${mode}`);
  decodeFloatColumn(r, out, n);
  for (let i = 0; i < n; i++) out[i] = base[i]! + out[i]!;
}
