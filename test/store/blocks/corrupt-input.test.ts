import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../../src/prng.js';
import { tradeBlockCodec } from '../../../src/store/blocks/trade-codec.js';
import { tickerBlockCodec } from '../../../src/store/blocks/ticker-codec.js';
import type { BlockCodec } from '../../../src/store/blocks/columns.js';
import { StoreError } from '../../../src/store/errors.js';
import { binanceLike, bybitLike, tickerLike, upbitLike } from './realistic-blocks.js';

function isCorrupt(e: unknown): boolean {
  return e instanceof StoreError && e.code === 'TV_ERR_STORE_CORRUPT_VALUE';
}

const codecs: [string, BlockCodec<{ length: number }>, Uint8Array[]][] = [
  ['trades', tradeBlockCodec, [binanceLike(300, 1), upbitLike(50, 2), bybitLike(20, 3)].map((c) => tradeBlockCodec.encode(c))],
  ['tickers', tickerBlockCodec, [tickerLike(200, 4)].map((c) => tickerBlockCodec.encode(c))],
];

for (const [name, codec, values] of codecs) {
  test(`${name}: every truncation of a value is refused with TV_ERR_STORE_CORRUPT_VALUE`, () => {
    for (const bytes of values) {
      for (let len = 0; len < bytes.length; len++) {
        assert.throws(() => codec.decode(bytes.subarray(0, len)), isCorrupt, `prefix of ${len}/${bytes.length} bytes`);
      }
    }
  });

  test(`${name}: a wrong codec id, trailing bytes, or a row count the bytes cannot hold is refused`, () => {
    const bytes = values[0]!;
    for (const id of [0, 1, 3, 255]) {
      const other = bytes.slice();
      other[0] = id;
      assert.throws(() => codec.decode(other), isCorrupt, `codec id ${id}`);
    }
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    assert.throws(() => codec.decode(longer), isCorrupt, 'a trailing byte');
    // a count of 2^53 - 1 rows in a few bytes must be refused before anything is allocated for it
    assert.throws(() => codec.decode(Uint8Array.of(2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0)), isCorrupt);
    // a varint that never ends
    assert.throws(() => codec.decode(Uint8Array.of(2, ...new Array<number>(20).fill(0xff))), isCorrupt);
    assert.throws(() => codec.decode(new Uint8Array(0)), isCorrupt);
  });

  test(`${name}: random byte damage either is refused with the code or decodes to a well-formed block`, () => {
    const rng = new Prng(1303);
    for (let k = 0; k < 3000; k++) {
      const bytes = values[rng.int(values.length)]!.slice();
      const flips = 1 + rng.int(4);
      for (let f = 0; f < flips; f++) bytes[rng.int(bytes.length)] = rng.int(256);
      try {
        const back = codec.decode(bytes);
        assert.ok(Number.isSafeInteger(back.length) && back.length <= bytes.length * 8);
      } catch (err) {
        if (!isCorrupt(err)) throw new Error(`case ${k}: ${String(err)}`);
      }
    }
  });

  test(`${name}: random garbage is refused with the code, never another error`, () => {
    const rng = new Prng(1304);
    for (let k = 0; k < 3000; k++) {
      const bytes = Uint8Array.from({ length: rng.int(64) }, () => rng.int(256));
      if (bytes.length > 0 && rng.next() < 0.7) bytes[0] = 2;
      try {
        codec.decode(bytes);
      } catch (err) {
        if (!isCorrupt(err)) throw new Error(`case ${k}: ${String(err)}`);
      }
    }
  });
}
