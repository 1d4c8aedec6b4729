/** Bit i of a bitmap is row i (LSB first in each byte): sides (1 = sell) and ticker presence masks. */
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { corrupt } from './corrupt.js';

export function bitmapBytes(n: number): number {
  return (n + 7) >>> 3;
}

/** writes bit i = (bits[i] !== 0) for i < n */
export function encodeBitmap(w: ByteWriter, bits: Uint8Array, n: number): void {
  const size = bitmapBytes(n);
  w.ensure(size);
  const buf = w.raw;
  const base = w.pos;
  buf.fill(0, base, base + size);
  for (let i = 0; i < n; i++) {
    if (bits[i] !== 0) {
      const k = base + (i >>> 3);
      buf[k] = buf[k]! | (1 << (i & 7));
    }
  }
  w.pos = base + size;
}

/** reads n bits into out[0..n) as 0/1; bits past n in the last byte must be zero */
export function decodeBitmap(r: ByteReader, out: Uint8Array, n: number): void {
  const size = bitmapBytes(n);
  const bytes = r.bytes(size);
  const full = n >>> 3;
  let i = 0;
  for (let b = 0; b < full; b++) {
    const x = bytes[b]!;
    out[i] = x & 1;
    out[i + 1] = (x >>> 1) & 1;
    out[i + 2] = (x >>> 2) & 1;
    out[i + 3] = (x >>> 3) & 1;
    out[i + 4] = (x >>> 4) & 1;
    out[i + 5] = (x >>> 5) & 1;
    out[i + 6] = (x >>> 6) & 1;
    out[i + 7] = (x >>> 7) & 1;
    i += 8;
  }
  if (i < n) {
    const x = bytes[full]!;
    for (let k = 0; i < n; k++, i++) out[i] = (x >>> k) & 1;
    if (x >>> (n & 7) !== 0) throw corrupt('bits set past the last row');
  }
}
