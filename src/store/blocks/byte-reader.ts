import { corrupt } from './corrupt.js';
import { unzigzag } from './varint.js';

/** Largest varint a block holds: 2^53 - 1 takes 8 bytes of 7 bits. */
const MAX_VARINT_BYTES = 8;

/**
 * Bounds-checked reader over one block value. Every read that would pass the end, and every varint
 * longer than 8 bytes or above 2^53 - 1, throws TV_ERR_STORE_CORRUPT_VALUE: garbage can make the
 * decoder fail, never read out of bounds, loop forever or return wrong-but-plausible numbers silently.
 */
export class ByteReader {
  readonly buf: Uint8Array;
  private readonly view: DataView;
  pos: number;
  readonly end: number;

  constructor(buf: Uint8Array, pos = 0) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = pos;
    this.end = buf.length;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  byte(): number {
    if (this.pos >= this.end) throw corrupt('truncated');
    return this.buf[this.pos++]!;
  }

  varint(): number {
    const buf = this.buf;
    let p = this.pos;
    if (p >= this.end) throw corrupt('truncated varint');
    let b = buf[p++]!;
    if (b < 0x80) {
      this.pos = p;
      return b;
    }
    let result = b & 0x7f;
    let mult = 0x80;
    for (let i = 1; ; i++) {
      if (p >= this.end) throw corrupt('truncated varint');
      if (i >= MAX_VARINT_BYTES) throw corrupt('varint too long');
      b = buf[p++]!;
      result += (b & 0x7f) * mult;
      if (b < 0x80) break;
      mult *= 0x80;
    }
    if (result > Number.MAX_SAFE_INTEGER) throw corrupt('varint out of range');
    this.pos = p;
    return result;
  }

  zigzag(): number {
    return unzigzag(this.varint());
  }

  float64(): number {
    if (this.pos + 8 > this.end) throw corrupt('truncated float64');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  bytes(n: number): Uint8Array {
    if (n > this.end - this.pos) throw corrupt('truncated bytes');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/**
 * Never read: it keeps ByteReader's map alive. V8 holds the map an instance reaches by adding its
 * fields only through a weak transition, so a full GC while no reader exists (between two reads)
 * freed it, and every decoder optimised against it was thrown away ("weak objects" deopts) and ran
 * unoptimised again at the next read: measured 12.6M → 36.6M trades/s decoding 1M trades right
 * after a GC (bench/store/read-micro.ts). Exported because V8 keeps a module's unexported variable
 * that no function reads only while the module body runs.
 */
export const MAP_ANCHOR = new ByteReader(new Uint8Array(0));
