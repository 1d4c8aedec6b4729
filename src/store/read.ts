/** Reads: one range scan per (symbol, type), and the cursors. Nothing here writes. */
import type { Key } from 'lmdb';
import type { ExchangeId, Market, MarketRecord } from '../records.js';
import { decodeTicker, decodeTrade } from './codec.js';
import { cursorKey, idFromPart, rangeBounds } from './keys.js';
import type { RangeQuery, TradeCursor } from './types.js';
import type { StoreDbs, StoredCursor } from './write.js';

/** Records of one type in key order, i.e. ascending by (timestamp, id). */
export function* scanType(dbs: StoreDbs, query: RangeQuery, type: 'trade' | 'ticker'): Generator<MarketRecord> {
  const { start, end } = rangeBounds(query, type);
  // snapshot: the scan sees one committed state even while batches keep committing
  for (const { key, value } of dbs.records.getRange({ start, end, snapshot: true })) {
    const k = key as Key[];
    const timestamp = k[4] as number;
    yield type === 'trade'
      ? decodeTrade(value, query.exchange, query.market, query.symbol, timestamp, idFromPart(k[5]))
      : decodeTicker(value, query.exchange, query.market, query.symbol, timestamp, k[5] as number);
  }
}

/**
 * Both types are two scans merged by timestamp (trades first on a tie: they are the facts a
 * ticker summarises). One type is one scan.
 */
export async function* readRange(dbs: StoreDbs, query: RangeQuery): AsyncGenerator<MarketRecord> {
  if (query.type !== undefined) {
    yield* scanType(dbs, query, query.type);
    return;
  }
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

export function readCursor(dbs: StoreDbs, exchange: ExchangeId, market: Market, symbol: string): TradeCursor | undefined {
  const stored = dbs.cursors.get(cursorKey(exchange, market, symbol));
  return stored && publicCursor(exchange, market, symbol, stored);
}

export function listCursors(dbs: StoreDbs): TradeCursor[] {
  const out: TradeCursor[] = [];
  for (const { key, value } of dbs.cursors.getRange({ snapshot: true })) {
    const [exchange, market, symbol] = key as [ExchangeId, Market, string];
    out.push(publicCursor(exchange, market, symbol, value));
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
