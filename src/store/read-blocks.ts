/**
 * The blocks of one symbol that can hold rows in a time range: the last block starting before
 * `from` (it may run past it), then every block starting up to `to`. One reverse lookup and one
 * forward range scan; rows outside the range are trimmed by the caller.
 */
import type { Key } from 'lmdb';
import { AFTER_ALL } from './keys.js';
import type { BlockDb } from './block-store.js';

export function* blocksInRange(db: BlockDb, prefix: Key[], from: number | undefined, to: number | undefined): Generator<Uint8Array> {
  let start: Key[] = prefix;
  if (from !== undefined) {
    // no key is exactly [...prefix, from] (block keys are longer), so this finds keys before it
    for (const key of db.getKeys({ start: [...prefix, from], end: prefix, reverse: true, limit: 1 })) start = key as Key[];
  }
  const end = to === undefined ? [...prefix, AFTER_ALL] : [...prefix, to, AFTER_ALL];
  for (const { value } of db.getRange({ start, end })) yield value;
}

/** first row index with timestamp ≥ from (timestamps ascending) */
export function lowerBound(timestamps: Float64Array, from: number): number {
  let lo = 0;
  let hi = timestamps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((timestamps[mid] as number) < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** first row index with timestamp > to */
export function upperBound(timestamps: Float64Array, to: number): number {
  let lo = 0;
  let hi = timestamps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((timestamps[mid] as number) <= to) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
