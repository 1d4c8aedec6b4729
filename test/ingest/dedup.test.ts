import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TradeDedup } from '../../src/ingest/dedup.js';
import { trade } from './helpers.js';

const admitted = (d: TradeDedup, ids: (string | number)[], symbol = 'BTC/USDT') =>
  ids.filter((id) => d.admit(trade(id, { symbol }))).map(String);

describe('TradeDedup with sequential numeric ids', () => {
  test('drops exact repeats and admits out-of-order arrivals once', () => {
    const d = new TradeDedup({ windowPerSymbol: 16 });
    assert.deepEqual(admitted(d, [1, 2, 3, 3, 2, 5, 4, 4, 6, 1]), ['1', '2', '3', '5', '4', '6']);
  });

  test('a REST-backfilled trade passes when it was never seen live and is dropped when it was', () => {
    const d = new TradeDedup({ windowPerSymbol: 64 });
    // live stream: 100..110 with 104..106 lost
    admitted(d, [100, 101, 102, 103, 107, 108, 109, 110]);
    // backfill asks for 102..108
    assert.deepEqual(admitted(d, [102, 103, 104, 105, 106, 107, 108]), ['104', '105', '106']);
    // and a second backfill of the same window brings nothing new
    assert.deepEqual(admitted(d, [104, 105, 106]), []);
  });

  test('ids are per (exchange, market, symbol)', () => {
    const d = new TradeDedup();
    assert.equal(d.admit(trade(1)), true);
    assert.equal(d.admit(trade(1, { symbol: 'ETH/USDT' })), true);
    assert.equal(d.admit(trade(1, { market: 'futures' })), true);
    assert.equal(d.admit(trade(1, { exchange: 'okx' })), true);
    assert.equal(d.admit(trade(1)), false);
  });

  test('memory stays bounded: a run of consecutive ids is one entry, however long', () => {
    const d = new TradeDedup({ windowPerSymbol: 100 });
    for (let i = 1; i <= 10_000; i++) d.admit(trade(i));
    for (let i = 1; i <= 10_000; i++) d.admit(trade(i, { symbol: 'ETH/USDT' }));
    assert.equal(d.entries, 2);
    assert.equal(d.tracked, 20_000);
    // every id of the run is still known exactly, the oldest included
    assert.equal(d.admit(trade(9_950)), false);
    assert.equal(d.admit(trade(5)), false);
    assert.equal(d.admit(trade(10_001)), true);
  });

  test('a backfill interleaved with the live stream, each in order, is two entries; every id in them is still known', () => {
    const d = new TradeDedup({ windowPerSymbol: 4096 });
    let live = 100_000;
    let back = 1_000;
    const liveIds: number[] = [];
    const backIds: number[] = [];
    for (let round = 0; round < 50; round++) {
      for (let k = 0; k < 20; k++) liveIds.push(live++);
      for (let k = 0; k < 100; k++) backIds.push(back++); // a REST page, oldest first
      assert.equal(admitted(d, liveIds.slice(-20)).length, 20);
      assert.equal(admitted(d, backIds.slice(-100)).length, 100);
    }
    // each backfilled id took an entry of its own before (4,096, the window full after 41 pages)
    assert.equal(d.entries, 2);
    assert.equal(d.tracked, liveIds.length + backIds.length);
    assert.deepEqual(admitted(d, [...backIds.filter((_, i) => i % 97 === 0), ...liveIds.filter((_, i) => i % 89 === 0)]), []);
    assert.deepEqual(admitted(d, [999, back, live]), ['999', String(back), String(live)]);
  });

  test('memory stays bounded: sparse ids keep the last N entries, older ones are left to the store', () => {
    const d = new TradeDedup({ windowPerSymbol: 100 });
    for (let i = 1; i <= 10_000; i++) d.admit(trade(i * 3));
    assert.equal(d.entries, 100);
    // inside the window: exact
    assert.equal(d.admit(trade(9_950 * 3)), false);
    assert.equal(d.admit(trade(9_950 * 3 + 1)), true);
    // older than the window: cannot know, admitted (the store refuses the duplicate key)
    assert.equal(d.admit(trade(15)), true);
    assert.ok(d.entries <= 100);
  });

  test('a gap filled late, then the live run going on: every id once', () => {
    const d = new TradeDedup({ windowPerSymbol: 8 });
    assert.deepEqual(admitted(d, [1, 2, 3, 7, 8, 9]), ['1', '2', '3', '7', '8', '9']);
    // backfill of 1..9, twice, interleaved with live 10..12
    assert.deepEqual(admitted(d, [1, 2, 3, 4, 5, 10, 6, 7, 11, 8, 9, 12]), ['4', '5', '10', '6', '11', '12']);
    assert.deepEqual(admitted(d, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), []);
  });

  test('large non-dense ids (Upbit sequential_id) and leading-zero ids behave', () => {
    const d = new TradeDedup();
    assert.deepEqual(admitted(d, ['1690000020139000', '1690000020140000', '1690000020139000', '007', '7', '007']), [
      '1690000020139000', '1690000020140000', '007', '7',
    ]);
  });
});

describe('TradeDedup with UUID ids', () => {
  test('drops repeats within the window, admits backfill that was never seen', () => {
    const d = new TradeDedup({ windowPerSymbol: 32 });
    const ids = Array.from({ length: 10 }, () => randomUUID());
    const live = ids.filter((_, i) => i < 4 || i > 6); // 4, 5, 6 lost
    assert.deepEqual(admitted(d, live), live);
    assert.deepEqual(admitted(d, live), []);
    assert.deepEqual(admitted(d, ids), ids.slice(4, 7));
  });

  test('the window is a bounded ring: after N newer ids an old one is forgotten', () => {
    const d = new TradeDedup({ windowPerSymbol: 8 });
    const first = randomUUID();
    d.admit(trade(first));
    for (let i = 0; i < 7; i++) d.admit(trade(randomUUID()));
    assert.equal(d.admit(trade(first)), false);
    d.admit(trade(randomUUID()));
    // evicted now (the window holds 8): admitted for the store to decide
    assert.equal(d.tracked, 8);
    assert.equal(d.admit(trade(first)), true);
  });
});

describe('TradeDedup against a plain reference window', () => {
  /**
   * The contract, naively: every id ever admitted (to tell a false duplicate, which would lose a
   * trade), and the last N admitted ids (each of them must be refused if it comes again).
   */
  class Reference {
    readonly ever = new Set<string>();
    private readonly recent: string[] = [];
    constructor(private readonly capacity: number) {}
    mustRefuse(id: string): boolean {
      return this.recent.includes(id);
    }
    admitted(id: string): void {
      this.ever.add(id);
      this.recent.push(id);
      if (this.recent.length > this.capacity) this.recent.shift();
    }
  }

  test('never refuses a new id, always refuses one of the last N admitted, over runs, repeats, late arrivals and mixed id forms', () => {
    // a seeded generator: the same sequence on every run
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const capacity of [1, 8, 64]) {
      const d = new TradeDedup({ windowPerSymbol: capacity });
      const ref = new Reference(capacity);
      let next = 1;
      const uuids: string[] = [];
      let refusedKnown = 0;
      for (let i = 0; i < 20_000; i++) {
        const r = rand();
        let id: string;
        // long in-order stretches (runs; the lookup index is dropped), skips (new runs), then bursts
        // of repeats, late ids and string ids (the index is rebuilt from the ring)
        if (r < 0.8 || i % 3000 < 1500) id = String(next++);
        else if (r < 0.85) id = String((next += 2 + Math.floor(rand() * 5)));
        else if (r < 0.92) id = String(Math.max(1, next - 1 - Math.floor(rand() * capacity * 4)));
        else if (r < 0.96) id = uuids[Math.floor(rand() * uuids.length)] ?? 'u0';
        else uuids.push((id = `u${i}`));
        const mustRefuse = ref.mustRefuse(id);
        const admittedNow = d.admit(trade(id));
        if (!admittedNow) {
          assert.ok(ref.ever.has(id), `capacity ${capacity}, step ${i}: ${id} refused but never admitted (a lost trade)`);
          refusedKnown++;
        } else {
          assert.ok(!mustRefuse, `capacity ${capacity}, step ${i}: ${id} admitted twice within the window`);
          ref.admitted(id);
        }
        assert.ok(d.entries <= capacity, `capacity ${capacity}, step ${i}: ${d.entries} entries`);
      }
      assert.ok(refusedKnown > 100, `the sequence exercised refusals (${refusedKnown})`);
    }
  });
});
