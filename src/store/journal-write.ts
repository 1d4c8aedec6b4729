/**
 * How a commit uses the trade journal (journal.ts): a small batch of pure appends is one entry per
 * symbol group it touches, after folding the fullest group once the journal is past FOLD_FROM_ROWS
 * (more groups if the batch would not fit under FOLD_ROWS); anything else folds the whole journal
 * first, in the same transaction, through the same code a direct write uses (write-rows.ts), so the
 * blocks, cursors and id buckets a fold leaves are those the direct writes would have left.
 */
import { tradeRows } from './blocks/trade-rows.js';
import { cutRows } from './commit-split.js';
import { decodeJournalEntry, encodeJournalEntry, FOLD_FROM_ROWS, FOLD_ROWS, JOURNAL_BATCH_ROWS, JOURNAL_GROUPS, type JournalDb, type JournalEntry, type JournalGroup, type JournalNewest } from './journal.js';
import { idPart, symbolPrefix } from './keys.js';
import type { TradeRows, WriteResult } from './types.js';
import { applyTradeRows } from './write-rows.js';
import { after, type StoreDbs, type WriterState } from './write.js';

/** Runs inside the write transaction, in place of applyTradeRows. */
export function applyTradeRowsJournaled(rows: TradeRows, dbs: StoreDbs, state: WriterState, openGaps?: ReadonlySet<string>): WriteResult {
  const db = dbs.journal;
  if (db === undefined) return applyTradeRows(rows, dbs, state, openGaps);
  const j = state.journal;
  if (!state.cache.trusted || !j.loaded) j.load(db);
  const n = rows.columns.length;
  const fresh = n <= JOURNAL_BATCH_ROWS ? pureAppends(rows, dbs, state) : undefined;
  if (fresh === undefined) {
    // not a small batch of pure appends: the journal goes to the blocks first, then the batch as it is
    foldJournal(dbs, state);
    return applyTradeRows(rows, dbs, state, openGaps);
  }
  // a group a commit once the journal is past FOLD_FROM_ROWS, more when the batch would not fit
  if (j.rows >= FOLD_FROM_ROWS) foldGroup(db, dbs, state, j.fullest());
  while (j.rows > 0 && j.rows + n > FOLD_ROWS) foldGroup(db, dbs, state, j.fullest());
  putEntries(db, rows, state, fresh, openGaps);
  return { written: n, duplicates: 0 };
}

/** Inside the write transaction: the journal's rows into the blocks, the entries deleted. No-op when empty. */
export function foldJournal(dbs: StoreDbs, state: WriterState): void {
  const db = dbs.journal;
  if (db === undefined) return;
  const j = state.journal;
  if (!state.cache.trusted || !j.loaded) j.load(db);
  for (let g = 0; g < j.groups.length; g++) if ((j.groups[g] as JournalGroup).rows > 0) foldGroup(db, dbs, state, g);
}

/** one group's rows into the blocks (one direct write per venue, in the order journaled), its entries deleted */
function foldGroup(db: JournalDb, dbs: StoreDbs, state: WriterState, g: number): void {
  const group = state.journal.groups[g];
  if (group === undefined || group.keys.length === 0) return;
  const venues = new Map<string, JournalEntry[]>();
  for (const e of group.entries) {
    const key = `${e.exchange}\u0000${e.market}`;
    const list = venues.get(key);
    if (list === undefined) venues.set(key, [e]);
    else list.push(e);
  }
  for (const entries of venues.values()) {
    const first = entries[0] as JournalEntry;
    // each symbol's open gap window as of its last entry
    const holes = new Set<string>();
    for (const e of entries) {
      for (const s of new Set(e.symbols)) {
        if (e.holes.has(s)) holes.add(s);
        else holes.delete(s);
      }
    }
    const rows: TradeRows = {
      exchange: first.exchange,
      market: first.market,
      symbols: entries.length === 1 ? first.symbols : entries.flatMap((e) => e.symbols),
      columns: tradeRows.concat(entries.map((e) => e.columns)),
    };
    applyTradeRows(rows, dbs, state, holes.size > 0 ? holes : undefined);
  }
  for (const key of group.keys) db.removeSync(key);
  state.journal.folded(g);
}

/**
 * The newest row each symbol of the batch will have once it is journaled, when every row is a pure
 * append for its symbol (a numeric id above all its stored and journaled ids, after its newest
 * row); undefined otherwise. Nothing is written.
 */
function pureAppends(rows: TradeRows, dbs: StoreDbs, state: WriterState): Map<string, JournalNewest> | undefined {
  const c = rows.columns;
  const ids = c.ids.values as Float64Array;
  const venue = `${rows.exchange}\u0000${rows.market}\u0000`;
  const touched = new Map<string, JournalNewest>();
  let symbol = '';
  let newest: JournalNewest | undefined;
  for (let i = 0; i < c.length; i++) {
    if (newest === undefined || rows.symbols[i] !== symbol) {
      symbol = rows.symbols[i] as string;
      newest = touched.get(symbol);
      if (newest === undefined) touched.set(symbol, (newest = newestOf(venue, rows, symbol, dbs, state)));
    }
    const id = ids[i] as number;
    const timestamp = c.timestamps[i] as number;
    if (!(id > newest.maxId) || !after(timestamp, id, newest.timestamp, newest.part)) return undefined;
    newest.timestamp = timestamp;
    newest.part = id;
    newest.maxId = id;
  }
  return touched;
}

/** the batch as one entry per journal group it touches, under this commit's number */
function putEntries(db: JournalDb, rows: TradeRows, state: WriterState, touched: Map<string, JournalNewest>, openGaps: ReadonlySet<string> | undefined): void {
  const j = state.journal;
  const seq = j.nextSeq;
  const venue = `${rows.exchange}\u0000${rows.market}\u0000`;
  const groupOf = new Map<string, number>();
  for (const s of touched.keys()) groupOf.set(s, j.groupOf(venue + s));
  const parts = cutRows(rows, (symbol) => groupOf.get(symbol) as number, JOURNAL_GROUPS);
  for (let g = 0; g < parts.length; g++) {
    const part = parts[g];
    if (part === undefined) continue;
    const holes = new Set<string>();
    if (openGaps !== undefined) for (const s of new Set(part.symbols)) if (openGaps.has(s)) holes.add(s);
    const bytes = encodeJournalEntry({ ...part, holes });
    const key: [number, number] = [seq, g];
    db.putSync(key, bytes);
    // the writer keeps its own copy: the batch's columns belong to the caller (a part cut from them is a copy already)
    j.added(key, part === rows ? decodeJournalEntry(bytes) : { ...part, holes });
  }
}

/** the symbol's newest row, journaled or stored, as a fresh object the caller may advance */
function newestOf(venue: string, rows: TradeRows, symbol: string, dbs: StoreDbs, state: WriterState): JournalNewest {
  const id = venue + symbol;
  const journaled = state.journal.newest.get(id);
  if (journaled !== undefined) return { ...journaled };
  const cursor = state.cache.cursor(id) ?? dbs.cursors.get(symbolPrefix(rows.exchange, rows.market, symbol));
  if (cursor === undefined) return { timestamp: -Infinity, part: '', maxId: -Infinity };
  return { timestamp: cursor.lastTimestamp, part: idPart(cursor.lastTradeId), maxId: cursor.maxId ?? -Infinity };
}
