/** The publisher's grace from how late trades reach it (src/cluster/lateness.ts), and the publisher holding windows that long. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LatenessWindow, MAX_LATENESS_MS } from '../../src/cluster/lateness.js';
import { TradePublisher, type PublishTarget } from '../../src/cluster/publisher.js';
import { tradeColumnsFrom } from '../../src/store/blocks/trade-rows.js';
import type { Trade } from '../../src/records.js';
import { Prng } from '../../src/prng.js';
import { ManualClock } from '../../src/time/manual-clock.js';

const T0 = 1_700_000_000_000;

/** `n` trades reaching the window at `now`, each `late(i)` ms after its exchange time */
function lateTimes(now: number, n: number, late: (i: number) => number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => now - late(i));
}

describe('lateness window', () => {
  test('before enough trades were seen the fallback holds', () => {
    const w = new LatenessWindow({ fallbackMs: 100 });
    assert.equal(w.graceMs(T0), 100);
    w.observe(T0, lateTimes(T0, 50, () => 3), 50);
    assert.equal(w.graceMs(T0), 100);
  });

  test('follows the 99th percentile of lateness plus the margin, never under the floor', () => {
    const rng = new Prng(7);
    const w = new LatenessWindow({ marginMs: 10, minMs: 20 });
    // loopback: 0–4 ms late
    for (let s = 0; s < 5; s++) w.observe(T0 + s * 1000, lateTimes(T0 + s * 1000, 1000, () => rng.next() * 4), 1000);
    assert.equal(w.graceMs(T0 + 5000), 20, 'a few ms late: the floor');
    // a venue 180–220 ms away, with 0.5% far later (a pause): the quantile ignores the outliers
    const far = new LatenessWindow({ marginMs: 10, minMs: 20 });
    for (let s = 0; s < 5; s++) {
      far.observe(T0 + s * 1000, lateTimes(T0 + s * 1000, 1000, (i) => (i % 200 === 0 ? 900 : 180 + rng.next() * 40)), 1000);
    }
    const g = far.graceMs(T0 + 5000);
    assert.ok(g >= 220 && g <= 240, `grace ${g} covers the 220 ms lateness, not the 900 ms pause`);
  });

  test('forgets what is older than its buckets, and does not count backfill-late trades', () => {
    const w = new LatenessWindow({ marginMs: 10, minMs: 20, fallbackMs: 100 });
    w.observe(T0, lateTimes(T0, 1000, () => 500), 1000);
    assert.ok(w.graceMs(T0) >= 500);
    assert.equal(w.graceMs(T0 + 10_000), 100, 'ten seconds later none of it counts: the fallback again');
    w.observe(T0 + 20_000, lateTimes(T0 + 20_000, 1000, () => MAX_LATENESS_MS + 60_000), 1000);
    assert.equal(w.graceMs(T0 + 20_000), 100, 'a minute late (a REST backfill) is not counted at all');
    w.observe(T0 + 20_000, lateTimes(T0 + 20_000, 1000, () => 1), 1000);
    assert.equal(w.graceMs(T0 + 20_000), 20);
  });

  test('a burst drained late in one second does not hold the windows of the calm seconds after it', () => {
    const w = new LatenessWindow({ marginMs: 10, minMs: 20 });
    // second 0: a backlog of 300,000 trades handed over up to 1.7 s late
    w.observe(T0 + 500, lateTimes(T0 + 500, 300_000, (i) => (i / 300_000) * 1700), 300_000);
    assert.ok(w.graceMs(T0 + 900) > 1000, 'while only the backlog was seen, it is all there is to go by');
    // second 1: the paced stream, 3 ms late
    w.observe(T0 + 1500, lateTimes(T0 + 1500, 500, () => 3), 500);
    assert.equal(w.graceMs(T0 + 1500), 20);
  });

  test('an exchange clock ahead of ours counts as not late', () => {
    const w = new LatenessWindow({ marginMs: 10, minMs: 20 });
    w.observe(T0, lateTimes(T0, 1000, () => -40), 1000);
    assert.equal(w.graceMs(T0), 20);
  });
});

describe('publisher with a measured grace', () => {
  function trade(id: number, timestamp: number): Trade {
    return { type: 'trade', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', id: String(id), price: 100, amount: 1, side: 'buy', timestamp, localTimestamp: timestamp };
  }
  function rowsOf(ts: readonly Trade[]) {
    return { exchange: 'binance' as const, market: 'spot' as const, symbols: ts.map((t) => t.symbol), columns: tradeColumnsFrom(ts) };
  }

  test('trades arriving 2 ms late: a window goes out ~20 ms after its end instead of 100', () => {
    const clock = new ManualClock(T0);
    const sent: number[] = [];
    const target: PublishTarget = {
      publish: async () => {
        sent.push(clock.now());
        return { duplicate: false };
      },
    };
    const p = new TradePublisher(target, { clock, windowMs: 50, graceMs: 'measured' });
    p.start();
    assert.equal(p.currentGraceMs, 100, 'nothing seen yet: the fallback');
    let id = 1;
    // two seconds of trades, 10 per 10 ms, each handed over 2 ms after its exchange time
    for (let t = 0; t < 2000; t += 10) {
      clock.advance(10);
      const now = clock.now();
      p.pushRows(rowsOf(Array.from({ length: 10 }, () => trade(id++, now - 2))));
    }
    assert.equal(p.currentGraceMs, 20);
    // a window starting now: due at its end + 20 ms
    const start = Math.ceil(clock.now() / 50) * 50;
    clock.advance(start - clock.now());
    sent.length = 0;
    p.pushRows(rowsOf([trade(id++, start + 1)]));
    clock.advance(50 + 20 - 1 - 1);
    const before = sent.length;
    clock.advance(3);
    assert.ok(sent.length > before, 'out within a few ms of its end plus 20 ms');
    void p.close(0);
  });

  test('a configured grace stays fixed whatever the lateness; by default it is measured', () => {
    const clock = new ManualClock(T0);
    for (const [options, expected] of [[{ graceMs: 100 }, 100], [{}, 20]] as const) {
      const p = new TradePublisher({ publish: async () => ({ duplicate: false }) }, { clock, windowMs: 50, ...options });
      p.start();
      for (let k = 0; k < 300; k++) {
        clock.advance(10);
        p.pushRows(rowsOf(Array.from({ length: 10 }, (_, i) => trade(k * 10 + i + 1, clock.now() - 1))));
      }
      assert.equal(p.currentGraceMs, expected);
      void p.close(0);
    }
  });
});
