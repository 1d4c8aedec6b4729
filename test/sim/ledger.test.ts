import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SymbolLedger, type LedgerEntry } from '../../src/sim/ledger.js';

/** trade `seq` of a symbol: ord 1000 + seq, one trade every 10 ms, ids numeric or `text` */
function entry(seq: number, id = String(1000 + seq)): LedgerEntry {
  return {
    seq,
    ord: 1000 + seq,
    aux: seq * 2,
    fills: 1 + (seq % 3),
    trade: { type: 'trade', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', id, price: 100 + seq / 8, amount: seq / 16, side: seq % 2 === 0 ? 'buy' : 'sell', timestamp: 5_000 + seq * 10, localTimestamp: 0 },
  };
}

const seqs = (entries: readonly LedgerEntry[]) => entries.map((e) => e.seq);

describe('simulator ledger: one symbol\'s trades kept as columns', () => {
  test('an entry comes back field for field as it went in, numeric and text ids alike', () => {
    const ledger = new SymbolLedger(100);
    const numeric = entry(7);
    const upbitId = entry(8, '17349856723000001'); // above 2^53: kept as its text
    const uuid = entry(9, 'b6a4c2e0-2f4e-4e64-9a57-1c1e0c6f2f10');
    const padded = entry(10, '0011'); // not the decimal of its number: kept as its text
    for (const e of [numeric, upbitId, uuid, padded]) ledger.push(e);
    assert.deepEqual(ledger.all(), [numeric, upbitId, uuid, padded]);
    assert.deepEqual(ledger.lastEntry(), padded);
    assert.equal(ledger.size, 4);
  });

  test('past its limit the oldest go, across the growth of its columns and their wrap-around', () => {
    const limit = 700; // grows 256 → 512 → 700, then wraps
    const ledger = new SymbolLedger(limit);
    for (let seq = 0; seq < 2_345; seq++) {
      ledger.push(entry(seq));
      const first = Math.max(0, seq + 1 - limit);
      assert.equal(ledger.size, seq + 1 - first);
      if (seq % 97 === 0 || seq > 2_300) assert.deepEqual(seqs(ledger.all()), Array.from({ length: seq + 1 - first }, (_, i) => first + i), `after seq ${seq}`);
    }
    assert.deepEqual(ledger.lastEntry(), entry(2_344));
  });

  test('lookups by ord and by time answer from the rows kept, in order, at most `limit`', () => {
    const ledger = new SymbolLedger(500);
    for (let seq = 0; seq < 1_200; seq++) ledger.push(entry(seq)); // keeps seq 700..1199
    assert.deepEqual(seqs(ledger.last(3)), [1197, 1198, 1199]);
    assert.deepEqual(seqs(ledger.last(10_000)), seqs(ledger.all()));
    // ord = 1000 + seq
    assert.deepEqual(seqs(ledger.fromOrd(1_900, 3)), [900, 901, 902]);
    assert.deepEqual(seqs(ledger.fromOrd(0, 2)), [700, 701], 'older than the ledger reaches: its oldest');
    assert.deepEqual(seqs(ledger.fromOrd(5_000, 2)), []);
    assert.deepEqual(seqs(ledger.beforeOrd(1_900, 3)), [897, 898, 899]);
    assert.deepEqual(seqs(ledger.beforeOrd(1_702, 10)), [700, 701]);
    // timestamp = 5000 + 10 seq
    assert.deepEqual(seqs(ledger.beforeTime(14_000, 2)), [898, 899]);
    assert.deepEqual(seqs(ledger.afterTime(14_000, 2)), [901, 902]);
    assert.deepEqual(seqs(ledger.afterTime(14_005, 2)), [901, 902]);
    assert.deepEqual(seqs(ledger.timeRange(14_000, 14_030, 100)), [900, 901, 902, 903]);
    assert.deepEqual(seqs(ledger.timeRange(14_000, 14_030, 2)), [900, 901]);
    assert.deepEqual(seqs(ledger.timeRange(0, 12_015, 100)), [700, 701]);
  });

  test('a limit of 0 keeps nothing', () => {
    const ledger = new SymbolLedger(0);
    ledger.push(entry(1));
    assert.equal(ledger.size, 0);
    assert.equal(ledger.lastEntry(), undefined);
    assert.deepEqual(ledger.all(), []);
  });
});
