/**
 * One symbol's blocks of one type (trades or tickers), written inside the batch's transaction.
 *
 * Invariant: a symbol's blocks hold disjoint ranges in store order, and a block's key is its first
 * row (keys.ts). Rows arrive two ways:
 * - after everything stored (the live stream): a batch's rows become one small block at the end.
 *   The trailing small blocks ("the tail") are counted in the `tails` DB (tickers) or in the
 *   symbol's cursor (trades: one put per batch fewer, see write.ts); once they hold about a
 *   sealed block's worth of bytes (or MAX_TAIL_BLOCKS of them) they are joined and cut into
 *   sealed blocks, in the same transaction. A live batch therefore writes one small value per
 *   symbol and never rewrites a large block. What the tail is lives on disk (its size with the
 *   symbol, its keys are the symbol's last blocks); the writer's memo of its rows (TailMemo) only
 *   spares reading them back.
 * - older than the newest stored row (backfill, late rows): merged into the block whose range
 *   holds them (decoded, merged, re-encoded, re-keyed when its first row changes, cut again when
 *   it grew too big). Rare, so correctness first.
 *
 * LMDB keeps a value over ~2 KB on whole 4 KB overflow pages (a value of s bytes takes
 * ceil((s + 16) / 4096) pages), so sealed blocks are cut by encoded size, to just under a whole
 * number of pages, not by row count: otherwise up to a page per block is wasted.
 */
import type { Database, Key } from 'lmdb';
import { AFTER_ALL, compareIdParts } from './keys.js';
import type { RowKind } from './blocks/row-kind.js';
import { mergeRows, type RowBuffer } from './blocks/row-kind.js';

export const PAGE_BYTES = 4096;
/** pages a sealed block fills: 32 KB decodes in a few µs and wastes little at its end */
export const SEAL_PAGES = 8;
/** the encoded size a sealed block aims at */
export const SEAL_TARGET_BYTES = SEAL_PAGES * PAGE_BYTES - 64;
/** the most a value may take to stay within SEAL_PAGES overflow pages (LMDB's page header is 16 bytes) */
const SEAL_LIMIT_BYTES = SEAL_PAGES * PAGE_BYTES - 16;
/** a cut block this close under the target counts as sealed (~1.5% of its pages left unused) */
const SEAL_SLACK_BYTES = 512;
/** the tail is compacted once it holds this many bytes (its small blocks are larger than they will be joined) */
const COMPACT_AT_BYTES = SEAL_TARGET_BYTES * 1.5;
export const MAX_TAIL_BLOCKS = 64;
/**
 * A compaction the batch's rewrite budget defers (RewriteBudget) waits while the tail stays under
 * this: a later batch compacts it, whatever its budget, before it grows further.
 */
const DEFER_LIMIT_BYTES = COMPACT_AT_BYTES * 2;

/**
 * Tail blocks are joined in tiers, as in a log-structured merge: FANOUT blocks of one level become
 * one block of the next, so a row is re-encoded about once per level, log_FANOUT(rows per sealed
 * block) times, before it is sealed. Joining the whole tail at every compaction instead re-encoded
 * an unsealed leftover each time: ~50 times a row for one-row batches.
 */
export const FANOUT = 8;
/** a level is joined only while its blocks add up to less than this (see joinLevels) */
const JOIN_BELOW_BYTES = SEAL_TARGET_BYTES / 2;

/** The trailing small blocks of a symbol's type: the last `blocks` blocks, `bytes` their encoded size. */
export interface TailState {
  blocks: number;
  bytes: number;
  /**
   * blocks per level, level 0 (one batch's rows) first; levels are newest-first on disk, and the
   * tail blocks they do not count (blocks − their sum) are older than all of them: the leftover of
   * the last compaction, or blocks of a tail written before levels were kept. Only a guide to which
   * trailing blocks to join: joining any trailing run of the tail in order changes no row.
   */
  levels?: number[];
  /** tickers: the newest stored row's (timestamp, localTimestamp); trades use their cursor */
  last?: [number, number];
  /**
   * encoded bytes per row of the last block the tail sealed: cutBlocks' first estimate at the next
   * compaction. Stored, not only remembered, so a writer that restarted cuts exactly as one that
   * did not (the same rows give the same blocks).
   */
  sealedPerRow?: number;
}

export type BlockDb = Database<Uint8Array, Key>;

/**
 * Rows one batch may still re-encode in joins and compactions, shared by every symbol it writes.
 * Symbols written at even rates reach their join and compaction points in the same batch: at 50k
 * trades/s over 50 symbols one commit compacted all fifty tails (~1M rows encoded, ~130 ms in the
 * transaction callback, which runs on the event loop) and every trade arriving meanwhile waited. Once
 * the budget is spent, joins wait and compactions are deferred (the tail takes the batch as one
 * more small block, up to DEFER_LIMIT_BYTES and MAX_TAIL_BLOCKS), so the work spreads over the
 * batches that follow and the symbols drift out of step. See docs/architecture.md (store, the tail).
 */
export interface RewriteBudget {
  rows: number;
}

const spent = (budget: RewriteBudget | undefined): boolean => budget !== undefined && budget.rows <= 0;

/**
 * The tail's rows as the writer last wrote them, kept in memory (writer-cache.ts) so a join or a
 * compaction re-encodes them without reading the blocks back, decoding and concatenating them:
 * that was a fifth of the writer's CPU under a burst. Block k of the tail (oldest first) has key
 * keys[k], encoded size sizes[k], and rows [ends[k-1], ends[k]) of `rows`. Valid only while it has
 * as many blocks as the tail; anything else is repaired by reading LMDB.
 */
export interface TailMemo<C> {
  keys: Key[][];
  ends: number[];
  sizes: number[];
  rows: RowBuffer<C>;
}

export interface SymbolBlocks<C extends { readonly length: number }> {
  kind: RowKind<C>;
  db: BlockDb;
  /** [exchange, market, symbol] */
  prefix: Key[];
  tail: TailState;
  /**
   * in: the tail's memo when the writer has one; out: the memo that mirrors the tail after the
   * write, or undefined when none does (a merge, a join read from LMDB). Only kept when `remember`
   * is set and the kind has a row buffer; one is started whenever the tail is known whole: empty,
   * or just compacted.
   */
  memo?: TailMemo<C> | undefined;
  remember?: boolean;
  /** the batch's rewrite budget; absent: no limit (tools that rewrite a store alone) */
  budget?: RewriteBudget;
}

export function tailKey(prefix: Key[], type: 'trade' | 'ticker'): Key[] {
  return [...prefix, type];
}

/** MDB_NOOVERWRITE: the put fails when the key exists; hoisted to allocate once. */
const NO_OVERWRITE = { noOverwrite: true } as const;

/**
 * Inside a write transaction lmdb-js's putSync reports whether the put happened (write.js:
 * `put(...) === SYNC_PROMISE_SUCCESS`); its .d.ts says void, hence this one typed wrapper.
 */
export function putIfAbsent(db: Database<Uint8Array, Key>, key: Key, value: Uint8Array): boolean {
  return (db.putSync as unknown as (k: Key, v: Uint8Array, o: typeof NO_OVERWRITE) => boolean).call(db, key, value, NO_OVERWRITE);
}

/** puts one block under its first row's key (tickers: the first free seq) and returns the key */
function putBlock<C extends { readonly length: number }>(s: SymbolBlocks<C>, rows: C, bytes: Uint8Array): Key[] {
  const key = [...s.prefix, ...s.kind.keySuffix(rows, 0)];
  if (s.kind.name === 'trade') {
    // a trade's (timestamp, id) is stored once, so no other block can start on it
    s.db.putSync(key, bytes);
    return key;
  }
  for (let seq = 0; ; seq++) {
    const k = [...key, seq];
    if (putIfAbsent(s.db, k, bytes)) return k;
  }
}

interface Cut {
  start: number;
  end: number;
  bytes: Uint8Array;
}

/**
 * Cuts rows (in store order) into encoded blocks of about SEAL_TARGET_BYTES each; the last one
 * holds what is left. Rows per block are estimated from the bytes per row seen so far and
 * corrected by encoding again (a codec's size per row depends on the data), a few times at most.
 * `perRowHint` (encoded bytes per row of this symbol's last sealed block): when it says the rows
 * clearly need more than one block, the first estimate comes from it instead of from encoding
 * every row once more only to learn their size.
 */
export function cutBlocks<C extends { readonly length: number }>(kind: RowKind<C>, rows: C, perRowHint?: number): Cut[] {
  const n = rows.length;
  let perRow: number;
  if (perRowHint !== undefined && perRowHint > 0 && n * perRowHint > SEAL_LIMIT_BYTES * 1.05) perRow = perRowHint;
  else {
    const whole = kind.encode(rows);
    if (whole.length <= SEAL_LIMIT_BYTES) return [{ start: 0, end: n, bytes: whole }];
    perRow = whole.length / n;
  }
  const out: Cut[] = [];
  let start = 0;
  while (start < n) {
    let count = Math.min(n - start, Math.max(1, Math.floor(SEAL_TARGET_BYTES / perRow)));
    let best: Cut | undefined;
    for (let tries = 0; tries < 5; tries++) {
      const bytes = kind.encode(kind.slice(rows, start, start + count));
      perRow = bytes.length / count;
      if (bytes.length > SEAL_LIMIT_BYTES && count > 1) {
        count = Math.max(1, Math.min(count - 1, Math.floor(SEAL_TARGET_BYTES / perRow)));
        continue;
      }
      best = { start, end: start + count, bytes };
      if (start + count >= n || bytes.length >= SEAL_TARGET_BYTES - SEAL_SLACK_BYTES) break;
      const more = Math.min(n - start, Math.floor(SEAL_TARGET_BYTES / perRow));
      if (more <= count) break;
      count = more;
    }
    // five shrinking tries that all overflowed: take the last size tried rather than loop on
    best ??= { start, end: start + count, bytes: kind.encode(kind.slice(rows, start, start + count)) };
    out.push(best);
    start = best.end;
  }
  return out;
}

const isSealed = (bytes: Uint8Array): boolean => bytes.length >= SEAL_TARGET_BYTES - SEAL_SLACK_BYTES;

/**
 * The tail's last `count` blocks: their keys, their rows joined (views of the memo's buffer, valid
 * until the memo changes) and their encoded bytes. From the memo when it mirrors the tail; else the
 * whole tail is read back once and becomes the memo (a writer that keeps one), or, without a memo,
 * just these blocks are read and decoded.
 */
function lastTailBlocks<C extends { readonly length: number }>(s: SymbolBlocks<C>, count: number): { keys: Key[][]; rows: C; bytes: number } {
  if (s.memo === undefined || s.memo.keys.length !== s.tail.blocks) s.memo = memoFromDisk(s);
  const m = s.memo;
  if (m !== undefined && count <= m.keys.length) {
    const first = m.keys.length - count;
    let bytes = 0;
    for (let k = first; k < m.sizes.length; k++) bytes += m.sizes[k] as number;
    return { keys: m.keys.slice(first), rows: m.rows.view(first === 0 ? 0 : (m.ends[first - 1] as number), m.rows.length), bytes };
  }
  s.memo = undefined;
  const old = lastBlocks(s.db, s.prefix, count);
  let bytes = 0;
  for (const o of old) bytes += o.value.length;
  return { keys: old.map((o) => o.key), rows: s.kind.concat(old.map((o) => s.kind.decode(o.value))), bytes };
}

/** the whole tail read back into a new memo (undefined: this writer keeps none, or its rows do not fit one buffer) */
function memoFromDisk<C extends { readonly length: number }>(s: SymbolBlocks<C>): TailMemo<C> | undefined {
  const m = emptyMemo(s);
  if (m === undefined) return undefined;
  for (const { key, value } of lastBlocks(s.db, s.prefix, s.tail.blocks)) {
    if (!m.rows.append(s.kind.decode(value))) return undefined;
    m.keys.push(key);
    m.ends.push(m.rows.length);
    m.sizes.push(value.length);
  }
  return m;
}

/** a memo of an empty tail, when this kind and writer keep one */
function emptyMemo<C extends { readonly length: number }>(s: SymbolBlocks<C>): TailMemo<C> | undefined {
  return s.remember === true && s.kind.buffer !== undefined ? { keys: [], ends: [], sizes: [], rows: s.kind.buffer() } : undefined;
}

/** the symbol's last `count` blocks, oldest first */
function lastBlocks(db: BlockDb, prefix: Key[], count: number): { key: Key[]; value: Uint8Array }[] {
  if (count <= 0) return [];
  const out: { key: Key[]; value: Uint8Array }[] = [];
  for (const { key, value } of db.getRange({ start: [...prefix, AFTER_ALL], end: prefix, reverse: true, limit: count })) {
    out.push({ key: key as Key[], value });
  }
  return out.reverse();
}

/**
 * Rows that sort after every stored row of the symbol, in store order. One small block, or, when
 * the tail has grown enough, the tail and these rows joined and cut into sealed blocks.
 */
export function appendRows<C extends { readonly length: number }>(s: SymbolBlocks<C>, rows: C): void {
  if (rows.length === 0) return;
  const bytes = s.kind.encode(rows);
  const tail = s.tail;
  if (s.memo !== undefined && s.memo.keys.length !== tail.blocks) s.memo = undefined;
  if (s.memo === undefined && tail.blocks === 0) s.memo = emptyMemo(s);
  const fits = tail.blocks + 1 < MAX_TAIL_BLOCKS && bytes.length <= SEAL_LIMIT_BYTES;
  if (fits && (tail.bytes + bytes.length < COMPACT_AT_BYTES || (spent(s.budget) && tail.bytes + bytes.length < DEFER_LIMIT_BYTES))) {
    const key = putBlock(s, rows, bytes);
    const m = s.memo;
    if (m !== undefined) {
      if (m.rows.append(rows)) {
        m.keys.push(key);
        m.ends.push(m.rows.length);
        m.sizes.push(bytes.length);
      } else s.memo = undefined;
    }
    tail.blocks++;
    tail.bytes += bytes.length;
    // exact-size arrays: growing one by index leaves room for ~16 more levels, kept per symbol in
    // the writer's cursor cache (a tail has a handful of levels)
    const levels = (tail.levels ??= [0]);
    levels[0] = (levels[0] ?? 0) + 1;
    joinLevels(s, levels, bytes.length);
    return;
  }
  compactTail(s, rows);
}

/**
 * While a level holds FANOUT blocks, joins them into one block of the next level. The levels under
 * it are empty then (they were just joined), so its blocks are the newest ones. A join that would
 * make a block the size of a sealed one compacts the whole tail instead: sealed blocks leave it.
 * Joins that would buy little are left to the compaction, which re-encodes every tail row anyway:
 * a level whose blocks are large already (a level's worth over JOIN_BELOW_BYTES, estimated from
 * its newest block, `newest` bytes), and any join once the compaction is near (unless the tail
 * has many blocks: a long tail slows reading the newest rows). Measured with
 * bench/micro/store-write-cost.ts, rows encoded per row stored, untiered → tiered without these
 * limits → with them: 200-row batches 4.6 → 5.5 → 4.4; 1000-row 3.6 → 4.1 → 3.9.
 */
function joinLevels<C extends { readonly length: number }>(s: SymbolBlocks<C>, levels: number[], newest: number): void {
  for (let level = 0; level < levels.length && (levels[level] as number) >= FANOUT; level++) {
    if (spent(s.budget)) return;
    const count = levels[level] as number;
    if (newest * count >= JOIN_BELOW_BYTES || (s.tail.bytes + JOIN_BELOW_BYTES >= COMPACT_AT_BYTES && s.tail.blocks < MAX_TAIL_BLOCKS / 2)) return;
    const old = lastTailBlocks(s, count);
    const joined = old.rows;
    const bytes = s.kind.encode(joined);
    if (s.budget !== undefined) s.budget.rows -= joined.length;
    if (bytes.length >= SEAL_TARGET_BYTES - SEAL_SLACK_BYTES) {
      compactTail(s, undefined);
      return;
    }
    for (const key of old.keys) s.db.removeSync(key);
    const key = putBlock(s, joined, bytes);
    const m = s.memo;
    if (m !== undefined) {
      // the joined block holds the same rows: only the bookkeeping of its blocks changes
      const at = m.keys.length - count;
      m.keys.splice(at, count, key);
      m.ends.splice(at, count, m.rows.length);
      m.sizes.splice(at, count, bytes.length);
    }
    newest = bytes.length;
    s.tail.blocks -= count - 1;
    s.tail.bytes += bytes.length - old.bytes;
    levels[level] = 0;
    if (level + 1 < levels.length) levels[level + 1] = (levels[level + 1] as number) + 1;
    else s.tail.levels = levels = [...levels, 1];
  }
}

/** the whole tail, and `rows` after it, joined and cut into sealed blocks; the last cut stays as the tail unless sealed */
function compactTail<C extends { readonly length: number }>(s: SymbolBlocks<C>, rows: C | undefined): void {
  const tail = s.tail;
  const old = lastTailBlocks(s, tail.blocks);
  for (const key of old.keys) s.db.removeSync(key);
  let m = s.memo;
  let joined: C;
  if (rows === undefined) joined = old.rows;
  else if (m !== undefined && m.rows.append(rows)) joined = m.rows.view(0, m.rows.length);
  else {
    m = undefined;
    joined = s.kind.concat([old.rows, rows]);
  }
  const cuts = cutBlocks(s.kind, joined, tail.sealedPerRow);
  if (s.budget !== undefined) s.budget.rows -= joined.length;
  tail.blocks = 0;
  tail.bytes = 0;
  delete tail.levels;
  let leftover: { start: number; key: Key[]; bytes: number } | undefined;
  let sealedPerRow: number | undefined;
  cuts.forEach((c, i) => {
    const key = putBlock(s, s.kind.slice(joined, c.start, c.end), c.bytes);
    if (isSealed(c.bytes)) sealedPerRow = c.bytes.length / (c.end - c.start);
    // the last cut stays in the tail unless it is a full block already
    if (i === cuts.length - 1 && !isSealed(c.bytes)) {
      tail.blocks = 1;
      tail.bytes = c.bytes.length;
      leftover = { start: c.start, key, bytes: c.bytes.length };
    }
  });
  if (sealedPerRow !== undefined) tail.sealedPerRow = sealedPerRow;
  // the tail is known whole now: what is left of it is the memo
  if (m === undefined) {
    m = emptyMemo(s);
    if (m !== undefined && leftover !== undefined && !m.rows.append(s.kind.slice(joined, leftover.start, joined.length))) m = undefined;
  } else {
    m.rows.keepFrom(leftover?.start ?? joined.length);
  }
  if (m !== undefined) {
    m.keys = leftover === undefined ? [] : [leftover.key];
    m.ends = leftover === undefined ? [] : [m.rows.length];
    m.sizes = leftover === undefined ? [] : [leftover.bytes];
  }
  s.memo = m;
}

/** the key of the last block whose key is ≤ `bound` (undefined: the symbol has none) */
function blockAtOrBefore(db: BlockDb, prefix: Key[], bound: Key[]): Key[] | undefined {
  for (const key of db.getKeys({ start: bound, end: prefix, reverse: true, limit: 1 })) return key as Key[];
  return undefined;
}

function blockAfter(db: BlockDb, prefix: Key[], key: Key[]): Key[] | undefined {
  for (const k of db.getKeys({ start: [...key, AFTER_ALL], end: [...prefix, AFTER_ALL], limit: 1 })) return k as Key[];
  return undefined;
}

function firstBlock(db: BlockDb, prefix: Key[]): Key[] | undefined {
  for (const k of db.getKeys({ start: prefix, end: [...prefix, AFTER_ALL], limit: 1 })) return k as Key[];
  return undefined;
}

const keyId = (key: Key[]): string => JSON.stringify(key);

/**
 * Rows (in store order) that do not sort after the symbol's newest stored row: each goes into the
 * block whose range holds it (a row before the first block goes into the first block), one
 * decode/merge/encode per block touched.
 */
export function mergeOlderRows<C extends { readonly length: number }>(s: SymbolBlocks<C>, rows: C): void {
  const { kind, db, prefix } = s;
  const n = rows.length;
  // a merge may rewrite any tail block: the memo is read back from the disk at the next join
  s.memo = undefined;
  // which blocks are the tail's, so its size stays right when a merge grows or splits one of them
  const tailKeys = new Set(lastBlocks(db, prefix, s.tail.blocks).map(({ key }) => keyId(key)));
  let i = 0;
  while (i < n) {
    const rowKey = [...prefix, ...kind.keySuffix(rows, i), AFTER_ALL];
    const target = blockAtOrBefore(db, prefix, rowKey) ?? firstBlock(db, prefix);
    if (target === undefined) {
      // no block at all (cannot happen while a cursor says rows are stored): the rows start one
      appendRows(s, kind.slice(rows, i, n));
      return;
    }
    const next = blockAfter(db, prefix, target);
    let j = i + 1;
    if (next === undefined) j = n;
    else {
      const nextSuffix = next.slice(prefix.length);
      while (j < n && compareToKey(kind, rows, j, nextSuffix) < 0) j++;
    }
    const value = db.get(target) as Uint8Array;
    const merged = mergeRows(kind, kind.decode(value), kind.slice(rows, i, j));
    db.removeSync(target);
    const cuts = cutBlocks(kind, merged);
    let bytes = 0;
    for (const c of cuts) {
      putBlock(s, kind.slice(merged, c.start, c.end), c.bytes);
      bytes += c.bytes.length;
    }
    if (tailKeys.has(keyId(target))) {
      s.tail.blocks += cuts.length - 1;
      s.tail.bytes += bytes - value.length;
    }
    i = j;
  }
}

/** a row against a block key's elements after the prefix; ties (tickers) count as not before */
function compareToKey<C extends { readonly length: number }>(kind: RowKind<C>, rows: C, i: number, suffix: Key[]): number {
  const mine = kind.keySuffix(rows, i);
  for (let k = 0; k < mine.length; k++) {
    const a = mine[k] as number | string;
    const b = suffix[k] as number | string;
    if (a === b) continue;
    if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : 1;
    return compareIdParts(a, b);
  }
  return 0;
}

/** the tail as stored, or (a symbol never written) empty */
export function readTail(tails: Database<TailState, Key>, prefix: Key[], type: 'trade' | 'ticker'): TailState {
  const stored = tails.get(tailKey(prefix, type));
  return stored ? { ...stored } : { blocks: 0, bytes: 0 };
}
