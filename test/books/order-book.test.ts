/**
 * The order book's sides against a plain reference (a Map of price → amount, sorted on demand),
 * under seeded random level changes at every depth: near the best level (moved in place) and deep
 * in the book (left to splice), with and without the wire texts OKX's checksum needs, and through
 * undo.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderBook, type BookLevel, type LevelChange } from '../../src/books/order-book.js';
import { Prng } from '../../src/prng.js';

function reference(levels: Map<number, number>, descending: boolean): [number, number][] {
  return [...levels].sort((a, b) => (descending ? b[0] - a[0] : a[0] - b[0]));
}

/** a level change: mostly near the top of a 600-level side, sometimes anywhere in it; a fifth are removals */
function change(rng: Prng, mid: number, dir: 1 | -1): BookLevel {
  const depth = rng.next() < 0.7 ? rng.int(12) : rng.int(600);
  const price = mid + dir * (depth + 1) * 0.5;
  const amount = rng.next() < 0.2 ? 0 : 1 + rng.int(1000) / 100;
  return [price, amount, price.toFixed(1), amount.toFixed(2)];
}

describe('order book sides', () => {
  for (const keepTexts of [false, true]) {
    test(`random changes at every depth equal the reference (${keepTexts ? 'with' : 'without'} wire texts)`, () => {
      const rng = new Prng(keepTexts ? 7 : 11);
      const book = new OrderBook(keepTexts);
      const bids = new Map<number, number>();
      const asks = new Map<number, number>();
      const texts = new Map<string, string>();
      for (let round = 0; round < 3_000; round++) {
        const b: BookLevel[] = [];
        const a: BookLevel[] = [];
        for (let k = 0; k < 10; k++) {
          b.push(change(rng, 1000, -1));
          a.push(change(rng, 1001, 1));
        }
        book.apply(b, a, round);
        for (const [side, levels, name] of [[bids, b, 'b'], [asks, a, 'a']] as const) {
          for (const [p, amt, pt, st] of levels) {
            if (amt === 0) side.delete(p);
            else {
              side.set(p, amt);
              texts.set(`${name}${p}`, `${pt}:${st}`);
            }
          }
        }
      }
      assert.deepEqual(book.bids.top(1_000), reference(bids, true));
      assert.deepEqual(book.asks.top(1_000), reference(asks, false));
      assert.ok(book.bids.length > 300, 'the book grew deep enough for far moves');
      if (keepTexts) {
        for (const [side, name] of [[book.bids, 'b'], [book.asks, 'a']] as const) {
          for (const [p, amt, pt, st] of side.levels()) {
            assert.equal(`${pt}:${st}`, texts.get(`${name}${p}`), `texts of ${name} ${p}`);
            assert.equal(st, amt.toFixed(2));
          }
        }
      }
    });
  }

  test('undo puts back every level a frame changed, near the top and deep', () => {
    const rng = new Prng(3);
    const book = new OrderBook(true);
    const seed: BookLevel[] = Array.from({ length: 400 }, (_, i) => [1000 - i * 0.5, 1 + (i % 7), (1000 - i * 0.5).toFixed(1), (1 + (i % 7)).toFixed(2)]);
    book.replace(seed, seed.map(([p, amt]) => [p + 500, amt, (p + 500).toFixed(1), amt.toFixed(2)]), 1);
    const before = { bids: book.bids.levels(), asks: book.asks.levels() };
    for (let round = 0; round < 200; round++) {
      const changes: LevelChange[] = [];
      const b = Array.from({ length: 10 }, () => change(rng, 1000, -1));
      const a = Array.from({ length: 10 }, () => change(rng, 1500, 1));
      book.apply(b, a, 2, changes);
      book.undo(changes, 1);
      assert.deepEqual({ bids: book.bids.levels(), asks: book.asks.levels() }, before, `round ${round}`);
    }
    assert.equal(book.timestamp, 1);
  });
});
