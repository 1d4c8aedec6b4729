/**
 * "Is this trade id already stored?" for numeric ids, cheaply. Blocks are keyed and ordered by
 * time, and REST and WebSocket, or an exchange that restarted, can give one id two timestamps:
 * where a trade would go says nothing about whether its id is there already.
 *
 * An index entry per trade would answer it, but costs a B-tree put per trade. Numeric ids (Binance,
 * OKX) grow with time, so instead:
 * - each symbol's cursor keeps the largest numeric id stored (`maxId`): a larger id is new, which
 *   is the live stream's case and costs one comparison;
 * - ids are grouped in buckets of ID_BLOCK; per bucket the `idBlocks` DB keeps the lowest
 *   timestamp its ids were stored at and a highest one (at least the highest, see "open" below);
 * - the bucket live ids go into is left "open": its entry says +Infinity for the highest, so
 *   the live stream puts nothing there while the lowest stays (the cursor remembers which bucket
 *   is open and its lowest, `openBucket`). A bucket is open from its first id until a batch stores
 *   an id past it; that batch closes it, writing as highest the cursor's newest timestamp (no
 *   stored trade is newer). Other buckets get one put per bucket touched per batch, merged with
 *   what is stored. Every entry is a range that holds all of its ids' timestamps, which is all a
 *   lookup needs (a writer that knows nothing of open buckets reads +Infinity as "to the end");
 * - an id at or under `maxId` (backfill, replay, a restarted exchange) is looked up by decoding
 *   the symbol's blocks in its bucket's timestamp range, once per bucket per batch, plus the ids
 *   this batch has taken so far (its blocks are written when the batch ends).
 * String ids (Bybit UUIDs, Upbit's ids past 2^53) have no order to lean on: they get a full index
 * entry (`tradeIds`) each, see write.ts.
 */
import type { Database, Key } from 'lmdb';
import type { BlockDb } from './block-store.js';
import { decodeTradeBlock } from './blocks/codecs.js';
import { idPart } from './keys.js';
import { blocksInRange, lowerBound } from './read-blocks.js';

export const ID_BLOCK = 1024;

/** one symbol's numeric-id bookkeeping while a batch is applied */
export interface IdState {
  /** [exchange, market, symbol]: the blocks' key prefix */
  prefix: Key[];
  /** largest numeric id stored for the symbol (-Infinity: none) */
  maxId: number;
  /** the bucket being extended (consecutive ids land in the same bucket: no Map access per trade) */
  curBlock: number;
  curMin: number;
  curMax: number;
  /** other buckets written by this batch: [min, max] timestamps */
  pending: Map<number, [number, number]> | undefined;
  /** ids per bucket as stored before this batch, read once per batch for lookups */
  sets: Map<number, Set<number>> | undefined;
  /** numeric ids this batch has taken, built at the first lookup and kept up to date after */
  batch: Set<number> | undefined;
  /** the newest stored timestamp before this batch: no stored trade is newer */
  storedLast: number;
  /** [bucket, lowest timestamp] of the bucket whose entry is open (+Infinity highest), if any */
  open: [number, number] | undefined;
}

export function newIdState(prefix: Key[], maxId: number, storedLast: number, open: [number, number] | undefined): IdState {
  return { prefix, maxId, curBlock: NaN, curMin: 0, curMax: 0, pending: undefined, sets: undefined, batch: undefined, storedLast, open };
}

export const blockOf = (id: number): number => Math.floor(id / ID_BLOCK);

/**
 * true when numeric id `id` of this symbol is stored, under any timestamp, or taken by this batch
 * already (`taken` lists the numeric ids of the batch's accepted trades so far; read at the first
 * lookup only)
 */
export function numericIdStored(
  blocks: BlockDb,
  buckets: Database<Uint8Array, Key>,
  s: IdState,
  id: number,
  taken: () => Iterable<number>,
): boolean {
  if (id > s.maxId) return false;
  if (s.batch === undefined) {
    s.batch = new Set();
    for (const n of taken()) s.batch.add(n);
  }
  if (s.batch.has(id)) return true;
  const bucket = blockOf(id);
  let set = s.sets?.get(bucket);
  if (set === undefined) {
    set = storedIdsOf(blocks, buckets, s, bucket);
    (s.sets ??= new Map()).set(bucket, set);
  }
  return set.has(id);
}

/** the bucket's ids as stored: the blocks in its timestamp range, decoded */
function storedIdsOf(blocks: BlockDb, buckets: Database<Uint8Array, Key>, s: IdState, bucket: number): Set<number> {
  const set = new Set<number>();
  const range = readBucket(buckets, s.prefix, bucket);
  if (range === undefined) return set;
  const [min, max] = range;
  for (const value of blocksInRange(blocks, s.prefix, min, Number.isFinite(max) ? max : undefined)) {
    const c = decodeTradeBlock(value);
    for (let i = lowerBound(c.timestamps, min); i < c.length && (c.timestamps[i] as number) <= max; i++) {
      const part = c.ids.kind === 'numeric' ? (c.ids.values[i] as number) : idPart(c.ids.values[i] as string);
      if (typeof part === 'number' && blockOf(part) === bucket) set.add(part);
    }
  }
  return set;
}

/** records that numeric id `id` was stored at `timestamp` */
export function noteNumericId(s: IdState, id: number, timestamp: number): void {
  if (id > s.maxId) s.maxId = id;
  s.batch?.add(id);
  const block = blockOf(id);
  if (block === s.curBlock) {
    if (timestamp < s.curMin) s.curMin = timestamp;
    else if (timestamp > s.curMax) s.curMax = timestamp;
  } else {
    parkCurrent(s);
    s.curBlock = block;
    s.curMin = s.curMax = timestamp;
  }
}

/**
 * Writes what this batch changed in the buckets' entries. The bucket holding `maxId` stays open
 * (+Infinity highest) and is written only when it opens or its lowest timestamp drops; a bucket
 * left behind by the ids is closed; any other bucket touched is merged with its entry.
 */
export function flushBuckets(buckets: Database<Uint8Array, Key>, s: IdState): void {
  parkCurrent(s);
  const top = blockOf(s.maxId);
  if (s.open !== undefined && s.open[0] !== top) {
    closeBucket(buckets, s, s.open[0]);
    s.open = undefined;
  }
  if (s.pending === undefined) return;
  for (const [block, [min, max]] of s.pending) {
    if (block === top) {
      // the live stream's case: the open bucket's entry already covers these ids
      if (s.open !== undefined && s.open[0] === block && min >= s.open[1]) continue;
      const stored = readBucket(buckets, s.prefix, block);
      const low = stored ? Math.min(stored[0], min) : min;
      buckets.putSync(bucketKey(s.prefix, block), encodeBucket(low, Infinity));
      s.open = [block, low];
      continue;
    }
    const stored = readBucket(buckets, s.prefix, block);
    buckets.putSync(bucketKey(s.prefix, block), encodeBucket(stored ? Math.min(stored[0], min) : min, stored ? Math.max(stored[1], max) : max));
  }
  s.pending = undefined;
}

/**
 * An open bucket the ids have left: every id it holds was stored by the end of the last batch, at
 * most at its newest timestamp, or by this one (merged in by flushBuckets after this).
 */
function closeBucket(buckets: Database<Uint8Array, Key>, s: IdState, block: number): void {
  const stored = readBucket(buckets, s.prefix, block);
  if (stored === undefined || Number.isFinite(stored[1])) return;
  buckets.putSync(bucketKey(s.prefix, block), encodeBucket(stored[0], Math.max(stored[0], s.storedLast)));
}

export function encodeBucket(min: number, max: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeDoubleLE(min, 0);
  b.writeDoubleLE(max, 8);
  return b;
}

/** [exchange, market, symbol, 'trade', bucket] (as in store format 1); built only when a bucket is read or written */
const bucketKey = (prefix: Key[], block: number): Key[] => [...prefix, 'trade', block];

function readBucket(buckets: Database<Uint8Array, Key>, prefix: Key[], block: number): [number, number] | undefined {
  const v = buckets.get(bucketKey(prefix, block));
  if (v === undefined || v.length !== 16) return undefined;
  const b = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return [b.readDoubleLE(0), b.readDoubleLE(8)];
}

function parkCurrent(s: IdState): void {
  if (Number.isNaN(s.curBlock)) return;
  const pending = (s.pending ??= new Map());
  const had = pending.get(s.curBlock);
  pending.set(s.curBlock, had ? [Math.min(had[0], s.curMin), Math.max(had[1], s.curMax)] : [s.curMin, s.curMax]);
  s.curBlock = NaN;
}
