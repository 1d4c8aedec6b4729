/**
 * `tv.candles()` on a running instance: the candles of what the collector stored, checked against
 * a naive grouping of `tv.history()` done here; a bad interval throws a coded error at the call.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Trade } from '../../src/records.js';
import { allCoinsSubscribed, drive, driveUntil, quiesce, startSystem, type TestSystem } from '../support/system.js';

describe('tv.candles', () => {
  let sys: TestSystem;
  before(async () => {
    sys = await startSystem({
      exchanges: [{ exchange: 'okx', market: 'spot', simulated: true, sim: { symbols: ['BTC/USDT'] } }],
      simulator: { mode: 'manual', tradesPerSecond: 200, tickersPerSecond: 5 },
    }, undefined);
    await driveUntil(sys.tv, 'subscribed', () => allCoinsSubscribed(sys.tv));
    await drive(sys.tv, 3_000);
    await quiesce(sys.tv);
  });
  after(async () => sys?.close());

  test('1s candles equal the stored trades grouped by second', async () => {
    const trades: Trade[] = [];
    for await (const r of sys.tv.history({ exchange: 'okx', market: 'spot', symbol: 'BTC/USDT', type: 'trade' })) trades.push(r as Trade);
    assert.ok(trades.length > 50, `${trades.length} trades stored`);
    const bySecond = new Map<number, Trade[]>();
    for (const t of trades) {
      const second = Math.floor(t.timestamp / 1000) * 1000;
      bySecond.set(second, [...(bySecond.get(second) ?? []), t]);
    }
    const candles = [];
    for await (const c of sys.tv.candles('okx', 'spot', 'BTC/USDT', { interval: '1s' })) candles.push(c);
    assert.ok(candles.length >= 2, `${candles.length} candles`);
    assert.deepEqual(candles.map((c) => c.start), [...bySecond.keys()]);
    assert.deepEqual(candles.map((c) => c.trades), [...bySecond.values()].map((g) => g.length));
    assert.deepEqual(candles.map((c) => [c.open, c.close]), [...bySecond.values()].map((g) => [g[0]!.price, g.at(-1)!.price]));
    const buys = trades.filter((t) => t.side === 'buy').length;
    assert.ok(buys > 0 && buys < trades.length, 'both sides traded');
  });

  test('a bad interval throws TV_ERR_INVALID_ARGUMENT at the call', () => {
    assert.throws(() => sys.tv.candles('okx', 'spot', 'BTC/USDT', { interval: '1y' }), { code: 'TV_ERR_INVALID_ARGUMENT' });
  });
});
