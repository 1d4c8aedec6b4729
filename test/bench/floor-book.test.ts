/**
 * The book bench's floor (bench/lib/floor-book.ts) keeps Binance spot books by Binance's rules, and
 * its comparison with the true books (bench/lib/book-compare.ts) catches any wrong level: a floor
 * that cut corners, or a comparison that let a wrong book through, would make the bench's figures
 * meaningless.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareBooks, type TopBooks } from '../../bench/lib/book-compare.js';
import { FloorBook, type DepthEvent, type DepthSnapshot } from '../../bench/lib/floor-book.js';
import { BookBurst } from '../../src/sim/book/book-burst.js';
import { SimBook } from '../../src/sim/book/sim-book.js';
import { binanceDepthEvent, binanceDepthSnapshot, type BookWireFormat } from '../../src/sim/book/wire.js';
import { createSymbolState } from '../../src/sim/generator.js';

const ev = (U: number, u: number, b: [string, string][] = [], a: [string, string][] = []): DepthEvent => ({ U, u, b, a });
const snap = (lastUpdateId: number): DepthSnapshot => ({
  lastUpdateId,
  bids: [['100.00', '1.0'], ['99.00', '2.0']],
  asks: [['101.00', '3.0'], ['102.00', '4.0']],
});

describe('FloorBook', () => {
  test('events before the snapshot wait; those it covers are dropped, the first one straddling it is applied', () => {
    const b = new FloorBook();
    assert.equal(b.needsSnapshot, true);
    b.onEvent(ev(5, 8, [['100.00', '9.0']]));
    b.onEvent(ev(9, 12, [['98.00', '1.5']], [['101.00', '0.000']]));
    b.onEvent(ev(13, 13, [], [['103.00', '1.0']]));
    assert.equal(b.top(5), null, 'no book before the snapshot');
    assert.equal(b.seed(snap(10)), true);
    assert.equal(b.applied, 2, 'u 8 <= 10 dropped; 9..12 straddles 11; 13 follows');
    assert.deepEqual(b.top(5), {
      bids: [[100, 1], [99, 2], [98, 1.5]],
      asks: [[102, 4], [103, 1]],
    });
    assert.equal(b.onEvent(ev(14, 15, [['100.00', '0']])), true);
    assert.deepEqual(b.top(1)?.bids, [[99, 2]], 'size 0 removes the level');
    assert.equal(b.applied, 3);
  });

  test('a gap breaks the book: it is dropped and needs a new snapshot, which the buffered events continue', () => {
    const b = new FloorBook();
    b.seed(snap(10));
    assert.equal(b.onEvent(ev(11, 11)), true);
    assert.equal(b.onEvent(ev(13, 14)), false, 'U 13 after u 11');
    assert.equal(b.needsSnapshot, true);
    assert.equal(b.resyncs, 1);
    assert.equal(b.top(1), null);
    b.onEvent(ev(15, 16, [['97.00', '1.0']]));
    assert.equal(b.seed(snap(14)), true);
    assert.equal(b.synced, true);
    assert.deepEqual(b.top(3)?.bids, [[100, 1], [99, 2], [97, 1]]);
  });

  test('a snapshot older than the first buffered event cannot be continued', () => {
    const b = new FloorBook();
    b.onEvent(ev(20, 25));
    assert.equal(b.seed(snap(10)), false, 'U 20 > 11: events 11..19 are missing');
    assert.equal(b.needsSnapshot, true);
  });

  test('a burst from the simulator\'s true book, in Binance frames, ends in the true book', () => {
    const sym = createSymbolState({ symbol: 'ETH/USDT', tradesPerSecond: 0 }, 'ETHUSDT', 0, 100);
    const sim = new SimBook(sym, 0);
    const format: BookWireFormat = { priceDecimals: sym.priceDecimals, amountDecimals: sym.amountDecimals, wirePriceDecimals: 8, wireAmountDecimals: 8 };
    const rest = JSON.parse(JSON.stringify(binanceDepthSnapshot(sim.snapshot(), format, 1000, 0, false))) as DepthSnapshot;
    const burst = new BookBurst([{ target: 'ETH/USDT', book: sim }], { eventsPerSymbol: 500, meanChanges: 10 });
    const b = new FloorBook();
    // the first 40 events arrive before the snapshot, which is older than all of them
    const frames = burst.events.map((e) => JSON.parse(JSON.stringify(binanceDepthEvent(e.diff, 'ETHUSDT', format, 1, undefined))) as DepthEvent);
    for (const f of frames.slice(0, 40)) b.onEvent(f);
    assert.equal(b.seed(rest), true);
    for (const f of frames.slice(40)) assert.equal(b.onEvent(f), true);
    assert.equal(b.applied, 500);
    const truth = sim.view(10);
    const cmp = compareBooks({ 'ETH/USDT': b.top(10) }, { 'ETH/USDT': { bids: truth.bids, asks: truth.asks } }, 10);
    assert.deepEqual(cmp, { mismatched: 0, examples: [] });
  });
});

describe('compareBooks', () => {
  const truth: TopBooks = {
    'BTC/USDT': { bids: [[100, 1], [99, 2]], asks: [[101, 1], [102, 3]] },
    'ETH/USDT': { bids: [[10, 1]], asks: [[11, 1]] },
    'SOL/USDT': null,
  };

  test('equal books match; a client book deeper than compared is fine; a symbol without a true book is not compared', () => {
    const client: TopBooks = {
      'BTC/USDT': { bids: [[100, 1], [99, 2], [98, 7]], asks: [[101, 1], [102, 3]] },
      'ETH/USDT': { bids: [[10, 1]], asks: [[11, 1]] },
    };
    assert.deepEqual(compareBooks(client, truth, 10), { mismatched: 0, examples: [] });
  });

  test('one amount off, a level missing, or no book at all is a mismatch, named', () => {
    const off = compareBooks({ 'BTC/USDT': { bids: [[100, 1], [99, 2.5]], asks: [[101, 1], [102, 3]] }, 'ETH/USDT': null }, truth, 10);
    assert.equal(off.mismatched, 2);
    assert.match(off.examples[0]!, /BTC\/USDT: bid 2: 99 × 2\.5, true 99 × 2/);
    assert.match(off.examples[1]!, /ETH\/USDT: no book/);
    const short = compareBooks({ 'BTC/USDT': { bids: [[100, 1], [99, 2]], asks: [[101, 1]] }, 'ETH/USDT': truth['ETH/USDT']! }, truth, 10);
    assert.equal(short.mismatched, 1);
    assert.match(short.examples[0]!, /1 ask levels, 2 expected/);
    assert.equal(compareBooks({ 'BTC/USDT': { bids: [[100, 1], [99, 2.5]], asks: [[101, 1], [102, 3]] }, 'ETH/USDT': truth['ETH/USDT']! }, truth, 1).mismatched, 0, 'only the top `depth` counts');
  });
});
