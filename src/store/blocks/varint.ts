/**
 * LEB128 varints straight into a byte array, for the codecs' per-value loops (a method call and a
 * bounds check per value cost more than the value itself). Values are integers in 0..2^53-1; below
 * 2^31 the bitwise path, above it arithmetic, since JS bitwise operators truncate to 32 bits.
 * The caller has made room: at most 8 bytes per value.
 */
export function putVarint(buf: Uint8Array, p: number, v: number): number {
  if (v < 0x80) {
    buf[p] = v;
    return p + 1;
  }
  if (v < 0x4000) {
    buf[p] = (v & 0x7f) | 0x80;
    buf[p + 1] = v >>> 7;
    return p + 2;
  }
  if (v < 0x80000000) {
    while (v >= 0x80) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
  } else {
    while (v >= 0x80) {
      buf[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
  }
  buf[p] = v;
  return p + 1;
}

/** zigzag form of an integer with |v| ≤ 2^52 - 1 (exact: multiplication, not shifts) */
export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/** inverse of zigzag; `z & 1` is the parity even above 2^32 (ToInt32 keeps the low bits) */
export function unzigzag(z: number): number {
  return z & 1 ? -(z + 1) / 2 : z / 2;
}

/** bytes an unsigned varint of `v` takes */
export function varintLength(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  if (v < 0x800000000) return 5;
  if (v < 0x40000000000) return 6;
  if (v < 0x2000000000000) return 7;
  return 8;
}
