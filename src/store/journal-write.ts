/**
 * How a commit uses the trade journal (journal.ts): a small batch of pure appends is one journal
 * entry; anything else, or a full journal, folds the journal into the blocks first, in the same
 * transaction, through the same code a direct write uses (write-rows.ts), so the blocks, cursors
 * and id buckets a fold leaves are those the direct writes would have left.
 */
import { tradeRows } from './blocks/trade-rows.js';
import { encodeJournalEntry, decodeJournalEntry, type JournalDb, type JournalEntry, type JournalNewest } from './journal.js';
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
  if (j.fits(n)) {
    if (journalRows(db, rows, dbs, state, openGaps)) return { written: n, duplicates: 0 };
    // not a pure append: the journal goes to the blocks first, then the batch as it is
    foldJournal(dbs, state);
    return applyTradeRows(rows, dbs, state, openGaps);
  }
  foldJournal(dbs, state);
  if (j.fits(n) && journalRows(db, rows, dbs, state, openGaps)) return { written: n, duplicates: 0 };
  return applyTradeRows(rows, dbs, state, openGaps);
}

/** Inside the write transaction: the journal's rows into the blocks, the entries deleted. No-op when empty. */
export function foldJournal(dbs: StoreDbs, state: WriterState): void {
  const db = dbs.journal;
  if (db === undefined) return;
  const j = state.journal;
  if (!state.cache.trusted || !j.loaded) j.load(db);
  if (j.keys.length === 0) return;
  // one direct write per venue, its entries' rows in the order they were journaled
  const venues = new Map<string, JournalEntry[]>();
  for (const e of j.entries) {
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
      const seen = new Set(e.symbols);
      for (const s of seen) {
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
  for (const key of j.keys) db.removeSync(key);
  j.folded();
}

/**
 * Puts the batch in the journal when every row is a pure append for its symbol (a numeric id above
 * all its stored and journaled ids, after its newest row); false, and nothing written, otherwise.
 */
function journalRows(db: JournalDb, rows: TradeRows, dbs: StoreDbs, state: WriterState, openGaps: ReadonlySet<string> | undefined): boolean {
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
    if (!(id > newest.maxId) || !after(timestamp, id, newest.timestamp, newest.part)) return false;
    newest.timestamp = timestamp;
    newest.part = id;
    newest.maxId = id;
  }
  const holes = new Set<string>();
  if (openGaps !== undefined) for (const s of touched.keys()) if (openGaps.has(s)) holes.add(s);
  const bytes = encodeJournalEntry({ exchange: rows.exchange, market: rows.market, symbols: rows.symbols, columns: c, holes });
  const j = state.journal;
  const key = j.nextKey;
  db.putSync(key, bytes);
  // the writer keeps its own copy: the batch's columns belong to the caller
  j.added(key, decodeJournalEntry(bytes));
  return true;
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
