/**
 * A growable little-endian byte buffer with the primitives the block codecs write: bytes, unsigned
 * LEB128 varints up to 2^53 - 1 (see varint.ts), zigzag varints, float64s and raw byte runs.
 */
import { putVarint, zigzag } from './varint.js';

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** makes room for `n` more bytes */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** unsigned varint; `v` must be an integer in 0..2^53-1 (callers check) */
  varint(v: number): void {
    this.ensure(8);
    this.pos = putVarint(this.buf, this.pos, v);
  }

  /** zigzag varint; `v` must be an integer with |v| ≤ 2^52 - 1 so its zigzag form stays exact */
  zigzag(v: number): void {
    this.varint(zigzag(v));
  }

  float64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** direct access for loops that write many bytes after one ensure() */
  get raw(): Uint8Array {
    return this.buf;
  }

  /** a copy of what was written, exactly sized (the value LMDB stores) */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /**
   * Starts over for the next value, keeping the buffer: the codecs reuse one writer, since
   * allocating and growing a fresh one per block was a third of the encode time. A buffer grown past
   * `keepAtMost` by one huge block is dropped, so memory stays bounded by ordinary blocks.
   */
  reset(keepAtMost: number): void {
    this.pos = 0;
    if (this.buf.length > keepAtMost) {
      this.buf = new Uint8Array(keepAtMost);
      this.view = new DataView(this.buf.buffer);
    }
  }
}

