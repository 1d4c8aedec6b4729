/**
 * applyBatch (write.ts) for a batch of trades held as columns (TradeRows): the same decisions row
 * by row (the id decides what is new, rows after the newest stored one are appended, the others
 * merged, the cursor names the newest by (timestamp, id)), written by the same code. What it saves
 * is the record objects: the pipeline's buffer keeps trades as columns, and making a record per
 * trade only to read it back into columns here cost CPU and, while the commit was in flight, young
 * garbage that survived scavenges (measured: ~420 KB copied per scavenge under a burst).
 */
import type { Key } from 'lmdb';
import type { TradeColumns } from './blocks/columns.js';
import { gatherTrades } from './blocks/trade-rows.js';
import { StoreError } from './errors.js';
import { newIdState, noteNumericId, numericIdStored, type IdState } from './id-guard.js';
import { compareIdParts, idPart, symbolPrefix } from './keys.js';
import type { TradeRows, WriteResult } from './types.js';
import { after, storeTrades, type StoreDbs, type StoredCursor, type WriterState } from './write.js';

/** one symbol while a batch of rows is applied */
interface RowsTouch {
  prefix: Key[];
  /** the writer cache's key (write.ts Touch.id) */
  id: string;
  cursor: StoredCursor;
  /** the cursor's newest trade id as a number (cursor.lastTradeId is set from it once, at the end) */
  lastPart: number | string;
  lastMoved: boolean;
  storedTimestamp: number;
  storedPart: number | string;
  appended: number[];
  older: number[];
  ids: IdState;
  taken: () => Iterable<number>;
}

/**
 * Checked before the transaction starts, as assertStorable for records: what would break a key or
 * a block (a non-finite number, an empty name, an id that is not a stored number).
 */
export function assertStorableRows(rows: TradeRows): void {
  const c = rows.columns;
  const fail = (i: number): never => {
    throw new StoreError('TV_ERR_STORE_INVALID_RECORD', `record ${i} of the batch cannot be stored`);
  };
  if (typeof rows.exchange !== 'string' || (rows.exchange as string) === '' || typeof rows.market !== 'string' || (rows.market as string) === '') fail(0);
  if (c.ids.kind !== 'numeric' || rows.symbols.length !== c.length) fail(0);
  const ids = c.ids.values as Float64Array;
  for (let i = 0; i < c.length; i++) {
    const symbol = rows.symbols[i];
    const id = ids[i] as number;
    if (
      typeof symbol !== 'string' || symbol === '' ||
      !Number.isFinite(c.timestamps[i]) || !Number.isFinite(c.localTimestamps[i]) ||
      !Number.isFinite(c.prices[i]) || !Number.isFinite(c.amounts[i]) ||
      !(Number.isSafeInteger(id) && id >= 0) || (c.sides[i] as number) > 1
    ) fail(i);
  }
}

/** Runs inside the write transaction, as applyBatch. */
export function applyTradeRows(rows: TradeRows, dbs: StoreDbs, state: WriterState, openGaps?: ReadonlySet<string>): WriteResult {
  state.cache.blocksBegin();
  const c = rows.columns;
  const ids = c.ids.values as Float64Array;
  let written = 0;
  let duplicates = 0;
  const touched = new Map<string, RowsTouch>();
  let last: RowsTouch | undefined;
  let lastSymbol = '';
  for (let i = 0; i < c.length; i++) {
    const symbol = rows.symbols[i] as string;
    let tt = last;
    if (tt === undefined || symbol !== lastSymbol) {
      tt = touched.get(symbol);
      if (tt === undefined) touched.set(symbol, (tt = rowsTouch(dbs, state, rows, symbol)));
      last = tt;
      lastSymbol = symbol;
    }
    const part = ids[i] as number;
    const timestamp = c.timestamps[i] as number;
    // the id decides: a second copy of an id is refused whatever its timestamp
    if (numericIdStored(dbs.tradeBlocks, dbs.idBlocks, tt.ids, part, tt.taken)) {
      duplicates++;
      continue;
    }
    noteNumericId(tt.ids, part, timestamp);
    if (after(timestamp, part, tt.storedTimestamp, tt.storedPart)) tt.appended.push(i);
    else tt.older.push(i);
    written++;
    // the cursor names the newest trade by (timestamp, id); an older one only adds to count
    const cursor = tt.cursor;
    cursor.count++;
    if (timestamp > cursor.lastTimestamp || (timestamp === cursor.lastTimestamp && compareIdParts(part, tt.lastPart) > 0)) {
      cursor.lastTimestamp = timestamp;
      tt.lastPart = part;
      tt.lastMoved = true;
    }
  }
  for (const [symbol, tt] of touched) {
    if (tt.appended.length === 0 && tt.older.length === 0) continue;
    // a numeric id's text is the number's (idPart makes numbers only of ids that print back to themselves)
    if (tt.lastMoved) tt.cursor.lastTradeId = String(tt.lastPart);
    const older: TradeColumns | undefined = tt.older.length > 0 ? gatherTrades(c, tt.older) : undefined;
    const appended: TradeColumns | undefined = tt.appended.length > 0 ? gatherTrades(c, tt.appended) : undefined;
    storeTrades(dbs, state.cache, tt.prefix, tt.id, tt.prefix, tt.cursor, tt.ids, openGaps === undefined || !openGaps.has(symbol), older, appended);
  }
  return { written, duplicates };
}

function rowsTouch(dbs: StoreDbs, state: WriterState, rows: TradeRows, symbol: string): RowsTouch {
  const prefix = symbolPrefix(rows.exchange, rows.market, symbol);
  const id = `${rows.exchange}\u0000${rows.market}\u0000${symbol}`;
  // a cursor's key is the symbol's prefix (keys.ts); mutated in place, as in applyBatch
  const cursor: StoredCursor = state.cache.cursor(id) ?? dbs.cursors.get(prefix) ?? { lastTradeId: '', lastTimestamp: -Infinity, count: 0 };
  const lastPart = idPart(cursor.lastTradeId);
  const tt: RowsTouch = {
    prefix, id, cursor, lastPart, lastMoved: false, storedTimestamp: cursor.lastTimestamp, storedPart: lastPart,
    appended: [], older: [],
    ids: newIdState(prefix, cursor.maxId ?? -Infinity, cursor.lastTimestamp, cursor.openBucket),
    taken: () => takenIds(idValues(rows), tt),
  };
  return tt;
}

const idValues = (rows: TradeRows): Float64Array => rows.columns.ids.values as Float64Array;

function* takenIds(values: Float64Array, tt: RowsTouch): Generator<number> {
  for (const i of tt.appended) yield values[i] as number;
  for (const i of tt.older) yield values[i] as number;
}
