/**
 * Reading through the trade journal (journal.ts): a symbol's journaled rows come after all of its
 * block rows, and its stored cursor plus those rows is its cursor. Readers take the journal before
 * the blocks and the cursors: a fold committed in between moves rows from the one to the other, and
 * such rows, found twice, are the journaled ones not after the newest block row (skipped here).
 */
import type { ExchangeId, Market } from '../records.js';
import type { TradeColumns } from './blocks/columns.js';
import { numericIdText } from './blocks/numeric-id-text.js';
import { gatherTrades, tradeRows } from './blocks/trade-rows.js';
import { decodeJournalEntry, type JournalDb } from './journal.js';
import { idPart } from './keys.js';
import type { StoredCursor } from './write.js';
import { after } from './write.js';

/** one symbol's journaled rows, oldest first */
export interface JournaledRows {
  columns: TradeColumns;
  /** whether the symbol's last entry had no open gap window (its resume point may move to the newest row) */
  holeFree: boolean;
}

/** every symbol's journaled rows, keyed `exchange \0 market \0 symbol`; empty when nothing is journaled */
export function journaledRows(db: JournalDb | undefined, only?: { exchange: ExchangeId; market: Market; symbol: string }): Map<string, JournaledRows> {
  const out = new Map<string, JournaledRows>();
  if (db === undefined) return out;
  const parts = new Map<string, { pieces: TradeColumns[]; holeFree: boolean }>();
  for (const { value } of db.getRange({})) {
    const e = decodeJournalEntry(value);
    if (only !== undefined && (e.exchange !== only.exchange || e.market !== only.market)) continue;
    const bySymbol = new Map<string, number[]>();
    for (let i = 0; i < e.symbols.length; i++) {
      const s = e.symbols[i] as string;
      if (only !== undefined && s !== only.symbol) continue;
      const list = bySymbol.get(s);
      if (list === undefined) bySymbol.set(s, [i]);
      else list.push(i);
    }
    for (const [symbol, order] of bySymbol) {
      const key = `${e.exchange}\u0000${e.market}\u0000${symbol}`;
      const piece = order.length === e.columns.length ? e.columns : gatherTrades(e.columns, order);
      const had = parts.get(key);
      if (had === undefined) parts.set(key, { pieces: [piece], holeFree: !e.holes.has(symbol) });
      else {
        had.pieces.push(piece);
        had.holeFree = !e.holes.has(symbol);
      }
    }
  }
  for (const [key, p] of parts) out.set(key, { columns: p.pieces.length === 1 ? (p.pieces[0] as TradeColumns) : tradeRows.concat(p.pieces), holeFree: p.holeFree });
  return out;
}

/** one symbol's journaled rows, or undefined */
export function journaledRowsOf(db: JournalDb | undefined, exchange: ExchangeId, market: Market, symbol: string): JournaledRows | undefined {
  if (db === undefined) return undefined;
  return journaledRows(db, { exchange, market, symbol }).get(`${exchange}\u0000${market}\u0000${symbol}`);
}

/**
 * The journaled rows after (timestamp, id) `newest` and inside [from, to], or undefined when none:
 * what a read adds after the blocks it scanned, `newest` being the newest row among them.
 */
export function journalTail(rows: JournaledRows, newest: { timestamp: number; part: number | string }, from: number | undefined, to: number | undefined): TradeColumns | undefined {
  const c = rows.columns;
  const ids = c.ids.values as Float64Array;
  const keep: number[] = [];
  for (let i = 0; i < c.length; i++) {
    const t = c.timestamps[i] as number;
    if ((from !== undefined && t < from) || (to !== undefined && t > to)) continue;
    if (after(t, ids[i] as number, newest.timestamp, newest.part)) keep.push(i);
  }
  if (keep.length === 0) return undefined;
  return keep.length === c.length ? c : gatherTrades(c, keep);
}

/** the stored cursor advanced over the journaled rows it does not count yet (undefined: neither exists) */
export function cursorWithJournal(stored: StoredCursor | undefined, rows: JournaledRows | undefined): StoredCursor | undefined {
  if (rows === undefined) return stored;
  const cursor: StoredCursor = stored !== undefined ? { ...stored } : { lastTradeId: '', lastTimestamp: -Infinity, count: 0 };
  const c = rows.columns;
  const ids = c.ids.values as Float64Array;
  let lastPart = idPart(cursor.lastTradeId);
  let moved = false;
  for (let i = 0; i < c.length; i++) {
    const t = c.timestamps[i] as number;
    const id = ids[i] as number;
    if (!after(t, id, cursor.lastTimestamp, lastPart)) continue; // folded since the journal was read
    cursor.count++;
    cursor.lastTimestamp = t;
    lastPart = id;
    moved = true;
  }
  if (!moved) return stored;
  cursor.lastTradeId = numericIdText(lastPart as number);
  if (rows.holeFree) {
    cursor.resumeTradeId = cursor.lastTradeId;
    cursor.resumeTimestamp = cursor.lastTimestamp;
  }
  return cursor;
}
