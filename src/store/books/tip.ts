/**
 * Where a symbol's stored book stands, read from its newest records: what the cluster archiver
 * judges an incoming record against (cluster/book-archive.ts) when it has not seen the symbol in
 * this process yet. One reverse scan from the symbol's end; only the last few values are read.
 */
import type { BookRecord, ExchangeId, Market } from '../../records.js';
import { corrupt } from '../blocks/corrupt.js';
import { decodeBookBlock, isBookBlock } from './block-codec.js';
import { decodeBookValue, KIND_CODE } from './codec.js';
import { bookPrefix, keyParts, symbolEnd, type BookDbs } from './keys.js';
import { KIND_NAMES } from './pending-run.js';

export interface StoredBookTip {
  /** the newest record is a snapshot or an update (false: a resync, nothing consistent since) */
  synced: boolean;
  /** kind of the newest record */
  lastKind: BookRecord['kind'];
  /** the newest snapshot or update: its venue sequence (absent where the venue has none) and time */
  sequence?: number;
  timestamp: number;
}

/** values read back at most: a store holds at most one resync after its last snapshot or update per writer round */
const MAX_VALUES = 16;

/** the symbol's tip, or undefined when nothing (or only resyncs, within the last values) is stored */
export function storedBookTip(dbs: BookDbs | undefined, exchange: ExchangeId, market: Market, symbol: string): StoredBookTip | undefined {
  if (dbs === undefined) return undefined;
  let lastKind: BookRecord['kind'] | undefined;
  let values = 0;
  for (const { key, value } of dbs.records.getRange({ start: symbolEnd(exchange, market, symbol), end: bookPrefix(exchange, market, symbol), reverse: true, snapshot: true })) {
    if (++values > MAX_VALUES) break;
    const first = keyParts(key);
    if (first === undefined) throw corrupt('book record key');
    if (isBookBlock(value)) {
      const b = decodeBookBlock(value, first);
      for (let i = b.count - 1; i >= 0; i--) {
        const kind = KIND_NAMES[b.kinds[i]!]!;
        lastKind ??= kind;
        if (b.kinds[i] === KIND_CODE.resync) continue;
        const sequence = b.sequences[i]!;
        return tip(lastKind, Number.isNaN(sequence) ? undefined : sequence, b.timestamps[i]!);
      }
    } else {
      const r = decodeBookValue(value, { exchange, market, symbol, keyTime: first.time });
      lastKind ??= r.kind;
      if (r.kind !== 'resync') return tip(lastKind, r.sequence, r.timestamp);
    }
  }
  return undefined;
}

function tip(lastKind: BookRecord['kind'], sequence: number | undefined, timestamp: number): StoredBookTip {
  const out: StoredBookTip = { synced: lastKind !== 'resync', lastKind, timestamp };
  if (sequence !== undefined) out.sequence = sequence;
  return out;
}
