/**
 * Raw frames (`store.raw: true`): every frame as received, so history can be rebuilt later with
 * fixed parsers (`tickvisor reparse`). Two named databases beside the records:
 *
 *   rawFrames:   [exchange, market, receivedAt, seq] → { c: connection id, f: frame text }
 *   rawListings: [exchange, market, at]              → Instrument[]  (the listing in force from `at`)
 *
 * The listings are what a parser needs besides the frame: unified symbols for native ids, and
 * OKX swap contract sizes (ctVal), without which a swap trade's amount cannot be read. A listing is
 * written when it differs from the last one written, so a stable market costs one entry.
 *
 * Off the hot path: `add` appends to a bounded in-memory batch; a timer commits it in one
 * transaction of its own. When the disk is slower than the feed the batch stops growing at its
 * bound and further frames are dropped (and counted) rather than held in memory or waited for.
 * Pruning (by age and by total bytes, oldest first) runs now and then, in chunks.
 */
import type { Database, Key, RootDatabase } from 'lmdb';
import type { Instrument } from '../exchanges/types.js';
import { AFTER_ALL } from './keys.js';

export const RAW_FRAMES_DB = 'rawFrames';
export const RAW_LISTINGS_DB = 'rawListings';
/** total bytes of stored raw frames, kept in the `meta` database so pruning by size needs no scan */
const RAW_BYTES_KEY = 'rawBytes';
/** per stored frame beyond its text: key, msgpack framing, connection id (an estimate) */
const ENTRY_OVERHEAD = 48;

interface StoredFrame {
  /** connection id */
  c: string;
  /** frame text (binary frames as their UTF-8 text: every venue's binary frames are JSON) */
  f: string;
}

export interface RawFrame {
  exchange: string;
  market: string;
  receivedAt: number;
  seq: number;
  connection: string;
  frame: string;
}

export interface RawDbs {
  frames: Database<StoredFrame, Key>;
  listings: Database<Instrument[], Key>;
}

export function openRawDbs(env: RootDatabase): RawDbs {
  return {
    frames: env.openDB<StoredFrame, Key>({ name: RAW_FRAMES_DB, encoding: 'msgpack' }),
    listings: env.openDB<Instrument[], Key>({ name: RAW_LISTINGS_DB, encoding: 'msgpack' }),
  };
}

export interface RawFrameOptions {
  /** frames older than this are pruned */
  maxAgeMs: number;
  /** stored frames beyond this many bytes are pruned, oldest first */
  maxBytes: number;
  /** how long frames gather before one commit; default 200 ms */
  flushMs?: number;
  /** frames held while a commit runs, at most; default 100 000 */
  maxPendingFrames?: number;
  /** bytes held while a commit runs, at most; default 64 MiB */
  maxPendingBytes?: number;
  /** how often pruning runs; default 60 s */
  pruneEveryMs?: number;
  now?: () => number;
  /** a failed commit or prune: reported, never thrown */
  onError?: (error: unknown) => void;
}

export interface RawFrameStats {
  written: number;
  /** frames not kept because the batch was at its bound (the disk behind the feed) or a commit failed */
  dropped: number;
  pruned: number;
}

interface PendingFrame {
  exchange: string;
  market: string;
  receivedAt: number;
  connection: string;
  frame: string | Buffer;
}

export class RawFrameWriter {
  private readonly dbs: RawDbs;
  private readonly meta: Database<number, string>;
  private pending: PendingFrame[] = [];
  private pendingBytes = 0;
  private pendingListings: Array<{ exchange: string; market: string; at: number; instruments: Instrument[] }> = [];
  private readonly lastListing = new Map<string, string>();
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pruneTimer: ReturnType<typeof setInterval> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  readonly stats: RawFrameStats = { written: 0, dropped: 0, pruned: 0 };

  constructor(env: RootDatabase, private readonly options: RawFrameOptions) {
    this.dbs = openRawDbs(env);
    this.meta = env.openDB<number, string>({ name: 'meta', encoding: 'msgpack' });
    const every = options.pruneEveryMs ?? 60_000;
    this.pruneTimer = setInterval(() => void this.prune(), every);
    this.pruneTimer.unref?.();
  }

  /** One frame as received. Memory only, O(1); never throws, never waits. */
  add(exchange: string, market: string, frame: string | Buffer, receivedAt: number, connection: string): void {
    if (this.closed) return;
    const size = frame.length;
    if (this.pending.length >= (this.options.maxPendingFrames ?? 100_000) || this.pendingBytes + size > (this.options.maxPendingBytes ?? 64 * 1024 * 1024)) {
      this.stats.dropped++;
      return;
    }
    this.pending.push({ exchange, market, receivedAt, connection, frame });
    this.pendingBytes += size;
    this.schedule();
  }

  /** The instrument listing in force from `at`; kept only when it differs from the last one kept. */
  listing(exchange: string, market: string, at: number, instruments: readonly Instrument[]): void {
    if (this.closed) return;
    const id = `${exchange}\u0000${market}`;
    const text = JSON.stringify(instruments);
    if (this.lastListing.get(id) === text) return;
    this.lastListing.set(id, text);
    this.pendingListings.push({ exchange, market, at, instruments: JSON.parse(text) as Instrument[] });
    this.schedule();
  }

  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0 && this.pendingListings.length === 0) return this.writing;
    const frames = this.pending;
    const listings = this.pendingListings;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingListings = [];
    this.writing = this.writing.then(() => this.commit(frames, listings));
    return this.writing;
  }

  async close(): Promise<void> {
    if (this.pruneTimer !== undefined) clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
    await this.flush();
    this.closed = true;
  }

  /** Deletes frames past the age bound, then the oldest beyond the byte bound. */
  prune(): Promise<void> {
    this.writing = this.writing.then(async () => {
      try {
        const now = (this.options.now ?? Date.now)();
        this.stats.pruned += await pruneRawFrames(this.dbs.frames, this.meta, now - this.options.maxAgeMs, this.options.maxBytes);
      } catch (error) {
        this.report(error);
      }
    });
    return this.writing;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.flushMs ?? 200);
    this.timer.unref?.();
  }

  private async commit(frames: PendingFrame[], listings: typeof this.pendingListings): Promise<void> {
    try {
      await this.dbs.frames.transaction(() => {
        let bytes = 0;
        for (const p of frames) {
          const f = typeof p.frame === 'string' ? p.frame : p.frame.toString('utf8');
          const value: StoredFrame = { c: p.connection, f };
          // a frame of an earlier process at the same ms may hold this seq: take the next one
          while (!putIfAbsent(this.dbs.frames, [p.exchange, p.market, p.receivedAt, ++this.seq], value)) {
            /* next seq */
          }
          bytes += f.length + ENTRY_OVERHEAD;
        }
        for (const l of listings) this.dbs.listings.putSync([l.exchange, l.market, l.at], l.instruments);
        if (bytes > 0) this.meta.putSync(RAW_BYTES_KEY, (this.meta.get(RAW_BYTES_KEY) ?? 0) + bytes);
      });
      this.stats.written += frames.length;
    } catch (error) {
      this.stats.dropped += frames.length;
      this.report(error);
    }
  }

  private report(error: unknown): void {
    const commitError = (error as { commitError?: unknown } | null)?.commitError;
    if (commitError instanceof Promise) commitError.catch(() => undefined);
    this.options.onError?.(error);
  }
}

const NO_OVERWRITE = { noOverwrite: true } as const;

/** Inside a write transaction lmdb-js's putSync tells whether the put happened (its .d.ts says void). */
function putIfAbsent(db: Database<StoredFrame, Key>, key: Key, value: StoredFrame): boolean {
  return (db.putSync as unknown as (k: Key, v: StoredFrame, o: typeof NO_OVERWRITE) => boolean).call(db, key, value, NO_OVERWRITE);
}

/** Deleted per transaction: a prune never holds the write lock for long. */
const PRUNE_CHUNK = 5_000;

/** The (exchange, market) pairs that have raw frames: one short seek per pair. */
export function rawVenues(frames: Database<StoredFrame, Key>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let start: Key[] = [];
  for (let guard = 0; guard < 1_000; guard++) {
    let next: Key[] | undefined;
    for (const key of frames.getKeys({ start, limit: 1, snapshot: true })) next = key as Key[];
    if (next === undefined) break;
    const exchange = String(next[0]);
    const market = String(next[1]);
    out.push([exchange, market]);
    start = [exchange, market, AFTER_ALL];
  }
  return out;
}

/**
 * Deletes frames received before `cutoff`, then, while the stored bytes exceed `maxBytes`, the
 * oldest frames of all venues (whichever venue's first frame is oldest), in chunks. Returns how
 * many were deleted.
 */
export async function pruneRawFrames(
  frames: Database<StoredFrame, Key>,
  meta: Database<number, string>,
  cutoff: number,
  maxBytes: number,
): Promise<number> {
  let deleted = 0;
  for (const [exchange, market] of rawVenues(frames)) {
    for (let guard = 0; guard < 10_000; guard++) {
      const n = await deleteOldest(frames, meta, exchange, market, cutoff, Infinity);
      deleted += n;
      if (n < PRUNE_CHUNK) break;
    }
  }
  const excess = (meta.get(RAW_BYTES_KEY) ?? 0) - maxBytes;
  if (excess > 0) {
    const venues = rawVenues(frames);
    if (venues.length === 0) {
      // nothing left: the running total can only be stale
      await meta.put(RAW_BYTES_KEY, 0);
    } else {
      // one cutoff time for all venues, so the oldest frames go first whichever venue they are of
      const sizeCutoff = oldestCutoff(frames, venues, excess);
      for (const [exchange, market] of venues) {
        for (let guard = 0; guard < 10_000; guard++) {
          const n = await deleteOldest(frames, meta, exchange, market, sizeCutoff, Infinity);
          deleted += n;
          if (n < PRUNE_CHUNK) break;
        }
      }
    }
  }
  return deleted;
}

/**
 * The receive time before which, over all venues, at least `excess` bytes of frames lie: the
 * venues' frames merged in time order, read only as far as needed.
 */
function oldestCutoff(frames: Database<StoredFrame, Key>, venues: ReadonlyArray<[string, string]>, excess: number): number {
  type Entry = { key: Key; value: StoredFrame };
  const cursors = venues.map(([exchange, market]) =>
    frames.getRange({ start: [exchange, market], end: [exchange, market, AFTER_ALL], snapshot: true })[Symbol.iterator]() as Iterator<Entry>,
  );
  const heads: Array<Entry | undefined> = cursors.map((c) => c.next().value as Entry | undefined);
  const timeOf = (e: Entry) => (e.key as Key[])[2] as number;
  let freed = 0;
  try {
    for (;;) {
      let pick = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h !== undefined && (pick < 0 || timeOf(h) < timeOf(heads[pick]!))) pick = i;
      }
      if (pick < 0) return Infinity;
      const head = heads[pick]!;
      freed += head.value.f.length + ENTRY_OVERHEAD;
      if (freed >= excess) return timeOf(head) + 1;
      heads[pick] = cursors[pick]!.next().value as Entry | undefined;
    }
  } finally {
    for (const c of cursors) c.return?.();
  }
}

/** Up to PRUNE_CHUNK of a venue's oldest frames, before `cutoff`, until `bytes` were freed. */
async function deleteOldest(
  frames: Database<StoredFrame, Key>,
  meta: Database<number, string>,
  exchange: string,
  market: string,
  cutoff: number,
  bytes: number,
): Promise<number> {
  let n = 0;
  await frames.transaction(() => {
    let freed = 0;
    const end: Key[] = cutoff === Infinity ? [exchange, market, AFTER_ALL] : [exchange, market, cutoff];
    // keys first, deletes after: no cursor walks a range while it is being changed
    const doomed: Key[] = [];
    for (const { key, value } of frames.getRange({ start: [exchange, market], end, limit: PRUNE_CHUNK })) {
      if (freed >= bytes) break;
      doomed.push(key);
      freed += value.f.length + ENTRY_OVERHEAD;
    }
    for (const key of doomed) frames.removeSync(key);
    n = doomed.length;
    if (n > 0) meta.putSync(RAW_BYTES_KEY, Math.max(0, (meta.get(RAW_BYTES_KEY) ?? 0) - freed));
  });
  return n;
}

export interface RawRange {
  exchange?: string;
  market?: string;
  /** inclusive, receive time in ms */
  from?: number;
  /** inclusive, receive time in ms */
  to?: number;
}

/** Stored frames in key order (per venue, by receive time); a snapshot, so a running writer does not disturb it. */
export function* readRawFrames(frames: Database<StoredFrame, Key>, range: RawRange = {}): Generator<RawFrame> {
  for (const [exchange, market] of rawVenues(frames)) {
    if (range.exchange !== undefined && exchange !== range.exchange) continue;
    if (range.market !== undefined && market !== range.market) continue;
    const start: Key[] = range.from === undefined ? [exchange, market] : [exchange, market, range.from];
    const end: Key[] = range.to === undefined ? [exchange, market, AFTER_ALL] : [exchange, market, range.to, AFTER_ALL];
    for (const { key, value } of frames.getRange({ start, end, snapshot: true })) {
      const k = key as Key[];
      yield { exchange, market, receivedAt: k[2] as number, seq: k[3] as number, connection: value.c, frame: value.f };
    }
  }
}

/** The listing in force at `at`: the last one kept at or before it, else the first after it. */
export function listingAt(listings: Database<Instrument[], Key>, exchange: string, market: string, at: number): Instrument[] | undefined {
  for (const { key, value } of listings.getRange({ start: [exchange, market, at, AFTER_ALL], end: [exchange, market], reverse: true, limit: 1 })) {
    void key;
    return value;
  }
  for (const { value } of listings.getRange({ start: [exchange, market, at], end: [exchange, market, AFTER_ALL], limit: 1 })) return value;
  return undefined;
}
