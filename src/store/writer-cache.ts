/**
 * The cursors and tails this writer last put, so a batch need not read them back from LMDB: two
 * of the ~7 LMDB operations (and msgpack decodes) a symbol costs per batch.
 *
 * Exact only while it mirrors what is committed, hence:
 * - the store has one writer (reparse and migrate run with no collector on the store);
 * - it is read only by a batch with no other batch in flight: a batch queued behind another may
 *   share that one's transaction or follow its failure, so it reads LMDB (its own transaction's
 *   view) instead; every batch writes through;
 * - it is dropped whole when a commit fails (disk full, a batch that threw half-way): a failed
 *   transaction must not leave it ahead of the disk.
 * Bounded by the symbols written (one cursor and up to two tails each).
 */
import type { TailState } from './block-store.js';
import type { StoredCursor } from './write.js';

export class WriterCache {
  private readonly cursors = new Map<string, StoredCursor>();
  private readonly tails = new Map<string, TailState>();
  /** set by the store before each batch's transaction work: whether reads may be answered here */
  trusted = true;

  /** a copy of the cursor last written, or undefined: not cached (read LMDB) */
  cursor(key: string): StoredCursor | undefined {
    if (!this.trusted) return undefined;
    const c = this.cursors.get(key);
    return c && { ...c };
  }

  tail(key: string): TailState | undefined {
    if (!this.trusted) return undefined;
    const t = this.tails.get(key);
    return t && { ...t, ...(t.last ? { last: [t.last[0], t.last[1]] } : {}) };
  }

  /** what was just put, inside the batch's transaction; copied, since callers keep mutating theirs */
  wroteCursor(key: string, cursor: StoredCursor): void {
    this.cursors.set(key, { ...cursor });
  }

  wroteTail(key: string, tail: TailState): void {
    this.tails.set(key, { ...tail, ...(tail.last ? { last: [tail.last[0], tail.last[1]] } : {}) });
  }

  /** a commit failed: what was cached may be ahead of the disk */
  clear(): void {
    this.cursors.clear();
    this.tails.clear();
  }
}
