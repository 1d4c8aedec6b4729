/**
 * "Is this trade id already stored?" for numeric ids, cheaply. A trade's record key holds its
 * timestamp (so a symbol's time range is one scan), and REST and WebSocket, or an exchange that
 * restarted, can give one id two timestamps: the key alone cannot refuse the second copy.
 *
 * An index entry per trade would answer it, but costs a second B-tree put per trade (measured:
 * ~2.6 → ~5.8 CPU-s per million trades). Numeric ids (Binance, OKX) grow with time, so instead:
 * - each symbol's cursor keeps the largest numeric id stored (`maxId`): a larger id is new, which
 *   is the live stream's case and costs one comparison;
 * - ids are grouped in blocks of ID_BLOCK; per block the `idBlocks` DB keeps the lowest and highest
 *   timestamp stored for its ids (one put per block touched per batch, not per trade);
 * - an id at or under `maxId` (backfill, replay, a restarted exchange) is looked up by scanning the
 *   symbol's records in its block's timestamp range, once per block per batch.
 * String ids (Bybit UUIDs, Upbit's ids past 2^53) have no order to lean on: they get a full index
 * entry (`tradeIds`) each, see write.ts.
 */
import type { Database, Key } from 'lmdb';
import { AFTER_ALL } from './keys.js';

export const ID_BLOCK = 1024;

/** one symbol's numeric-id bookkeeping while a batch is applied */
export interface IdState {
  /** [exchange, market, symbol, 'trade']: the records' and blocks' key prefix */
  prefix: Key[];
  /** largest numeric id stored for the symbol (-Infinity: none) */
  maxId: number;
  /** the block being extended (consecutive ids land in the same block: no Map access per trade) */
  curBlock: number;
  curMin: number;
  curMax: number;
  /** other blocks written by this batch: [min, max] timestamps */
  pending: Map<number, [number, number]> | undefined;
  /** ids per block, read once per batch for lookups */
  sets: Map<number, Set<number>> | undefined;
}

export function newIdState(prefix: Key[], maxId: number): IdState {
  return { prefix, maxId, curBlock: NaN, curMin: 0, curMax: 0, pending: undefined, sets: undefined };
}

export const blockOf = (id: number): number => Math.floor(id / ID_BLOCK);

/** true when numeric id `id` of this symbol is stored, under any timestamp (this batch included) */
export function numericIdStored(records: Database<Uint8Array, Key>, blocks: Database<Uint8Array, Key>, s: IdState, id: number): boolean {
  if (id > s.maxId) return false;
  const block = blockOf(id);
  let set = s.sets?.get(block);
  if (set === undefined) {
    set = new Set();
    const range = blockRange(blocks, s, block);
    if (range !== undefined) {
      // reads inside the write transaction see this batch's own puts
      const start = [...s.prefix, range[0]];
      const end = [...s.prefix, range[1], AFTER_ALL];
      for (const key of records.getKeys({ start, end })) {
        const part = (key as Key[])[5];
        if (typeof part === 'number' && blockOf(part) === block) set.add(part);
      }
    }
    (s.sets ??= new Map()).set(block, set);
  }
  return set.has(id);
}

/** records that numeric id `id` was stored at `timestamp` */
export function noteNumericId(s: IdState, id: number, timestamp: number): void {
  if (id > s.maxId) s.maxId = id;
  const block = blockOf(id);
  if (block === s.curBlock) {
    if (timestamp < s.curMin) s.curMin = timestamp;
    else if (timestamp > s.curMax) s.curMax = timestamp;
  } else {
    parkCurrent(s);
    s.curBlock = block;
    s.curMin = s.curMax = timestamp;
  }
  s.sets?.get(block)?.add(id);
}

/** writes the blocks this batch touched, merged with what was stored */
export function flushBlocks(blocks: Database<Uint8Array, Key>, s: IdState): void {
  parkCurrent(s);
  if (s.pending === undefined) return;
  for (const [block, [min, max]] of s.pending) {
    const stored = readBlock(blocks, s.prefix, block);
    blocks.putSync([...s.prefix, block], encodeBlock(stored ? Math.min(stored[0], min) : min, stored ? Math.max(stored[1], max) : max));
  }
  s.pending = undefined;
}

export function encodeBlock(min: number, max: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeDoubleLE(min, 0);
  b.writeDoubleLE(max, 8);
  return b;
}

function readBlock(blocks: Database<Uint8Array, Key>, prefix: Key[], block: number): [number, number] | undefined {
  const v = blocks.get([...prefix, block]);
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

/** the block's timestamp range: stored, widened by this batch's writes */
function blockRange(blocks: Database<Uint8Array, Key>, s: IdState, block: number): [number, number] | undefined {
  let range = readBlock(blocks, s.prefix, block);
  const widen = (min: number, max: number) => {
    range = range ? [Math.min(range[0], min), Math.max(range[1], max)] : [min, max];
  };
  const pending = s.pending?.get(block);
  if (pending) widen(pending[0], pending[1]);
  if (block === s.curBlock) widen(s.curMin, s.curMax);
  return range;
}
