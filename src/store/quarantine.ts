/**
 * The quarantine: frames a parser could not read, or whose kind it did not know, kept as evidence
 * of a format change. A named database beside the records (same LMDB environment):
 *
 *   [exchange, market, reason, 'count']          → { count, firstAt, lastAt }   (every frame counted)
 *   [exchange, market, reason, 'example', n]     → QuarantineExample            (the first N only)
 *
 * Bounded: reasons are a fixed list and exchange × market come from the configuration, so there are
 * few counts; examples stop at N per key and at a total; each raw text is cut at a byte bound.
 * Written off the hot path: `add` only touches memory, a timer commits what gathered in one small
 * transaction of its own, and a failed commit is reported and dropped — never thrown at the
 * collector, never waited for by it.
 */
import type { Database, Key, RootDatabase } from 'lmdb';
import type { FrameFailureReason } from '../exchanges/types.js';

export const QUARANTINE_DB = 'quarantine';

/** What the receiver knows of a frame it quarantines. */
export interface QuarantinedFrame {
  exchange: string;
  market: string;
  reason: FrameFailureReason;
  /** the parser's words (or the unknown kind's name) */
  message: string;
  frame: string | Buffer;
  receivedAt: number;
  connection: string;
}

export interface QuarantineExample {
  exchange: string;
  market: string;
  reason: string;
  receivedAt: number;
  connection: string;
  message: string;
  /** the frame's text, cut at `maxRawBytes` */
  raw: string;
  /** the frame's full size in bytes */
  bytes: number;
  truncated: boolean;
}

export interface QuarantineCount {
  exchange: string;
  market: string;
  reason: string;
  count: number;
  firstAt: number;
  lastAt: number;
}

interface StoredCount {
  count: number;
  firstAt: number;
  lastAt: number;
}

type StoredExample = Omit<QuarantineExample, 'exchange' | 'market' | 'reason'>;

export interface QuarantineOptions {
  /** examples kept per (exchange, market, reason); default 20 */
  examplesPerReason?: number;
  /** a kept frame's text is cut here; default 64 KiB */
  maxRawBytes?: number;
  /** examples kept in all; default 2 000 */
  maxExamples?: number;
  /** how long additions gather before one commit; default 1 000 ms */
  flushMs?: number;
  /** a failed commit (disk full…): reported, never thrown */
  onError?: (error: unknown) => void;
}

export const DEFAULT_QUARANTINE_EXAMPLES = 20;
export const DEFAULT_MAX_RAW_BYTES = 64 * 1024;
const DEFAULT_MAX_EXAMPLES = 2_000;

/** Frame text cut at `maxBytes` of UTF-8 (a character split at the cut becomes U+FFFD). */
export function boundedText(frame: string | Buffer, maxBytes: number): { raw: string; bytes: number; truncated: boolean } {
  if (typeof frame === 'string') {
    // at most 3 bytes per UTF-16 unit: short strings need no byte count at all
    if (frame.length * 3 <= maxBytes) return { raw: frame, bytes: Buffer.byteLength(frame, 'utf8'), truncated: false };
    const bytes = Buffer.byteLength(frame, 'utf8');
    if (bytes <= maxBytes) return { raw: frame, bytes, truncated: false };
    return { raw: Buffer.from(frame, 'utf8').subarray(0, maxBytes).toString('utf8'), bytes, truncated: true };
  }
  const truncated = frame.length > maxBytes;
  return { raw: (truncated ? frame.subarray(0, maxBytes) : frame).toString('utf8'), bytes: frame.length, truncated };
}

interface Pending {
  exchange: string;
  market: string;
  reason: string;
  delta: number;
  firstAt: number;
  lastAt: number;
  examples: StoredExample[];
}

/** Opens (creating) the quarantine database of a writable environment. */
export function openQuarantineDb(env: RootDatabase): Database<StoredCount | StoredExample, Key> {
  return env.openDB<StoredCount | StoredExample, Key>({ name: QUARANTINE_DB, encoding: 'msgpack' });
}

export class QuarantineWriter {
  private readonly db: Database<StoredCount | StoredExample, Key>;
  private readonly perReason: number;
  private readonly maxRawBytes: number;
  private readonly maxExamples: number;
  private readonly flushMs: number;
  /** examples stored (or pending) per key, so the bound holds across restarts */
  private readonly kept = new Map<string, number>();
  private totalKept = 0;
  private pending = new Map<string, Pending>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(env: RootDatabase, private readonly options: QuarantineOptions = {}) {
    this.db = openQuarantineDb(env);
    this.perReason = options.examplesPerReason ?? DEFAULT_QUARANTINE_EXAMPLES;
    this.maxRawBytes = options.maxRawBytes ?? DEFAULT_MAX_RAW_BYTES;
    this.maxExamples = options.maxExamples ?? DEFAULT_MAX_EXAMPLES;
    this.flushMs = options.flushMs ?? 1_000;
    for (const { key } of this.db.getRange({ snapshot: true })) {
      const k = key as Key[];
      if (k[3] !== 'example') continue;
      const id = keyOf(String(k[0]), String(k[1]), String(k[2]));
      this.kept.set(id, (this.kept.get(id) ?? 0) + 1);
      this.totalKept++;
    }
  }

  /** Counts the frame and keeps it as an example while its key has room. Memory only; never throws. */
  add(f: QuarantinedFrame): void {
    if (this.closed) return;
    const id = keyOf(f.exchange, f.market, f.reason);
    let p = this.pending.get(id);
    if (p === undefined) {
      p = { exchange: f.exchange, market: f.market, reason: f.reason, delta: 0, firstAt: f.receivedAt, lastAt: f.receivedAt, examples: [] };
      this.pending.set(id, p);
    }
    p.delta++;
    if (f.receivedAt < p.firstAt) p.firstAt = f.receivedAt;
    if (f.receivedAt > p.lastAt) p.lastAt = f.receivedAt;
    const kept = this.kept.get(id) ?? 0;
    if (kept < this.perReason && this.totalKept < this.maxExamples) {
      this.kept.set(id, kept + 1);
      this.totalKept++;
      const text = boundedText(f.frame, this.maxRawBytes);
      p.examples.push({ receivedAt: f.receivedAt, connection: f.connection, message: f.message.slice(0, 1_000), ...text });
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushMs);
    this.timer.unref?.();
  }

  /** Commits what gathered; resolves when done (failed or not). */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.size === 0) return this.writing;
    const batch = this.pending;
    this.pending = new Map();
    this.writing = this.writing.then(() => this.commit(batch));
    return this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private async commit(batch: Map<string, Pending>): Promise<void> {
    try {
      await this.db.transaction(() => {
        for (const p of batch.values()) {
          const countKey = [p.exchange, p.market, p.reason, 'count'];
          const stored = this.db.get(countKey) as StoredCount | undefined;
          const next: StoredCount = stored
            ? { count: stored.count + p.delta, firstAt: Math.min(stored.firstAt, p.firstAt), lastAt: Math.max(stored.lastAt, p.lastAt) }
            : { count: p.delta, firstAt: p.firstAt, lastAt: p.lastAt };
          this.db.putSync(countKey, next);
          if (p.examples.length === 0) continue;
          // examples are numbered after those stored: the last one's number + 1
          let n = 0;
          for (const key of this.db.getKeys({ start: [p.exchange, p.market, p.reason, 'example', Number.MAX_SAFE_INTEGER], reverse: true, limit: 1 })) {
            const k = key as Key[];
            if (k[0] === p.exchange && k[1] === p.market && k[2] === p.reason && k[3] === 'example') n = Number(k[4]) + 1;
          }
          for (const e of p.examples) this.db.putSync([p.exchange, p.market, p.reason, 'example', n++], e);
        }
      });
    } catch (error) {
      // lmdb-js rejects a second promise with the real cause; unhandled, it would end the process
      const commitError = (error as { commitError?: unknown } | null)?.commitError;
      if (commitError instanceof Promise) commitError.catch(() => undefined);
      // the examples were not stored: their places are free again
      for (const [id, p] of batch) {
        this.kept.set(id, Math.max(0, (this.kept.get(id) ?? 0) - p.examples.length));
        this.totalKept = Math.max(0, this.totalKept - p.examples.length);
      }
      this.options.onError?.(error);
    }
  }
}

function keyOf(exchange: string, market: string, reason: string): string {
  return `${exchange}\u0000${market}\u0000${reason}`;
}

export interface QuarantineFilter {
  exchange?: string;
  market?: string;
  reason?: string;
}

/** Everything kept that matches the filter, counts first; for `tickvisor quarantine`. */
export function readQuarantine(
  db: Database<StoredCount | StoredExample, Key>,
  filter: QuarantineFilter = {},
): { counts: QuarantineCount[]; examples: QuarantineExample[] } {
  const counts: QuarantineCount[] = [];
  const examples: QuarantineExample[] = [];
  const start: Key[] = filter.exchange === undefined ? [] : filter.market === undefined ? [filter.exchange] : [filter.exchange, filter.market];
  for (const { key, value } of db.getRange({ start, snapshot: true })) {
    const k = key as Key[];
    const [exchange, market, reason, kind] = [String(k[0]), String(k[1]), String(k[2]), k[3]];
    // past the prefix the scan started at: nothing further can match
    if (start.length >= 1 && exchange !== filter.exchange) break;
    if (start.length >= 2 && market !== filter.market) break;
    if ((filter.market !== undefined && market !== filter.market) || (filter.reason !== undefined && reason !== filter.reason)) continue;
    if (kind === 'count') counts.push({ exchange, market, reason, ...(value as StoredCount) });
    else if (kind === 'example') examples.push({ exchange, market, reason, ...(value as StoredExample) });
  }
  return { counts, examples };
}
