/**
 * The byte scanners' primitives where they differ from JSON's text: an id's UTF-8 is taken only
 * when well-formed (checked against Node's own validator on random bytes), and the native-id
 * cache maps bytes to symbols as the mapper would, within its bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { utf8StringEnd, stringEnd } from '../../src/exchanges/scan/byte-scan.js';
import { NativeIdCache } from '../../src/exchanges/scan/native-id-cache.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

test('utf8StringEnd takes a string exactly when its bytes are well-formed UTF-8 (no quote, backslash or control inside)', () => {
  const r = rng(0x0ff1ce);
  let taken = 0;
  for (let k = 0; k < 20_000; k++) {
    const n = 1 + Math.floor(r() * 8);
    // bytes from the ranges that matter: ASCII letters, lead bytes, continuation bytes, the edges
    const pool = [0x41, 0x7a, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff];
    const inner = Buffer.from(Array.from({ length: n }, () => pool[Math.floor(r() * pool.length)] as number));
    const bytes = Buffer.concat([Buffer.from('"'), inner, Buffer.from('"x')]);
    const end = utf8StringEnd(bytes, 0, bytes.length);
    assert.equal(end >= 0, isUtf8(inner), inner.toString('hex'));
    if (end >= 0) {
      assert.equal(end, inner.length + 2);
      taken++;
    }
  }
  assert.ok(taken > 200, `only ${taken} well-formed strings drawn`);
  // the ASCII-only reader takes none of them
  assert.equal(stringEnd(Buffer.from('"Ä"'), 0, 4), -1);
  assert.equal(utf8StringEnd(Buffer.from('"币安人生USDT"'), 0, 18), 18);
});

test('the native-id cache gives what the mapper gives, asks it once per id, and stays bounded past thousands of ids', () => {
  const asked = new Map<string, number>();
  const cache = new NativeIdCache((id) => {
    asked.set(id, (asked.get(id) ?? 0) + 1);
    if (id === 'REFUSED') throw new Error('refused');
    return `${id}/X`;
  });
  const ids = Array.from({ length: 3000 }, (_, i) => `ID${i}USDT`);
  const frame = (id: string) => Buffer.from(`{"s":"${id}"}`);
  for (let round = 0; round < 2; round++) {
    for (const id of ids) {
      const b = frame(id);
      assert.equal(cache.symbolOf(b, 6, 6 + id.length), `${id}/X`);
    }
  }
  assert.ok([...asked.values()].every((n) => n === 1), 'an id was mapped twice while the table had room');
  assert.throws(() => cache.symbolOf(frame('REFUSED'), 6, 13), /refused/);
  assert.throws(() => cache.symbolOf(frame('REFUSED'), 6, 13), /refused/, 'a refused id is not remembered');
  // past the table's bound it starts again: still right, still answering
  const many = Array.from({ length: 10_000 }, (_, i) => `M${i}`);
  for (const id of many) assert.equal(cache.symbolOf(frame(id), 6, 6 + id.length), `${id}/X`);
  assert.equal(cache.symbolOf(frame('ID7USDT'), 6, 13), 'ID7USDT/X');
});

test('the cache keeps its own copy of an id: the socket read it came from may be filled again', () => {
  const cache = new NativeIdCache((id) => `${id}/X`);
  const chunk = Buffer.from('{"s":"BTCUSDT"}');
  assert.equal(cache.lookup(chunk, 6, 13).nativeId, 'BTCUSDT');
  chunk.write('ETHUSDT', 6, 'latin1');
  assert.equal(cache.symbolOf(chunk, 6, 13), 'ETHUSDT/X');
  assert.equal(cache.symbolOf(Buffer.from('{"s":"BTCUSDT"}'), 6, 13), 'BTCUSDT/X');
});
