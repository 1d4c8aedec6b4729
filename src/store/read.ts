/**
 * Reads: per (symbol, type) one reverse lookup and one range scan over blocks (read-blocks.ts),
 * each block decoded once and trimmed to the range; and the cursors. Nothing here writes.
 */
import type { ExchangeId, Market, MarketRecord, Ticker } from '../records.js';
import { TICKER_OPTIONAL_COLUMNS, type TickerColumns, type TradeColumns } from './blocks/columns.js';
import { tickerRecordAt, tickerRows } from './blocks/ticker-rows.js';
import { tradePartAt, tradeRecordAt, tradeRows } from './blocks/trade-rows.js';
import { cursorWithJournal, journaledRows, journaledRowsOf, journalTail, type JournaledRows } from './journal-read.js';
import type { RowKind } from './blocks/row-kind.js';
import { blocksInRange, lowerBound, upperBound } from './read-blocks.js';
import { cursorKey, symbolPrefix } from './keys.js';
import type { ColumnQuery, ColumnReadOptions, RangeQuery, RangeRecords, TradeCursor } from './types.js';
import { ReusedColumns, type ColumnMemory } from './blocks/column-memory.js';
import type { BlockDb } from './block-store.js';
import type { StoreDbs, StoredCursor } from './write.js';

/** the blocks of the range, decoded and trimmed to it; empty pieces are skipped */
function* columnsInRange<C extends { readonly length: number; readonly timestamps: Float64Array }>(
  db: BlockDb,
  kind: RowKind<C>,
  query: ColumnQuery,
  memory?: ColumnMemory,
  /** told of each block decoded, before it is trimmed */
  onBlock?: (c: C) => void,
): Generator<C> {
  const prefix = symbolPrefix(query.exchange, query.market, query.symbol);
  for (const value of blocksInRange(db, prefix, query.from, query.to)) {
    const c = kind.decode(value, memory);
    onBlock?.(c);
    const start = query.from === undefined ? 0 : lowerBound(c.timestamps, query.from);
    const end = query.to === undefined ? c.length : upperBound(c.timestamps, query.to);
    if (end <= start) continue;
    yield start === 0 && end === c.length ? c : kind.slice(c, start, end);
  }
}

/** `reuse`: each block decoded into the scan's one set of columns (ColumnReadOptions) */
export function readTradeColumns(dbs: StoreDbs, query: ColumnQuery, options?: ColumnReadOptions): Generator<TradeColumns> {
  // the journal before the blocks (journal-read.ts)
  const journaled = journaledRowsOf(dbs.journal, query.exchange, query.market, query.symbol);
  const memory = options?.reuse === true ? new ReusedColumns() : undefined;
  if (journaled === undefined) return columnsInRange(dbs.tradeBlocks, tradeRows, query, memory);
  return withJournal(dbs, query, memory, journaled);
}

function* withJournal(dbs: StoreDbs, query: ColumnQuery, memory: ColumnMemory | undefined, journaled: JournaledRows): Generator<TradeColumns> {
  const newest = { timestamp: -Infinity, part: '' as number | string };
  const onBlock = (c: TradeColumns): void => {
    if (c.length === 0) return;
    newest.timestamp = c.timestamps[c.length - 1] as number;
    newest.part = tradePartAt(c, c.length - 1);
  };
  yield* columnsInRange(dbs.tradeBlocks, tradeRows, query, memory, onBlock);
  const tail = journalTail(journaled, newest, query.from, query.to);
  if (tail !== undefined) yield tail;
}

export function readTickerColumns(dbs: StoreDbs, query: ColumnQuery): Generator<TickerColumns> {
  return columnsInRange(dbs.tickerBlocks, tickerRows, query);
}

const REUSE: ColumnReadOptions = { reuse: true };

/** Records of one type in store order, i.e. ascending by (timestamp, id). */
export function scanType(dbs: StoreDbs, query: RangeQuery, type: 'trade' | 'ticker'): IterableIterator<MarketRecord> {
  const { exchange, market, symbol } = query;
  // a block's rows become records before the next block is decoded: its columns can be reused
  return type === 'trade'
    ? new RecordsOf(readTradeColumns(dbs, query, REUSE), (c, i) => tradeRecordAt(c, i, exchange, market, symbol))
    : new RecordsOf(readTickerColumns(dbs, query), (c, i) => tickerRecordAt(c, i, exchange, market, symbol));
}

/**
 * One record per row of each block, built as it is taken. A plain iterator rather than a generator:
 * resuming a generator per record cost about as much as building the record.
 */
class RecordsOf<C extends { readonly length: number }> implements IterableIterator<MarketRecord> {
  private block: C | undefined;
  private row = 0;
  private rows = 0;

  constructor(
    private readonly blocks: Generator<C>,
    private readonly recordAt: (c: C, i: number) => MarketRecord,
  ) {}

  next(): IteratorResult<MarketRecord> {
    while (this.row >= this.rows) {
      const b = this.blocks.next();
      if (b.done === true) return { done: true, value: undefined };
      this.block = b.value;
      this.row = 0;
      this.rows = b.value.length;
    }
    return { done: false, value: this.recordAt(this.block as C, this.row++) };
  }

  /** a loop left early: the block scan (an LMDB range read) ends too */
  return(): IteratorResult<MarketRecord> {
    this.blocks.return(undefined);
    this.row = this.rows = 0;
    return { done: true, value: undefined };
  }

  [Symbol.iterator](): IterableIterator<MarketRecord> {
    return this;
  }
}

/**
 * Both types are two scans merged by timestamp (trades first on a tie: they are the facts a
 * ticker summarises). One type is one scan.
 */
export function readRange(dbs: StoreDbs, query: RangeQuery): RangeRecords {
  return bothWays(() => (query.type !== undefined ? scanType(dbs, query, query.type) : mergedScan(dbs, query)));
}

function* mergedScan(dbs: StoreDbs, query: RangeQuery): Generator<MarketRecord> {
  const trades = scanType(dbs, query, 'trade');
  const tickers = scanType(dbs, query, 'ticker');
  let a = trades.next();
  let b = tickers.next();
  while (!a.done || !b.done) {
    if (b.done || (!a.done && a.value.timestamp <= b.value.timestamp)) {
      yield a.value as MarketRecord;
      a = trades.next();
    } else {
      yield b.value;
      b = tickers.next();
    }
  }
}

/**
 * The records are read synchronously: `for (… of …)` takes them as they are, `for await` gets each
 * in one resolved promise (an async generator around them would cost its request queue and two
 * promises a record, ~4× slower). Each iteration starts its own scan.
 */
function bothWays<T>(scan: () => Iterator<T>): Iterable<T> & AsyncIterable<T> {
  return {
    [Symbol.iterator]: scan,
    [Symbol.asyncIterator]: () => {
      const source = scan();
      return {
        next: () => Promise.resolve(source.next()),
        return: (value?: unknown) => Promise.resolve(source.return?.(value as T) ?? ({ done: true, value: undefined } as IteratorResult<T>)),
      };
    },
  };
}

/** true when a ticker equal on (timestamp, localTimestamp) to `t` is stored (what reparse asks) */
export function tickerStored(dbs: StoreDbs, t: Ticker): boolean {
  for (const c of readTickerColumns(dbs, { exchange: t.exchange, market: t.market, symbol: t.symbol, from: t.timestamp, to: t.timestamp })) {
    for (let i = 0; i < c.length; i++) if (c.localTimestamps[i] === t.localTimestamp) return true;
  }
  return false;
}

/**
 * true when a ticker of the same exchange event as `t` is stored: the same exchange time and every
 * value the same, whatever its local time (the archiver's "another node's copy of this ticker")
 */
export function tickerEventStored(dbs: StoreDbs, t: Ticker): boolean {
  for (const c of readTickerColumns(dbs, { exchange: t.exchange, market: t.market, symbol: t.symbol, from: t.timestamp, to: t.timestamp })) {
    for (let i = 0; i < c.length; i++) {
      if (c.timestamps[i] !== t.timestamp || c.last[i] !== t.last) continue;
      let same = true;
      for (const f of TICKER_OPTIONAL_COLUMNS) {
        const stored = c.optional[f][i] as number;
        const mine = t[f];
        if (mine === undefined ? !Number.isNaN(stored) : stored !== mine) {
          same = false;
          break;
        }
      }
      if (same) return true;
    }
  }
  return false;
}

export function readCursor(dbs: StoreDbs, exchange: ExchangeId, market: Market, symbol: string): TradeCursor | undefined {
  // the journal before the cursor (journal-read.ts)
  const journaled = journaledRowsOf(dbs.journal, exchange, market, symbol);
  const stored = cursorWithJournal(dbs.cursors.get(cursorKey(exchange, market, symbol)), journaled);
  return stored && publicCursor(exchange, market, symbol, stored);
}

export function listCursors(dbs: StoreDbs): TradeCursor[] {
  const journaled = journaledRows(dbs.journal);
  const out: TradeCursor[] = [];
  for (const { key, value } of dbs.cursors.getRange({ snapshot: true })) {
    const [exchange, market, symbol] = key as [ExchangeId, Market, string];
    const id = `${exchange}\u0000${market}\u0000${symbol}`;
    const cursor = cursorWithJournal(value, journaled.get(id)) as StoredCursor;
    journaled.delete(id);
    out.push(publicCursor(exchange, market, symbol, cursor));
  }
  // symbols whose only trades are journaled
  for (const [id, rows] of journaled) {
    const [exchange, market, symbol] = id.split('\u0000') as [ExchangeId, Market, string];
    const cursor = cursorWithJournal(undefined, rows);
    if (cursor !== undefined) out.push(publicCursor(exchange, market, symbol, cursor));
  }
  return out;
}

/** the cursor as callers see it: `maxId` is the store's own bookkeeping (id-guard.ts) */
function publicCursor(exchange: ExchangeId, market: Market, symbol: string, stored: StoredCursor): TradeCursor {
  return {
    exchange, market, symbol, lastTradeId: stored.lastTradeId, lastTimestamp: stored.lastTimestamp, count: stored.count,
    ...(stored.resumeTradeId !== undefined && stored.resumeTimestamp !== undefined ? { resumeTradeId: stored.resumeTradeId, resumeTimestamp: stored.resumeTimestamp } : {}),
  };
}
