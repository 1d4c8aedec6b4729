/**
 * Appending book records inside one write transaction (the sink's commit, sink.ts). Synchronous on
 * purpose: lmdb-js holds the write lock meanwhile.
 */
import { EXCHANGE_IDS, MARKETS, type BookLevelTuple, type BookRecord } from '../../records.js';
import { KIND_CODE, encodeBookValue } from './codec.js';
import { bookKey, lastBookKey, nextBookKey, type BookDbs, type BookKey } from './keys.js';

const SYNC_VALUES: Readonly<Record<'snapshot' | 'resync', Uint8Array>> = {
  snapshot: Uint8Array.of(KIND_CODE.snapshot),
  resync: Uint8Array.of(KIND_CODE.resync),
};

/**
 * Each symbol's last stored key, as this process last wrote it. Read from the database on a
 * symbol's first record; cleared whenever a commit fails (what it held may never have reached disk).
 */
export class BookKeyCache {
  private readonly last = new Map<string, BookKey>();

  take(dbs: BookDbs, r: BookRecord): BookKey {
    const id = `${r.exchange}\u0000${r.market}\u0000${r.symbol}`;
    const prev = this.last.get(id) ?? lastBookKey(dbs.records, r.exchange, r.market, r.symbol);
    const next = nextBookKey(prev, r.timestamp);
    this.last.set(id, next);
    return next;
  }

  clear(): void {
    this.last.clear();
  }
}

/** Runs inside the transaction: every record under its next key, snapshots and resyncs indexed too. */
export function appendBookRecords(dbs: BookDbs, keys: BookKeyCache, records: readonly BookRecord[]): void {
  for (const r of records) {
    const k = keys.take(dbs, r);
    const key = bookKey(r.exchange, r.market, r.symbol, k);
    dbs.records.putSync(key, encodeBookValue(r, k.time));
    if (r.kind !== 'update') dbs.syncs.putSync(key, SYNC_VALUES[r.kind]);
  }
}

const EXCHANGES = new Set<string>(EXCHANGE_IDS);
const MARKET_NAMES = new Set<string>(MARKETS);
const KINDS = new Set(['snapshot', 'update', 'resync']);

/**
 * What a key or a value could not hold, checked before a record is buffered: the live path's
 * records are built by our own code, so this guards against a bug there, not against the wire.
 */
export function bookRecordStorable(r: BookRecord): boolean {
  return (
    typeof r === 'object' && r !== null &&
    r.type === 'book' && EXCHANGES.has(r.exchange) && MARKET_NAMES.has(r.market) &&
    typeof r.symbol === 'string' && r.symbol !== '' && KINDS.has(r.kind) &&
    Number.isFinite(r.timestamp) && Number.isFinite(r.localTimestamp) &&
    (r.sequence === undefined || Number.isFinite(r.sequence)) &&
    (r.reason === undefined || typeof r.reason === 'string') &&
    levelsStorable(r.bids) && levelsStorable(r.asks)
  );
}

/** a level that is no pair of numbers would throw inside the transaction and fail the whole batch */
function levelsStorable(levels: readonly BookLevelTuple[]): boolean {
  if (!Array.isArray(levels)) return false;
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    if (l === undefined || l === null || !Number.isFinite(l[0]) || !Number.isFinite(l[1])) return false;
  }
  return true;
}
