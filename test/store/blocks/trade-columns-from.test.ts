import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tradeColumnsFrom } from '../../../src/store/blocks/trade-rows.js';
import { idPart } from '../../../src/store/keys.js';
import type { Trade } from '../../../src/records.js';

const trade = (id: string, i: number): Trade => ({
  type: 'trade', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', id, price: 97_000 + i / 100, amount: 0.001 * (i + 1),
  side: i % 2 === 0 ? 'buy' : 'sell', timestamp: 1_700_000_000_000 + i, localTimestamp: 1_700_000_000_005 + i,
});
const parsed = (trades: readonly Trade[]) => trades.map((t) => { const p = idPart(t.id); return typeof p === 'number' ? p : Number.NaN; });

test('tradeColumnsFrom with the ids the writer parsed builds the very columns it builds parsing them itself', () => {
  const numeric = ['1', '28457001', '999999999999999', '0'].map(trade);
  assert.deepEqual(tradeColumnsFrom(numeric, parsed(numeric)), tradeColumnsFrom(numeric));
  assert.equal(tradeColumnsFrom(numeric, parsed(numeric)).ids.kind, 'numeric');
  // one string id (NaN in the parsed list) makes the whole column strings, as without the list
  const mixed = ['5', 'a3c1e2f4-0000-4000-8000-000000000001', '007'].map(trade);
  const columns = tradeColumnsFrom(mixed, parsed(mixed));
  assert.deepEqual(columns, tradeColumnsFrom(mixed));
  assert.deepEqual(columns.ids, { kind: 'string', values: ['5', 'a3c1e2f4-0000-4000-8000-000000000001', '007'] });
});
