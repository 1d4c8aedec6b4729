/**
 * The pipeline's buffer: a FIFO of record chunks (one per push), so queueing a frame's records
 * costs one array slot, not one per record, and a batch is cut without shifting arrays.
 */
import type { MarketRecord } from '../records.js';

export class RecordQueue {
  private chunks: (readonly MarketRecord[])[] = [];
  private head = 0;
  /** records already taken from chunks[head] */
  private offset = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(chunk: readonly MarketRecord[]): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.count += chunk.length;
  }

  /** puts a batch back in front (a failed write is retried first, order kept) */
  unshift(batch: readonly MarketRecord[]): void {
    if (batch.length === 0) return;
    this.compact();
    this.chunks.unshift(batch);
    this.count += batch.length;
  }

  /** the oldest `max` records (fewer when fewer are queued), oldest first */
  take(max: number): readonly MarketRecord[] {
    const first = this.chunks[this.head];
    if (first === undefined || max <= 0) return [];
    // a whole untouched chunk that fits is handed over as is: no copy
    if (this.offset === 0 && first.length <= max && this.head + 1 === this.chunks.length) {
      this.advance();
      this.count -= first.length;
      return first;
    }
    const out: MarketRecord[] = [];
    while (out.length < max && this.head < this.chunks.length) {
      const chunk = this.chunks[this.head] as readonly MarketRecord[];
      const n = Math.min(chunk.length - this.offset, max - out.length);
      for (let i = 0; i < n; i++) out.push(chunk[this.offset + i] as MarketRecord);
      this.offset += n;
      if (this.offset === chunk.length) this.advance();
    }
    this.count -= out.length;
    return out;
  }

  private advance(): void {
    this.head++;
    this.offset = 0;
    // drop consumed slots now and then instead of shifting the array on every take
    if (this.head > 1024 && this.head * 2 > this.chunks.length) this.compact();
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    }
  }

  private compact(): void {
    if (this.offset > 0) {
      const chunk = this.chunks[this.head] as readonly MarketRecord[];
      this.chunks[this.head] = chunk.slice(this.offset);
      this.offset = 0;
    }
    if (this.head > 0) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
