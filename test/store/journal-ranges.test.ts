/**
 * The journal's groups as key ranges (src/store/journal-ranges.ts): monotone in key order, about
 * equal in size whatever order the keys arrive in, and fewer groups than keys only when there are
 * fewer keys than groups.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../src/prng.js';
import { JournalRanges } from '../../src/store/journal-ranges.js';

const key = (symbol: string) => `binance\u0000spot\u0000${symbol}`;

describe('store: journal groups as key ranges', () => {
  test('keys learned in any order: groups rise with the key and hold about equal counts', () => {
    const prng = new Prng(7);
    const keys = Array.from({ length: 800 }, (_, i) => key(`S${i}/USDT`));
    const shuffled = [...keys];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(prng.next() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as string, shuffled[i] as string];
    }
    const ranges = new JournalRanges(8);
    for (const k of shuffled) ranges.groupOf(k);
    const sorted = [...keys].sort();
    const groups = sorted.map((k) => ranges.groupOf(k));
    for (let i = 1; i < groups.length; i++) assert.ok((groups[i] as number) >= (groups[i - 1] as number), `group falls at ${sorted[i]}`);
    const counts = new Array<number>(8).fill(0);
    for (const g of groups) counts[g] = (counts[g] as number) + 1;
    // the boundaries were last set at 4/5 of the keys or more: each group within a factor of two of 100
    for (const c of counts) assert.ok(c >= 50 && c <= 200, `group sizes ${counts.join(',')}`);
  });

  test('fewer keys than groups: each key in a group of its own, in key order', () => {
    const ranges = new JournalRanges(8);
    const keys = ['D', 'A', 'C', 'B'].map(key);
    for (const k of keys) ranges.groupOf(k);
    const groups = [...keys].sort().map((k) => ranges.groupOf(k));
    assert.equal(new Set(groups).size, 4);
    assert.deepEqual(groups, [...groups].sort((a, b) => a - b));
  });
});
