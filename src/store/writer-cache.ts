/**
 * The cursors (with their trade tails) and ticker tails this writer last put, so a batch need not
 * read them back from LMDB: a get and a msgpack decode per symbol per batch.
 *
 * Exact only while it mirrors what is committed, hence:
 * - the store has one writer (reparse and migrate run with no collector on the store);
 * - it is read only by a batch with no other batch in flight: a batch queued behind another may
 *   share that one's transaction or follow its failure, so it reads LMDB (its own transaction's
 *   view) instead; every batch writes through;
 * - it is dropped whole when a commit fails (disk full, a batch that threw half-way): a failed
 *   transaction must not leave it ahead of the disk.
 * The objects are handed out and kept as they are, not copied: a batch mutates them in place while
 * it is applied, and either commits (then they say what the disk says) or fails (then the cache
 * is dropped, the third point). Copying them cost ~1 µs per symbol-batch.
 * Bounded by the symbols written (one cursor and one ticker tail each).
 */
import type { TailState } from './block-store.js';
import type { StoredCursor } from './write.js';

export class WriterCache {
  private readonly cursors = new Map<string, StoredCursor>();
  private readonly tails = new Map<string, TailState>();
  /** set by the store before each batch's transaction work: whether reads may be answered here */
  trusted = true;

  /** the cursor last written, or undefined: not cached (read LMDB) */
  cursor(key: string): StoredCursor | undefined {
    return this.trusted ? this.cursors.get(key) : undefined;
  }

  tail(key: string): TailState | undefined {
    return this.trusted ? this.tails.get(key) : undefined;
  }

  /** what was just put, inside the batch's transaction */
  wroteCursor(key: string, cursor: StoredCursor): void {
    this.cursors.set(key, cursor);
  }

  wroteTail(key: string, tail: TailState): void {
    this.tails.set(key, tail);
  }

  /** a commit failed: what was cached may be ahead of the disk */
  clear(): void {
    this.cursors.clear();
    this.tails.clear();
  }
}
