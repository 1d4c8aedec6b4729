/**
 * The trade journal: the newest live trades of many symbols, one LMDB entry per commit and symbol
 * group, before they are folded into each symbol's blocks (docs/architecture.md, store: the journal).
 *
 * Why: a commit of a steady stream (10k trades/s over 50 symbols: ~25–50 trades touching ~20–50
 * symbols) cost per symbol touched — a small block encoded and put, its cursor and id bucket put,
 * each in a B-tree leaf of its own — so most of a commit's time and pages went to bookkeeping for
 * a row or two per symbol. A journal entry is one put of a group's rows as plain columns; once the
 * journal holds FOLD_FROM_ROWS rows, each commit also folds one group (its rows written to blocks,
 * cursors and id buckets exactly as a direct write would have written them, its entries deleted).
 *
 * What makes readers simple: only a pure append goes to the journal (a numeric id above every id
 * stored or journaled for the symbol, at a (timestamp, id) after its newest), and any other write
 * folds the journal first. So a symbol's journaled rows always come after all of its block rows,
 * in order, and its stored cursor plus its journaled rows is its true cursor. A reader reads the
 * journal before the blocks; should a fold commit in between, the rows it finds in both are those
 * not after the newest block row, and are skipped (journal-read.ts).
 *
 * An entry, little-endian: u8 version (1), u32 rows, u16 symbols, then exchange, market and each
 * symbol as u16 length + UTF-8, a u8 per symbol (1: the symbol had an open gap window at the
 * commit, so its resume point stays), padding to 8, then f64 timestamps, local timestamps, ids,
 * prices, amounts (rows each), u16 symbol index per row, u8 side per row.
 */
import type { Database, Key } from 'lmdb';
import type { ExchangeId, Market } from '../records.js';
import type { TradeColumns } from './blocks/columns.js';
import { StoreError } from './errors.js';
import { JournalRanges } from './journal-ranges.js';

const VERSION = 1;

/** one commit's journaled rows: one venue, numeric ids, each symbol's rows in store order */
export interface JournalEntry {
  readonly exchange: ExchangeId;
  readonly market: Market;
  /** per row, its symbol */
  readonly symbols: readonly string[];
  readonly columns: TradeColumns;
  /** symbols with an open gap window when the entry was written (their resume point must not move) */
  readonly holes: ReadonlySet<string>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJournalEntry(e: JournalEntry): Uint8Array {
  const n = e.columns.length;
  const table = new Map<string, number>();
  const index = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const s = e.symbols[i] as string;
    let k = table.get(s);
    if (k === undefined) table.set(s, (k = table.size));
    index[i] = k;
  }
  if (table.size > 0xffff) throw new StoreError('TV_ERR_STORE_INVALID_RECORD', 'a journal entry holds more than 65,535 symbols');
  const names = [e.exchange, e.market, ...table.keys()].map((s) => encoder.encode(s));
  let head = 1 + 4 + 2;
  for (const b of names) head += 2 + b.length;
  head += table.size;
  const at = (head + 7) & ~7;
  const bytes = new Uint8Array(at + n * 40 + n * 2 + n);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, VERSION);
  view.setUint32(1, n, true);
  view.setUint16(5, table.size, true);
  let pos = 7;
  for (const b of names) {
    view.setUint16(pos, b.length, true);
    bytes.set(b, pos + 2);
    pos += 2 + b.length;
  }
  for (const s of table.keys()) bytes[pos++] = e.holes.has(s) ? 1 : 0;
  const f = new Float64Array(bytes.buffer, at, n * 5);
  const c = e.columns;
  if (c.ids.kind !== 'numeric') throw new StoreError('TV_ERR_STORE_INVALID_RECORD', 'a journal entry holds numeric ids only');
  f.set(c.timestamps.subarray(0, n), 0);
  f.set(c.localTimestamps.subarray(0, n), n);
  f.set(c.ids.values.subarray(0, n), 2 * n);
  f.set(c.prices.subarray(0, n), 3 * n);
  f.set(c.amounts.subarray(0, n), 4 * n);
  new Uint8Array(bytes.buffer, at + n * 40, n * 2).set(new Uint8Array(index.buffer));
  bytes.set(c.sides.subarray(0, n), at + n * 42);
  return bytes;
}

export function decodeJournalEntry(bytes: Uint8Array): JournalEntry {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 7 || view.getUint8(0) !== VERSION) throw new StoreError('TV_ERR_STORE_CORRUPT_VALUE', 'a trade journal entry is unreadable');
  const n = view.getUint32(1, true);
  const count = view.getUint16(5, true);
  let pos = 7;
  const text = (): string => {
    const len = view.getUint16(pos, true);
    const s = decoder.decode(bytes.subarray(pos + 2, pos + 2 + len));
    pos += 2 + len;
    return s;
  };
  const exchange = text() as ExchangeId;
  const market = text() as Market;
  const table: string[] = [];
  for (let k = 0; k < count; k++) table.push(text());
  const holes = new Set<string>();
  for (let k = 0; k < count; k++) if (bytes[pos++] === 1) holes.add(table[k] as string);
  const at = (pos + 7) & ~7;
  if (bytes.length !== at + n * 43) throw new StoreError('TV_ERR_STORE_CORRUPT_VALUE', 'a trade journal entry is unreadable');
  // copied out: LMDB's buffer is only valid until the next read, and its offset may not be aligned
  const f = new Float64Array(n * 5);
  new Uint8Array(f.buffer).set(bytes.subarray(at, at + n * 40));
  const index = new Uint16Array(n);
  new Uint8Array(index.buffer).set(bytes.subarray(at + n * 40, at + n * 42));
  const symbols = new Array<string>(n);
  for (let i = 0; i < n; i++) symbols[i] = table[index[i] as number] as string;
  return {
    exchange, market, symbols, holes,
    columns: {
      length: n,
      timestamps: f.subarray(0, n),
      localTimestamps: f.subarray(n, 2 * n),
      ids: { kind: 'numeric', values: f.subarray(2 * n, 3 * n) },
      prices: f.subarray(3 * n, 4 * n),
      amounts: f.subarray(4 * n, 5 * n),
      sides: bytes.slice(at + n * 42, at + n * 43),
    },
  };
}

/**
 * Symbols are spread over this many groups (contiguous ranges of their keys, journal-ranges.ts),
 * and a commit writes one entry per group it touches, keyed [commit number, group]: so the journal
 * can be folded a group at a time. Folding it whole made one commit in every ~16 cost what a
 * direct commit of every symbol cost (2–3 ms at 10k trades/s over 50 symbols, 20–70 ms for folds
 * of 256 entries at 50k/s), and those commits set the latency tail; a group is an eighth of that.
 */
export const JOURNAL_GROUPS = 8;
/** from this many journaled rows on, each commit folds the group holding the most rows ... */
export const FOLD_FROM_ROWS = 512;
/** ... and the journal never holds more than this: a commit folds groups until its batch fits */
export const FOLD_ROWS = 2048;
/** a batch of more rows than this is written to blocks directly: it makes blocks of a useful size by itself */
export const JOURNAL_BATCH_ROWS = 512;

/** a symbol's newest journaled row, as the store orders rows, and the largest numeric id it has */
export interface JournalNewest {
  timestamp: number;
  part: number | string;
  maxId: number;
}

/** one group's entries, oldest first */
export interface JournalGroup {
  readonly keys: [number, number][];
  readonly entries: JournalEntry[];
  rows: number;
}

/**
 * The writer's copy of the journal. It mirrors the disk under writer-cache.ts's rules (read only
 * by a batch alone in flight, dropped when a commit fails) and is otherwise read back from LMDB.
 */
export class JournalState {
  loaded = false;
  readonly groups: JournalGroup[] = Array.from({ length: JOURNAL_GROUPS }, () => ({ keys: [], entries: [], rows: 0 }));
  rows = 0;
  /** the next commit's number in the entries' keys */
  nextSeq = 1;
  /** per symbol with journaled rows (writer-cache.ts's key), its newest row */
  readonly newest = new Map<string, JournalNewest>();
  /** per symbol with journaled rows, the group they are in: it stays there until they are folded */
  private readonly groupOfKey = new Map<string, number>();
  private readonly ranges = new JournalRanges(JOURNAL_GROUPS);

  /** the group a symbol's next rows go to (`key`: writer-cache.ts's key) */
  groupOf(key: string): number {
    return this.groupOfKey.get(key) ?? this.ranges.groupOf(key);
  }

  /** the journal as committed, from LMDB: inside the batch's transaction */
  load(db: JournalDb): void {
    this.forget();
    for (const { key, value } of db.getRange({})) {
      const [seq, group] = key as [number, number];
      this.added([seq, group], decodeJournalEntry(value));
    }
    this.loaded = true;
  }

  /** an entry put by this batch (or read back by load) */
  added(key: [number, number], entry: JournalEntry): void {
    const g = this.groups[key[1]] as JournalGroup;
    g.keys.push(key);
    g.entries.push(entry);
    g.rows += entry.columns.length;
    this.rows += entry.columns.length;
    if (key[0] >= this.nextSeq) this.nextSeq = key[0] + 1;
    this.note(entry, key[1]);
  }

  /** the group holding the most rows (-1: the journal is empty) */
  fullest(): number {
    let best = -1;
    for (let g = 0; g < this.groups.length; g++) if ((this.groups[g] as JournalGroup).rows > (best < 0 ? 0 : (this.groups[best] as JournalGroup).rows)) best = g;
    return best;
  }

  /** group `g` was folded in this batch: empty, its symbols' newest rows now in their cursors */
  folded(g: number): void {
    const group = this.groups[g] as JournalGroup;
    for (const e of group.entries) {
      const venue = `${e.exchange}\u0000${e.market}\u0000`;
      for (const s of new Set(e.symbols)) {
        this.newest.delete(venue + s);
        this.groupOfKey.delete(venue + s);
      }
    }
    this.rows -= group.rows;
    group.keys.length = 0;
    group.entries.length = 0;
    group.rows = 0;
  }

  /** a commit failed: read the disk again next time */
  invalidate(): void {
    this.forget();
    this.loaded = false;
  }

  private note(entry: JournalEntry, group: number): void {
    const c = entry.columns;
    const ids = c.ids.values as Float64Array;
    const venue = `${entry.exchange}\u0000${entry.market}\u0000`;
    let symbol = '';
    let newest: JournalNewest | undefined;
    for (let i = 0; i < c.length; i++) {
      // rows of a symbol are in store order and every id is above the last: the last row is the newest
      const id = ids[i] as number;
      if (newest === undefined || entry.symbols[i] !== symbol) {
        symbol = entry.symbols[i] as string;
        const key = venue + symbol;
        newest = this.newest.get(key);
        if (newest === undefined) this.newest.set(key, (newest = { timestamp: 0, part: 0, maxId: 0 }));
        this.groupOfKey.set(key, group);
      }
      newest.timestamp = c.timestamps[i] as number;
      newest.part = id;
      newest.maxId = id;
    }
  }

  private forget(): void {
    for (const g of this.groups) {
      g.keys.length = 0;
      g.entries.length = 0;
      g.rows = 0;
    }
    this.rows = 0;
    this.nextSeq = 1;
    this.newest.clear();
    this.groupOfKey.clear();
  }
}

/** the journal's LMDB database: [commit number, group] → entry */
export type JournalDb = Database<Uint8Array, Key>;
