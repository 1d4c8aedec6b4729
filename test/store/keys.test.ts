/**
 * Rows inside a block are ordered by compareIdParts/idPart, blocks by LMDB's key bytes: the two
 * must agree, or a range scan over blocks would find rows out of place. Rewritten for the block
 * layout (format 2): it used to compare format 1's hand-built record keys with ordered-binary's.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as lmdb from 'lmdb';
import type { Key } from 'lmdb';
import { compareIdParts, idFromPart, idPart } from '../../src/store/keys.js';

/** lmdb-js's own key encoder (ordered-binary toBufferKey), exported but not in its .d.ts */
const encodeKey = (lmdb as unknown as { keyValueToBuffer: (key: Key) => Uint8Array }).keyValueToBuffer;

describe('block keys and row order', () => {
  test('compareIdParts orders (timestamp, id) exactly as the block keys sort in LMDB', () => {
    const ids = ['0', '1', '9', '10', '28457001', '999999999999999', '1000000000000000', '9007199254740993', '007',
      '2100000000007764263', 'a1b2c3d4-0000-4000-8000-000000000000', 'A', 'b', 'é', '\u{1F600}', '\uFFFD'];
    const timestamps = [0, 1, 1_700_000_000_000, 1_700_000_000_000.5, -1];
    const rows = timestamps.flatMap((ts) => ids.map((id) => [ts, idPart(id)] as [number, number | string]));
    const byRows = [...rows].sort((a, b) => (a[0] !== b[0] ? a[0] - b[0] : compareIdParts(a[1], b[1])));
    const byKeys = [...rows].sort((a, b) => Buffer.compare(Buffer.from(encodeKey(['binance', 'spot', 'BTC/USDT', ...a])), Buffer.from(encodeKey(['binance', 'spot', 'BTC/USDT', ...b]))));
    assert.deepEqual(byRows, byKeys);
  });

  test('idPart keeps canonical integers up to 15 digits as numbers and round-trips every id', () => {
    assert.equal(idPart('28457001'), 28457001);
    assert.equal(idPart('0'), 0);
    for (const id of ['007', '9007199254740993', '1000000000000000', 'c0ffee', '', '-1', '1e3']) assert.equal(typeof idPart(id), 'string', id);
    for (const id of ['0', '1', '999999999999999', '007', 'uuid-x', '17651234567890993']) assert.equal(idFromPart(idPart(id)), id);
  });

  test('idPart reads a canonical id to exactly the number Number() reads, at every length up to 15 digits', () => {
    // digits summed as they are checked: each length, the largest value, and a spread in between
    let seed = 12345;
    const digit = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 10;
    for (let len = 1; len <= 15; len++) {
      const ids = ['9'.repeat(len), `1${'0'.repeat(len - 1)}`];
      for (let k = 0; k < 50; k++) ids.push(String(1 + (digit() % 9)) + Array.from({ length: len - 1 }, digit).join(''));
      for (const id of ids) assert.equal(idPart(id), Number(id), id);
    }
    for (const id of ['12a4', '1 2', '12.5', '+12', '１２']) assert.equal(idPart(id), id, 'not all digits: kept as the string');
  });
});
