import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../../src/prng.js';
import { numericIdText } from '../../../src/store/blocks/numeric-id-text.js';

test('a numeric id reads back as String(id) on both sides of the small-integer and 9-digit boundaries', () => {
  const edges = [0, 1, 9, 10, 999_999_999, 1e9, 1e9 + 1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 4_800_000_000, 4_800_000_099, 10_000_000_000, 999_999_999_999_999];
  for (const v of edges) assert.equal(numericIdText(v), String(v));
});

test('low digits with leading zeros keep them, and the kept high digits follow the id when it changes', () => {
  // alternating between two high parts catches a cached high part that is not refreshed
  const ids = [4_800_000_007, 7_300_000_000, 4_800_000_070, 7_299_999_999, 4_799_999_999, 4_800_000_000];
  for (const v of ids) assert.equal(numericIdText(v), String(v));
});

test('random 1- to 15-digit ids and runs of consecutive ones read back as String(id)', () => {
  const rng = new Prng(11);
  for (let i = 0; i < 20_000; i++) {
    const v = Math.floor(rng.next() * 10 ** (1 + rng.int(15)));
    assert.equal(numericIdText(v), String(v));
  }
  for (let v = 5_999_999_000; v < 6_000_001_000; v++) if (numericIdText(v) !== String(v)) assert.equal(numericIdText(v), String(v));
});
