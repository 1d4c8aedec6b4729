/**
 * The id bookkeeping of id-guard.ts for format-1 stores written before it existed (early 0.1):
 * built from the records, then marked done in the `meta` DB. `tickvisor migrate` runs it before
 * converting, so every migrated store has it. Records stay as they were, so old stores read
 * the same; an id an old store already holds twice keeps both records (nothing is deleted).
 * String ids are indexed in chunked transactions (one transaction over a large store would hold
 * too many dirty pages); numeric ids only need each symbol's largest id and block ranges, which
 * fit in memory (one entry per ID_BLOCK trades) and are written at the end with the marker.
 */
import type { Database, Key, RootDatabase } from 'lmdb';
import { blockOf, encodeBucket } from '../id-guard.js';
import type { StoredCursor } from '../write.js';

/** what building the bookkeeping reads and writes */
export interface V1IdDbs {
  records: Database<Uint8Array, Key>;
  cursors: Database<StoredCursor, Key>;
  tradeIds: Database<Uint8Array, Key>;
  idBlocks: Database<Uint8Array, Key>;
}

const INDEX_MARKER = 'tradeIdIndex';
const INDEX_VERSION = 1;
const CHUNK = 50_000;
const NO_OVERWRITE = { noOverwrite: true } as const;

interface SymbolIds {
  prefix: Key[];
  maxId: number;
  blocks: Map<number, [number, number]>;
}

/** returns how many trades were looked at (0 when the bookkeeping was already there) */
export function buildTradeIdIndex(root: RootDatabase, dbs: V1IdDbs, meta: Database<number, string>): number {
  if (meta.get(INDEX_MARKER) === INDEX_VERSION) return 0;
  const symbols = new Map<string, SymbolIds>();
  let scanned = 0;
  let start: Key | undefined;
  let done = false;
  while (!done) {
    let seen = 0;
    let last: Key | undefined;
    root.transactionSync(() => {
      const value = Buffer.alloc(8);
      for (const key of dbs.records.getKeys(start === undefined ? {} : { start })) {
        // the first key of a chunk was the last of the previous one: it is looked at again
        if (seen === 0 && start !== undefined) {
          seen++;
          continue;
        }
        // stop before the key, not after it: the next chunk skips its first key as already seen
        if (seen > CHUNK) return;
        seen++;
        last = key;
        const k = key as Key[];
        if (k[3] !== 'trade') continue;
        scanned++;
        const timestamp = k[4] as number;
        const id = k[5];
        if (typeof id === 'number') {
          const name = `${String(k[0])}\u0000${String(k[1])}\u0000${String(k[2])}`;
          let s = symbols.get(name);
          if (s === undefined) symbols.set(name, (s = { prefix: [k[0], k[1], k[2], 'trade'] as Key[], maxId: -Infinity, blocks: new Map() }));
          if (id > s.maxId) s.maxId = id;
          const block = blockOf(id);
          const range = s.blocks.get(block);
          if (range === undefined) s.blocks.set(block, [timestamp, timestamp]);
          else if (timestamp < range[0]) range[0] = timestamp;
          else if (timestamp > range[1]) range[1] = timestamp;
        } else {
          value.writeDoubleLE(timestamp, 0);
          dbs.tradeIds.putSync([k[0], k[1], k[2], 'trade', id] as Key[], value, NO_OVERWRITE);
        }
      }
      done = true;
    });
    start = last;
  }
  root.transactionSync(() => {
    for (const s of symbols.values()) {
      for (const [block, [min, max]] of s.blocks) dbs.idBlocks.putSync([...s.prefix, block], encodeBucket(min, max));
      const ckey = s.prefix.slice(0, 3);
      const cursor = dbs.cursors.get(ckey);
      if (cursor) dbs.cursors.putSync(ckey, { ...cursor, maxId: s.maxId });
    }
    meta.putSync(INDEX_MARKER, INDEX_VERSION);
  });
  return scanned;
}
