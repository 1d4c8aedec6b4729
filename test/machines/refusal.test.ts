import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pinRefusal } from '../../machines/refusal.js';

describe('pinning a refused subscribe request', () => {
  test('the exchange named the culprit (Bybit): only it is refused, the siblings go out again at once', () => {
    assert.deepEqual(pinRefusal(['A', 'B', 'C'], ['B']), { refused: ['B'], retry: [['A', 'C']] });
  });

  test('named symbols outside the request are ignored; naming nothing of it is naming nothing', () => {
    assert.deepEqual(pinRefusal(['A', 'B'], ['Z']), { refused: [], retry: [['A'], ['B']] });
  });

  test('nothing named (Binance): the batch is split in two, nothing counted', () => {
    assert.deepEqual(pinRefusal(['A', 'B', 'C', 'D', 'E'], undefined), { refused: [], retry: [['A', 'B', 'C'], ['D', 'E']] });
  });

  test('a refusal of a single symbol is pinned on it', () => {
    assert.deepEqual(pinRefusal(['A'], undefined), { refused: ['A'], retry: [] });
    assert.deepEqual(pinRefusal([], ['A']), { refused: [], retry: [] });
  });

  test('bisection finds one bad symbol among 16 in log2(16) rounds, never counting an innocent one', () => {
    const bad = 'S11';
    let pending: string[][] = [Array.from({ length: 16 }, (_, i) => `S${i}`)];
    const refused: string[] = [];
    let rounds = 0;
    while (pending.length > 0) {
      rounds++;
      const next: string[][] = [];
      // the exchange refuses every request holding the bad symbol, naming nothing
      for (const request of pending) {
        if (!request.includes(bad)) continue;
        const pinned = pinRefusal(request, undefined);
        refused.push(...pinned.refused);
        next.push(...pinned.retry);
      }
      pending = next;
    }
    assert.deepEqual(refused, [bad]);
    assert.equal(rounds, 5, 'one refused request of 16, then 8, 4, 2, 1');
  });
});
