/** Record builders and temp directories for store tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { RecordQueue } from '../../src/ingest/record-queue.js';
import type { ExchangeId, Market, Ticker, Trade } from '../../src/records.js';
import type { TradeRows } from '../../src/store/index.js';

export function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tickvisor-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function trade(
  id: string,
  timestamp: number,
  over: Partial<Omit<Trade, 'type' | 'id' | 'timestamp'>> & { exchange?: ExchangeId; market?: Market } = {},
): Trade {
  return {
    type: 'trade',
    exchange: 'binance',
    market: 'spot',
    symbol: 'BTC/USDT',
    id,
    price: 26150.4,
    amount: 0.0015,
    side: 'buy',
    timestamp,
    localTimestamp: timestamp + 3,
    ...over,
  };
}

export function ticker(timestamp: number, over: Partial<Omit<Ticker, 'type' | 'timestamp'>> = {}): Ticker {
  return {
    type: 'ticker',
    exchange: 'binance',
    market: 'spot',
    symbol: 'BTC/USDT',
    timestamp,
    localTimestamp: timestamp + 2,
    last: 26150.4,
    ...over,
  };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** the trades as the pipeline's buffer hands them to the store (columns: numeric ids, one venue) */
export function rowsOf(trades: readonly Trade[]): TradeRows {
  const q = new RecordQueue();
  q.push(trades);
  const rows = q.take(trades.length).trades;
  assert.ok(rows !== undefined, 'numeric-id trades of one venue are taken as columns');
  return rows;
}
