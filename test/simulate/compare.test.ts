import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareRun, compareSymbol, compareWithTruth } from '../../src/simulate/compare.js';
import { TruthLog } from '../../src/sim/truth-log.js';
import type { Trade } from '../../src/records.js';
import type { TruthSymbol } from '../../src/sim/types.js';

function truthOf(ids: TruthLog, extra: Partial<TruthSymbol> = {}): TruthSymbol {
  return {
    exchange: 'binance',
    market: 'spot',
    symbol: 'BTC/USDT',
    generated: ids.size,
    firstKept: 0,
    subscribedAt: { seq: 0, time: 0 },
    resubscribedAt: [],
    ids: () => ids.ids(),
    ...extra,
  };
}

function numericLog(n: number, base = 180_000_000_000_000): TruthLog {
  const log = new TruthLog();
  for (let i = 0; i < n; i++) log.push(String(base + i));
  return log;
}

describe('compare: the store against the ground truth', () => {
  test('1M trades compare without stack limits, counting each missing and duplicated trade exactly', () => {
    const n = 1_000_000;
    const log = numericLog(n);
    const missing = new Set([5, 700_000, n - 1]);
    function* stored() {
      for (let i = 0; i < n; i++) {
        if (missing.has(i)) continue;
        yield { id: String(180_000_000_000_000 + i) };
        if (i === 500_000) yield { id: String(180_000_000_000_000 + i) };
      }
      yield { id: 'never-generated' };
    }
    const started = process.hrtime.bigint();
    const v = compareSymbol(truthOf(log), stored());
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(v.generated, n);
    assert.equal(v.stored, n - 3 + 1 + 1);
    assert.equal(v.lost, 3);
    assert.deepEqual(v.lostSample.map((t) => t.id), [...missing].map((i) => String(180_000_000_000_000 + i)));
    assert.equal(v.duplicated, 1);
    assert.equal(v.unexpected, 1);
    assert.ok(ms < 10_000, `${ms} ms`);
  });

  test('the truth log keeps ids exactly (integers as doubles, anything else as text)', () => {
    const log = new TruthLog();
    log.push('179622000000000123');
    log.push('7');
    assert.deepEqual([...log.ids()], ['179622000000000123', '7'], 'an id beyond 2^53 switches the log to exact strings');
    const uuids = new TruthLog();
    uuids.push('0194a1b2-c3d4-5000-8000-000000000001');
    assert.equal(uuids.id(0), '0194a1b2-c3d4-5000-8000-000000000001');
  });

  test('dropped first frames after the ack are lost, not "before collection began" (row 5)', () => {
    // acknowledged at seq 100; the first 139 trades after it never reached the store
    const log = numericLog(1000);
    const stored = [...log.ids(239)].map((id) => ({ id }));
    const v = compareSymbol(truthOf(log, { subscribedAt: { seq: 100, time: 0 } }), stored);
    assert.equal(v.lost, 139);
    assert.equal(v.beforeStart, 100);
    assert.equal(v.generated, 900);
    // the old count from the first stored trade hid them
    const asTrades: Trade[] = [...log.ids()].map((id) => ({
      type: 'trade', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', id, price: 1, amount: 1, side: 'buy', timestamp: 0, localTimestamp: 0,
    }));
    const old = compareWithTruth(asTrades, stored.map(({ id }) => ({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', id })), { fromFirstStored: true });
    assert.equal(old.lost, 0, 'the loose comparison cannot see them: that is why runs use the ack');
  });

  test('trades published before the ack and stored anyway are neither lost nor unexpected', () => {
    const log = numericLog(10);
    const v = compareSymbol(truthOf(log, { subscribedAt: { seq: 5, time: 0 } }), [...log.ids(3)].map((id) => ({ id })));
    assert.deepEqual([v.lost, v.unexpected, v.beforeStart, v.generated], [0, 0, 5, 5]);
  });

  test('a symbol never acknowledged is named, and none of its trades counts as lost', () => {
    const log = numericLog(50);
    const v = compareSymbol(truthOf(log, { subscribedAt: undefined }), []);
    assert.deepEqual(v.neverSubscribed, ['binance:spot:BTC/USDT']);
    assert.equal(v.lost, 0);
    assert.equal(v.beforeStart, 50);
  });

  test("Bybit: a hole older than its REST history at the resubscription is unfilled, the rest of it lost", () => {
    const log = new TruthLog();
    for (let i = 0; i < 6000; i++) log.push(`00000000-0000-5000-8000-${String(i).padStart(12, '0')}`);
    const ids = [...log.ids()];
    // disconnected from seq 1000 to the resubscription at 5000: REST serves the newest 1000 then (4000..4999)
    const stored = ids.filter((_, seq) => seq < 1000 || seq >= 4500).map((id) => ({ id }));
    const v = compareSymbol(
      truthOf(log, { exchange: 'bybit', market: 'futures', symbol: 'BTC/USDT:USDT', resubscribedAt: [5000], restHistoryReach: 1000 }),
      stored,
    );
    assert.equal(v.unfilled, 3000, 'seq 1000..3999 had left the REST history');
    assert.equal(v.lost, 500, 'seq 4000..4499 were still served: the collector should have filled them');
  });

  test('a hole with no resubscription after it is lost even on Bybit (nothing made it unreachable)', () => {
    const log = numericLog(3000);
    const stored = [...log.ids()].filter((_, seq) => seq < 100 || seq >= 2500).map((id) => ({ id }));
    const v = compareSymbol(truthOf(log, { restHistoryReach: 1000, resubscribedAt: [] }), stored);
    assert.equal(v.lost, 2400);
    assert.equal(v.unfilled, 0);
  });

  test('compareRun streams each symbol from an async source and adds the verdicts', async () => {
    const a = numericLog(100);
    const b = numericLog(100, 5);
    const v = await compareRun([truthOf(a), truthOf(b, { symbol: 'ETH/USDT' })], async function* (t) {
      const ids = [...t.ids()];
      for (const id of t.symbol === 'ETH/USDT' ? ids.slice(1) : ids) yield { id };
    });
    assert.equal(v.generated, 200);
    assert.equal(v.lost, 1);
    assert.equal(v.lostSample[0]!.symbol, 'ETH/USDT');
  });
});
