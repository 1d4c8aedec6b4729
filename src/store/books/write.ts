/**
 * Appending book records inside one write transaction (the sink's commit, sink.ts), as blocks
 * (block-codec.ts). Synchronous on purpose: lmdb-js holds the write lock meanwhile.
 */
import { EXCHANGE_IDS, MARKETS, type BookLevelTuple, type BookRecord } from '../../records.js';
import { encodeBookBlock } from './block-codec.js';
import { KIND_CODE } from './codec.js';
import { bookSymbolId } from './shed.js';
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

  /** the keys the records (all of one symbol, in order) take, appended to `out` */
  takeRun(dbs: BookDbs, id: string, first: BookRecord, records: readonly BookRecord[], out: BookKey[]): void {
    let prev = this.last.get(id) ?? lastBookKey(dbs.records, first.exchange, first.market, first.symbol);
    for (let i = 0; i < records.length; i++) {
      prev = nextBookKey(prev, records[i]!.timestamp);
      out.push(prev);
    }
    if (prev !== undefined) this.last.set(id, prev);
  }

  clear(): void {
    this.last.clear();
  }
}

/** a block is cut at this many records or levels (so a value stays some tens of KB at most) */
export const BLOCK_MAX_RECORDS = 256;
export const BLOCK_MAX_LEVELS = 16_384;

/** one symbol's records of a batch, in order */
interface Run {
  id: string;
  records: BookRecord[];
}

/**
 * Runs inside the transaction: each symbol's records of the batch in blocks (one value per
 * BLOCK_MAX_RECORDS / BLOCK_MAX_LEVELS), each block under its first record's key; snapshots and
 * resyncs indexed at their own keys.
 */
export function appendBookRecords(dbs: BookDbs, keys: BookKeyCache, records: readonly BookRecord[]): void {
  for (const run of bySymbol(records)) {
    const rs = run.records;
    const first = rs[0]!;
    const ks: BookKey[] = [];
    keys.takeRun(dbs, run.id, first, rs, ks);
    let from = 0;
    while (from < rs.length) {
      let to = from;
      let levels = 0;
      while (to < rs.length && to - from < BLOCK_MAX_RECORDS) {
        const r = rs[to]!;
        levels += r.bids.length + r.asks.length;
        // a record bigger than the bound alone still makes its own block
        if (levels > BLOCK_MAX_LEVELS && to > from) break;
        to++;
      }
      dbs.records.putSync(bookKey(first.exchange, first.market, first.symbol, ks[from]!), encodeBookBlock(rs, ks, from, to));
      from = to;
    }
    for (let i = 0; i < rs.length; i++) {
      const kind = rs[i]!.kind;
      if (kind !== 'update') dbs.syncs.putSync(bookKey(first.exchange, first.market, first.symbol, ks[i]!), SYNC_VALUES[kind]);
    }
  }
}

/** the batch's records grouped by symbol, each group in its order, groups in order of first appearance */
function bySymbol(records: readonly BookRecord[]): Run[] {
  const runs: Run[] = [];
  // keyed by the symbol alone (cheap); the rare same symbol on two venues is told apart in the bucket
  const bucket = new Map<string, Run[]>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    let candidates = bucket.get(r.symbol);
    if (candidates === undefined) bucket.set(r.symbol, (candidates = []));
    let run: Run | undefined;
    for (let j = 0; j < candidates.length; j++) {
      const c = candidates[j]!;
      const head = c.records[0]!;
      if (head.exchange === r.exchange && head.market === r.market) {
        run = c;
        break;
      }
    }
    if (run === undefined) {
      run = { id: bookSymbolId(r), records: [] };
      candidates.push(run);
      runs.push(run);
    }
    run.records.push(r);
  }
  return runs;
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
