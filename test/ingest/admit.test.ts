/** The admission stage alone, on a ManualClock: validation, dedup, the latest cache, lateness, the venue clock offset. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Admission } from '../../src/ingest/admit.js';
import { ManualClock, NOW, trade, trades } from './helpers.js';

function admission(over: Partial<ConstructorParameters<typeof Admission>[0]> = {}) {
  const clock = new ManualClock(NOW);
  return { clock, admit: new Admission({ clock, ...over }) };
}

describe('admission', () => {
  test('all pass: the input array itself comes back (no copy on the hot path)', () => {
    const { admit } = admission();
    const input = trades(1, 5);
    assert.equal(admit.admit(input, 'live'), input);
  });

  test('refused records are counted by reason and left out, order kept', () => {
    const { admit } = admission({ knownSymbols: new Set(['BTC/USDT']) });
    const input = [trade(1), trade(2, { price: -1 }), trade(3, { symbol: 'ETH/USDT' }), trade(4, { amount: 0 }), trade(5)];
    assert.deepEqual(admit.admit(input, 'live').map((r) => (r.type === 'trade' ? r.id : '')), ['1', '5']);
    assert.equal(admit.rejected.price, 1);
    assert.equal(admit.rejected.symbol, 1);
    assert.equal(admit.rejected.amount, 1);
    assert.equal(admit.rejectedTotal, 3);
  });

  test('dedup: a trade id seen before is dropped and counted, live or backfill', () => {
    const { admit } = admission();
    admit.admit(trades(1, 3), 'live');
    const again = admit.admit([trade(2), trade(3), trade(4)], 'backfill');
    assert.deepEqual(again.map((r) => (r.type === 'trade' ? r.id : '')), ['4']);
    assert.equal(admit.dedupDropped, 2);
  });

  test('the cache holds the last admitted trade, never a refused one', () => {
    const { admit } = admission();
    admit.admit([trade(1, { price: 101 }), trade(2, { price: 0 })], 'live');
    assert.equal(admit.cache.get('binance', 'spot', 'BTC/USDT')?.trade?.price, 101);
  });

  test('the time bounds follow the injected clock: a trade 2 min ahead is refused until the clock catches up', () => {
    const { clock, admit } = admission({ maxClockSkewMs: 60_000 });
    const ahead = NOW + 120_000;
    // backfill: no clock offset is learned from it, so only the skew allows the future
    assert.equal(admit.admit([trade(1, { timestamp: ahead, localTimestamp: NOW })], 'backfill').length, 0);
    assert.equal(admit.rejected.timestamp, 1);
    clock.advance(61_000);
    assert.equal(admit.admit([trade(2, { timestamp: ahead, localTimestamp: clock.now() })], 'backfill').length, 1);
  });

  test('late live trades are kept and counted late; backfill is never late', () => {
    const { clock, admit } = admission({ maxClockSkewMs: 10_000 });
    clock.advance(30_000);
    admit.admit([trade(1, { localTimestamp: clock.now() })], 'live');
    admit.admit([trade(2, { localTimestamp: clock.now() })], 'backfill');
    assert.equal(admit.late, 1);
  });

  test('a venue clock running ahead is learned from live frames only, and widens the future bound', () => {
    const { admit } = admission({ maxClockSkewMs: 1_000, maxClockAheadMs: 600_000 });
    // the venue stamps 5 min ahead of our receive time
    const lead = 300_000;
    for (let i = 0; i < 10; i++) admit.admit([trade(100 + i, { timestamp: NOW + lead, localTimestamp: NOW })], 'backfill');
    assert.equal(admit.clockOffsetMs, undefined, 'backfill frames are not samples');
    for (let i = 0; i < 10; i++) admit.admit([trade(200 + i, { timestamp: NOW + lead, localTimestamp: NOW })], 'live');
    assert.equal(admit.clockOffsetMs, -lead);
    assert.equal(admit.admit([trade(300, { timestamp: NOW + lead, localTimestamp: NOW })], 'live').length, 1, 'accepted once the lead is known');
  });

  test('the lead it may learn is capped: a clock hours ahead is broken data, still refused', () => {
    const { admit } = admission({ maxClockSkewMs: 1_000, maxClockAheadMs: 60_000 });
    const lead = 3 * 3_600_000;
    for (let i = 0; i < 20; i++) admit.admit([trade(i, { timestamp: NOW + lead, localTimestamp: NOW })], 'live');
    assert.equal(admit.admit([trade(99, { timestamp: NOW + lead, localTimestamp: NOW })], 'live').length, 0);
  });
});
