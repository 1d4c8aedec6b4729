/** The store bench's trade series: the shape the issue names (and a codec will meet in production). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tradeSeries } from '../../bench/store/trade-series.js';

const all = (count: number, batch: number) => [...tradeSeries(count, batch)];

describe('bench store trade series', () => {
  test('count trades in batches of the given size, the last one shorter', () => {
    const batches = all(2_500, 1_000);
    assert.deepEqual(batches.map((b) => b.length), [1_000, 1_000, 500]);
  });

  test('consecutive ids, 0–50 ms apart, prices in cents near 97,000, amounts in 0.00001 lots, received after', () => {
    const trades = all(20_000, 1_000).flat();
    const gaps = new Set<number>();
    for (let i = 0; i < trades.length; i++) {
      const t = trades[i]!;
      assert.equal(t.symbol, 'BTC/USDT');
      if (i > 0) {
        const prev = trades[i - 1]!;
        assert.equal(Number(t.id), Number(prev.id) + 1);
        const dt = t.timestamp - prev.timestamp;
        assert.ok(dt >= 0 && dt <= 50, `dt ${dt}`);
        gaps.add(dt);
      }
      assert.ok(Math.abs(t.price - 97_000) < 5_000, `price ${t.price}`);
      assert.equal(Number(t.price.toFixed(2)), t.price, `price ${t.price} has more than 2 decimals`);
      assert.ok(t.amount >= 0.00001 && t.amount <= 2.5, `amount ${t.amount}`);
      assert.equal(Number(t.amount.toFixed(5)), t.amount, `amount ${t.amount} has more than 5 decimals`);
      assert.ok(t.localTimestamp > t.timestamp);
      assert.ok(t.side === 'buy' || t.side === 'sell');
    }
    // spread over the range, not a constant step
    assert.ok(gaps.size > 40);
    assert.ok(new Set(trades.map((t) => t.price)).size > 20);
    assert.ok(trades.some((t) => t.side === 'buy') && trades.some((t) => t.side === 'sell'));
  });

  test('the same series run after run', () => {
    assert.deepEqual(all(3_000, 700), all(3_000, 700));
  });
});
