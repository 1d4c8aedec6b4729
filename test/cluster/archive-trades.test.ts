/**
 * What the archiver writes for a chunk's trade messages (archive-trades.ts): numeric ids as one
 * TradeRows per exchange × market, every row's symbol kept; string ids as records; nothing lost,
 * nothing invented.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeTradeBatchColumns, encodeTradeBatch, type TradeBatchColumns } from '../../src/cluster/batch-codec.js';
import { tradeWrites } from '../../src/cluster/archive-trades.js';
import type { ExchangeId, Market, Trade } from '../../src/records.js';
import { tradeRecordAt } from '../../src/store/blocks/trade-rows.js';

const T0 = 1_764_000_000_000;

function batch(exchange: ExchangeId, market: Market, symbol: string, ids: string[]): TradeBatchColumns {
  const trades: Trade[] = ids.map((id, i) => ({ type: 'trade', exchange, market, symbol, id, timestamp: T0 + i, localTimestamp: T0 + i + 5, price: 100 + i / 100, amount: 0.5 + i, side: i % 2 ? 'sell' : 'buy' }));
  const decoded = decodeTradeBatchColumns(encodeTradeBatch({ exchange, market, symbol, windowStart: T0, trades }));
  assert.ok(!('error' in decoded));
  return decoded;
}

const recordsOf = (w: ReturnType<typeof tradeWrites>): Trade[] => [
  ...w.rows.flatMap((r) => Array.from({ length: r.columns.length }, (_, i) => tradeRecordAt(r.columns, i, r.exchange, r.market, r.symbols[i]!))),
  ...w.records,
];

describe('the archive\'s trade writes', () => {
  const chunk = [
    batch('binance', 'spot', 'BTC/USDT', ['10', '11', '12']),
    batch('bybit', 'spot', 'BTC/USDT', ['7f1c3b9e-0000-4000-8000-000000000001', '7f1c3b9e-0000-4000-8000-000000000002']),
    batch('binance', 'spot', 'ETH/USDT', ['5', '6']),
    batch('okx', 'futures', 'BTC/USDT:USDT', ['900']),
  ];

  test('numeric ids: one TradeRows per exchange × market, each row with its own symbol; string ids as records', () => {
    const w = tradeWrites(chunk);
    assert.deepEqual(w.rows.map((r) => [r.exchange, r.market, r.columns.length]), [['binance', 'spot', 5], ['okx', 'futures', 1]]);
    assert.deepEqual(w.rows[0]!.symbols, ['BTC/USDT', 'BTC/USDT', 'BTC/USDT', 'ETH/USDT', 'ETH/USDT']);
    assert.deepEqual(w.records.map((t) => [t.exchange, t.id]), [['bybit', '7f1c3b9e-0000-4000-8000-000000000001'], ['bybit', '7f1c3b9e-0000-4000-8000-000000000002']]);
  });

  test('as rows or all as records, the same trades, field for field', () => {
    const key = (t: Trade) => `${t.exchange} ${t.symbol} ${t.id}`;
    const sorted = (ts: Trade[]) => [...ts].sort((a, b) => key(a).localeCompare(key(b)));
    const asRows = recordsOf(tradeWrites(chunk));
    const asRecords = tradeWrites(chunk, false);
    assert.equal(asRecords.rows.length, 0);
    assert.equal(asRows.length, 8);
    assert.deepEqual(sorted(asRows), sorted(asRecords.records));
  });
});
