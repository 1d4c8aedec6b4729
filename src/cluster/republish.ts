/**
 * What a node's own store holds past the stream's cursor, to publish again when the node takes a
 * unit (back). A node commits to its store before it publishes: killed between the two, the trades
 * it committed last are in its store and not in the stream. When it later takes the unit again,
 * its store is ahead of the stream's cursor, so no gap opens for them and its pipeline, which
 * stores a trade once, never hands them to the publisher again: they would be missing from the
 * archive for good (a harsh cluster run lost one trade per symbol that way). Pure: records in,
 * batches out.
 */
import type { Trade } from '../records.js';
import type { PublishedCursor } from './cursors.js';

/** trades at or after the cursor's time (the stream keeps one copy of what it has), in chunks of `chunk` */
export function* tradesPastCursor(records: Iterable<{ type: string }>, cursor: PublishedCursor, chunk = 5_000): Generator<Trade[]> {
  let batch: Trade[] = [];
  for (const r of records) {
    if (r.type !== 'trade') continue;
    const t = r as Trade;
    if (t.timestamp < cursor.timestamp) continue;
    batch.push(t);
    if (batch.length >= chunk) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
