/** SeenIds: exact first-seen answers per symbol, in any order, holding only ids ahead of a hole. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SeenIds } from '../../bench/lib/seen-ids.js';
import { Prng } from '../../src/prng.js';

describe('bench SeenIds', () => {
  test('in order: every id new once, nothing held one by one', () => {
    const s = new SeenIds();
    for (let id = 100; id < 10_100; id++) assert.equal(s.add('A', id), true);
    for (let id = 100; id < 10_100; id += 97) assert.equal(s.add('A', id), false);
    assert.equal(s.held(), 0);
  });

  test('symbols are separate: the same number in two symbols is two trades', () => {
    const s = new SeenIds();
    assert.equal(s.add('A', 5), true);
    assert.equal(s.add('B', 5), true);
    assert.equal(s.add('A', 5), false);
  });

  test('any order, with repeats, agrees with a plain Set, and holds nothing once the holes close', () => {
    const rng = new Prng(7);
    const ids = Array.from({ length: 5_000 }, (_, i) => 1_000 + i);
    // shuffled, then a third of them again
    for (let i = ids.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    const stream = [...ids, ...ids.filter((_, i) => i % 3 === 0)];
    const s = new SeenIds();
    const plain = new Set<number>();
    for (const id of stream) {
      assert.equal(s.add('X', id), !plain.has(id), `id ${id}`);
      plain.add(id);
    }
    assert.equal(s.held(), 0);
  });

  test('an id below the first one seen is new, then known', () => {
    const s = new SeenIds();
    s.add('A', 50);
    assert.equal(s.add('A', 40), true);
    assert.equal(s.add('A', 40), false);
    assert.equal(s.held(), 1);
    for (let id = 41; id < 50; id++) assert.equal(s.add('A', id), true);
    assert.equal(s.held(), 0);
  });
});
