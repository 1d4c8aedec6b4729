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
 * Bounded by the symbols written (one cursor and one ticker tail each) and, for the trade tails'
 * rows, by TAIL_MEMO_BYTES and TAIL_MEMO_SYMBOLS.
 */
import type { RewriteBudget, TailMemo, TailState } from './block-store.js';
import type { TradeColumns } from './blocks/columns.js';
import type { StoredCursor } from './write.js';

/**
 * The most memory the trade tails' memos (block-store.ts TailMemo) may hold. A tail is compacted at
 * about one and a half sealed blocks, so under a burst over 50 symbols each memo holds up to ~10–20k
 * rows (5–2.5 encoded bytes a row), 41 bytes each, with a quarter to spare (trade-buffer.ts): ~25–50
 * MB. A symbol whose memo would pass the budget loses it, and its next join or compaction reads its
 * blocks back, as without a memo; at 24 MB most of 50 busy symbols lost theirs every cycle and
 * started again from an empty buffer, growing in step (the stalls keepFrom's comment names).
 */
export const TAIL_MEMO_BYTES = 48 * 1024 * 1024;
/**
 * ... and for at most this many symbols: a memo is worth its memory where batches are large, and
 * thousands of quiet symbols would each keep a small buffer (~3 KB) for little.
 */
export const TAIL_MEMO_SYMBOLS = 1024;

/**
 * A memo not written for this many batches is dropped: it pays where a symbol is written in
 * nearly every batch (a burst), and a quiet symbol's memo (a restart's backfill starts one for
 * every symbol it refills) would otherwise hold its rows until the tail seals, minutes or days.
 */
export const TAIL_MEMO_IDLE_BATCHES = 64;

/**
 * A symbol written in one of this many batches before this one is written steadily: its tail joins
 * every few batches even when each batch brings it a row or two (10k trades/s over 50 symbols),
 * and without a memo each join read its blocks back from LMDB and decoded them — ~2,000 reads a
 * second, whose garbage outlived the young generation and set off a full GC every second.
 */
export const STEADY_WITHIN_BATCHES = 4;

/**
 * Rows a batch may re-encode in its tails' joins and compactions (block-store.ts RewriteBudget):
 * about one compaction of a busy symbol's tail, ~10 ms of encoding on the machines measured.
 */
export const REWRITE_ROWS_PER_BATCH = 24_000;

interface MemoEntry {
  memo: TailMemo<TradeColumns>;
  /** its buffer's bytes when last counted into memoBytes (the memo grows in place) */
  counted: number;
  /** the batch that last wrote it (WriterCache.nextBatch) */
  used: number;
}

export class WriterCache {
  private readonly cursors = new Map<string, StoredCursor>();
  private readonly tails = new Map<string, TailState>();
  private readonly tradeTails = new Map<string, MemoEntry>();
  /** the batch that last wrote each symbol's trades (steadyWriter) */
  private readonly writtenIn = new Map<string, number>();
  private memoBytes = 0;
  /** batches that wrote blocks, for the memos' idleness */
  private batch = 0;
  /** whether the commit under way has counted as a batch */
  private counted = false;
  /** set by the store before each batch's transaction work: whether reads may be answered here */
  trusted = true;
  /** what the batch being applied may still re-encode, renewed by nextBatch */
  readonly rewrite: RewriteBudget = { rows: REWRITE_ROWS_PER_BATCH };

  /** the cursor last written, or undefined: not cached (read LMDB) */
  cursor(key: string): StoredCursor | undefined {
    return this.trusted ? this.cursors.get(key) : undefined;
  }

  tail(key: string): TailState | undefined {
    return this.trusted ? this.tails.get(key) : undefined;
  }

  /** the rows of the symbol's trade tail as last written, or undefined: read LMDB */
  tradeTail(key: string): TailMemo<TradeColumns> | undefined {
    return this.trusted ? this.tradeTails.get(key)?.memo : undefined;
  }

  /** the trade tail's memo after the batch's write (undefined: none mirrors it), within the budget */
  wroteTradeTail(key: string, memo: TailMemo<TradeColumns> | undefined): void {
    const had = this.tradeTails.get(key);
    if (had !== undefined) this.memoBytes -= had.counted;
    const bytes = memo?.rows.bytes ?? 0;
    if (memo === undefined || this.memoBytes + bytes > TAIL_MEMO_BYTES || (had === undefined && this.tradeTails.size >= TAIL_MEMO_SYMBOLS)) {
      if (had !== undefined) this.tradeTails.delete(key);
      return;
    }
    this.memoBytes += bytes;
    if (had !== undefined) {
      had.memo = memo;
      had.counted = bytes;
      had.used = this.batch;
    } else this.tradeTails.set(key, { memo, counted: bytes, used: this.batch });
  }

  /** a commit begins: its rewrite budget is renewed; it counts as a batch once it writes blocks (blocksBegin) */
  nextBatch(): void {
    this.rewrite.rows = REWRITE_ROWS_PER_BATCH;
    this.counted = false;
  }

  /**
   * The commit writes blocks (a direct write or a fold; called again in the same commit, nothing
   * more happens). Batches are counted here, not per commit: a commit that only journals its rows
   * (journal.ts) leaves the blocks alone, and counting it would age the memos of symbols written
   * at every fold until each fold found them dropped. Every TAIL_MEMO_IDLE_BATCHES batches, the
   * memos not written since the last sweep go.
   */
  blocksBegin(): void {
    if (this.counted) return;
    this.counted = true;
    this.batch++;
    if (this.batch % TAIL_MEMO_IDLE_BATCHES !== 0) return;
    for (const [key, entry] of this.tradeTails) {
      if (entry.used <= this.batch - TAIL_MEMO_IDLE_BATCHES) {
        this.memoBytes -= entry.counted;
        this.tradeTails.delete(key);
      }
    }
  }

  /** whether a symbol without a memo may start one (read back from the disk when needed): not while the budget is spent */
  memoRoom(): boolean {
    return this.trusted && this.memoBytes < TAIL_MEMO_BYTES && this.tradeTails.size < TAIL_MEMO_SYMBOLS;
  }

  /** bytes and symbols the memos hold, for tests */
  memoUse(): { bytes: number; symbols: number } {
    return { bytes: this.memoBytes, symbols: this.tradeTails.size };
  }

  /** whether the symbol's trades were written in one of the last STEADY_WITHIN_BATCHES batches (before this one) */
  steadyWriter(key: string): boolean {
    const at = this.writtenIn.get(key);
    return at !== undefined && at < this.batch && this.batch - at <= STEADY_WITHIN_BATCHES;
  }

  /** what was just put, inside the batch's transaction */
  wroteCursor(key: string, cursor: StoredCursor): void {
    this.cursors.set(key, cursor);
    this.writtenIn.set(key, this.batch);
  }

  wroteTail(key: string, tail: TailState): void {
    this.tails.set(key, tail);
  }

  /** a commit failed: what was cached may be ahead of the disk */
  clear(): void {
    this.cursors.clear();
    this.tails.clear();
    this.tradeTails.clear();
    this.writtenIn.clear();
    this.memoBytes = 0;
  }
}
