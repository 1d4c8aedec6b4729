/**
 * The Binance depth scanner (book fast path) against the JSON.parse path: every frame — the real
 * captured streams in ../shared/conformance/books, and thousands of generated and damaged variants —
 * gives the same BookFrames or the same error through both. And the scanner really reads the common
 * frames (a differential test where it declined everything would prove nothing).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFrameParser } from '../../src/exchanges/binance/book.js';
import { createBinanceDepthScanner, type BinanceDepthScanner } from '../../src/exchanges/binance/fast-depth.js';
import type { BookFrame } from '../../src/books/types.js';
import { MalformedFrameError, type Instrument } from '../../src/exchanges/types.js';
import type { Market } from '../../src/records.js';
import {
  ODD_DECIMALS, ODD_IDS, ODD_TIMESTAMPS, damage, decimalValue, integerIdValue, objectText, pick, rng, shuffle, timestampValue, varyFields, type Field,
} from './support/fast-path-diff.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BOOKS = resolve(repoRoot, '..', 'shared', 'conformance', 'books');

const instruments: Instrument[] = [
  { symbol: 'BTC/USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', active: true },
  { symbol: 'ETH/USDT:USDT', nativeId: 'ETHUSDT', base: 'ETH', quote: 'USDT', settle: 'USDT', active: true },
];

type Parse = (text: string) => unknown;
type Outcome = { ok: true; value: unknown } | { ok: false; name: string; message: string; reason: string | undefined };

function outcome(parse: Parse, frame: string): Outcome {
  try {
    return { ok: true, value: parse(frame) };
  } catch (error) {
    const e = error as Error;
    return { ok: false, name: e.name, message: e.message, reason: error instanceof MalformedFrameError ? error.reason : undefined };
  }
}

function pair(market: Market) {
  return {
    fast: createFrameParser(market, instruments),
    slow: createFrameParser(market, instruments, { fastPath: false }),
    scan: textScanner(createBinanceDepthScanner(market, (id) => id)),
  };
}

/** the byte scanner asked about a frame given as text (its UTF-8 bytes, alone in their buffer) */
function textScanner(scanner: BinanceDepthScanner): (text: string) => BookFrame | undefined {
  return (text) => {
    const bytes = Buffer.from(text);
    return scanner(bytes, 0, bytes.length);
  };
}

function assertSame(p: ReturnType<typeof pair>, frame: string): Outcome {
  const a = outcome(p.fast, frame);
  const b = outcome(p.slow, frame);
  assert.deepStrictEqual(a, b, `fast and JSON.parse paths differ on ${JSON.stringify(frame)}`);
  return a;
}

function levelsText(r: () => number, odd: boolean): string {
  const n = Math.floor(r() * 6);
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const price = odd && r() < 0.2 ? decimalValue(r) : `"${(1 + r() * 60000).toFixed(pick(r, [2, 4, 8]))}"`;
    const size = odd && r() < 0.2 ? decimalValue(r) : `"${(r() < 0.1 ? 0 : r() * 100).toFixed(pick(r, [0, 3, 8]))}"`;
    const extra = odd && r() < 0.05 ? pick(r, [',"1"', ',1', ',[]']) : '';
    rows.push(odd && r() < 0.03 ? pick(r, ['[]', `[${price}]`, 'null', `{"p":${price}}`]) : `[${price},${size}${extra}]`);
  }
  return `[${rows.join(',')}]`;
}

/** a depthUpdate as Binance sends it (futures with T and pu), as fields; `odd` mixes in values it does not send */
function depthFields(r: () => number, market: Market, odd: boolean): Field[] {
  const U = 1 + Math.floor(r() * 1e12);
  const u = U + Math.floor(r() * 2000);
  const time = String(1_690_000_000_000 + Math.floor(r() * 1e8));
  const fields: Field[] = [
    ['e', odd && r() < 0.05 ? pick(r, ['"trade"', '"depthupdate"', 'null']) : '"depthUpdate"'],
    ['E', odd && r() < 0.1 ? timestampValue(r) : time],
  ];
  if (market === 'futures') fields.push(['T', odd && r() < 0.1 ? timestampValue(r) : time]);
  fields.push(['s', odd && r() < 0.05 ? pick(r, ['""', '"ETHUSDT"', '"B\\u0054CUSDT"', '1', 'null']) : '"BTCUSDT"']);
  fields.push(['U', odd && r() < 0.1 ? (r() < 0.5 ? integerIdValue(r) : pick(r, ODD_IDS)) : String(U)]);
  fields.push(['u', odd && r() < 0.1 ? (r() < 0.5 ? integerIdValue(r) : String(U - 1)) : String(u)]);
  if (market === 'futures' || (odd && r() < 0.05)) fields.push(['pu', odd && r() < 0.1 ? pick(r, ODD_IDS) : String(U - 1)]);
  fields.push(['b', levelsText(r, odd)], ['a', levelsText(r, odd)]);
  return fields;
}

function wrap(r: () => number, event: string): string {
  return r() < 0.5 ? event : `{"stream":"btcusdt@depth@100ms","data":${event}}`;
}

describe('Binance depth scanner: the same BookFrames as the JSON.parse path', () => {
  for (const market of ['spot', 'futures'] as const) {
    test(`${market}: real captured streams (../shared/conformance/books)`, (t) => {
      if (!existsSync(BOOKS)) {
        t.skip('../shared/conformance/books is not here: the real streams are not checked');
        return;
      }
      const files = readdirSync(BOOKS).filter((f) => f.startsWith(`binance-${market}`) && f.endsWith('.jsonl'));
      assert.ok(files.length > 0, `no binance-${market} streams in ${BOOKS}`);
      const p = pair(market);
      let frames = 0;
      let scanned = 0;
      for (const f of files) {
        for (const line of readFileSync(join(BOOKS, f), 'utf8').split('\n')) {
          if (line.trim() === '') continue;
          frames++;
          const o = assertSame(p, line);
          if (o.ok && (o.value as unknown[]).length === 1 && p.scan(line) !== undefined) scanned++;
        }
      }
      assert.ok(frames > 100, `${frames} frames`);
      // every captured event is one the scanner takes (a few may be left to JSON.parse, not most)
      assert.ok(scanned >= frames * 0.95, `the scanner took ${scanned} of ${frames} real frames`);
    });

    test(`${market}: the common frame is read by the scanner, raw and wrapped, keys in any order`, () => {
      const p = pair(market);
      const r = rng(market === 'spot' ? 11 : 12);
      for (let i = 0; i < 2000; i++) {
        const fields = depthFields(r, market, false);
        const text = wrap(r, objectText(r() < 0.3 ? shuffle(r, fields) : fields));
        const o = assertSame(p, text);
        assert.ok(o.ok, `refused: ${text}`);
        assert.notEqual(p.scan(text), undefined, `the scanner declined a common frame: ${text}`);
      }
    });

    test(`${market}: odd values, missing / repeated / extra fields — same frames or same errors`, () => {
      const p = pair(market);
      const r = rng(market === 'spot' ? 21 : 22);
      let refused = 0;
      for (let i = 0; i < 6000; i++) {
        const fields = varyFields(r, depthFields(r, market, true));
        const o = assertSame(p, wrap(r, objectText(r() < 0.3 ? shuffle(r, fields) : fields)));
        if (!o.ok) refused++;
      }
      assert.ok(refused > 100, `only ${refused} variants were refused: the generator is not reaching the error paths`);
    });

    test(`${market}: damaged frames (truncated, whitespace, stray bytes) — same frames or same errors`, () => {
      const p = pair(market);
      const r = rng(market === 'spot' ? 31 : 32);
      for (let i = 0; i < 4000; i++) assertSame(p, damage(r, wrap(r, objectText(depthFields(r, market, false)))));
    });
  }

  test('each odd level value alone: read alike or refused alike', () => {
    const p = pair('spot');
    for (const v of ODD_DECIMALS) {
      assertSame(p, `{"e":"depthUpdate","E":1690000000000,"s":"BTCUSDT","U":5,"u":6,"b":[[${v},"1.0"]],"a":[]}`);
      assertSame(p, `{"e":"depthUpdate","E":1690000000000,"s":"BTCUSDT","U":5,"u":6,"b":[],"a":[["100.5",${v}]]}`);
    }
    for (const v of ODD_TIMESTAMPS) assertSame(p, `{"e":"depthUpdate","E":${v},"s":"BTCUSDT","U":5,"u":6,"b":[],"a":[]}`);
  });

  test('odd keys (empty, a quote, escapes, control characters, look-alikes) read alike or refused alike', () => {
    const p = pair('futures');
    const good = '{"e":"depthUpdate","E":1,"T":2,"s":"X","U":5,"u":6,"pu":4,"b":[["1","2"]],"a":[]}';
    const keys = ['""', '"""', String.raw`"\""`, String.raw`"\u0062"`, '"\u0001"', '"bb"', '"B"', '"p"', '"puu"', String.raw`"\\"`, '"é"'];
    for (const key of keys) {
      for (const value of ['1', '[["9","9"]]', '"x"']) {
        assertSame(p, good.replace('"E":1,', `"E":1,${key}:${value},`));
        assertSame(p, good.replace('"a":[]', `"a":[],${key}:${value}`));
      }
    }
  });

  test('the scanner declines what it must not read, and never makes a frame of it', () => {
    const scan = textScanner(createBinanceDepthScanner('futures', (id) => id));
    const good = '{"e":"depthUpdate","E":1,"T":2,"s":"X","U":5,"u":6,"pu":4,"b":[["1","2"]],"a":[]}';
    assert.notEqual(scan(good), undefined);
    for (const bad of [
      good.replace('"pu":4,', ''), // futures without pu
      good.replace('"pu":4', '"pu":-1'), // a pu the JSON path reads, not this one
      good.replace('"U":5', '"U":7'), // U after u: the JSON path's error
      good.replace('["1","2"]', '["1","2","3"]'), // a third element
      good.replace('["1","2"]', '["0","2"]'), // zero price: refused by the JSON path
      good.replace('["1","2"]', '["1","-2"]'),
      good.replace('"s":"X"', '"s":"X","s":"Y"'), // a repeated key (JSON.parse keeps the last)
      good.replace('"U":5', '"U":1234567890123456'), // 16 digits
      good.replace('"E":1,', '"E":1, '),
      `${good} `,
      `{"stream":"x","data":${good},"x":1}`,
    ]) assert.equal(scan(bad), undefined, bad);
  });

  test('a frame read in place, inside a larger buffer, is read as when alone', () => {
    for (const market of ['spot', 'futures'] as const) {
      const scanner = createBinanceDepthScanner(market, (id) => id);
      const r = rng(market === 'spot' ? 41 : 42);
      let read = 0;
      for (let i = 0; i < 2000; i++) {
        const frame = r() < 0.2 ? damage(r, wrap(r, objectText(depthFields(r, market, false)))) : wrap(r, objectText(depthFields(r, market, r() < 0.3)));
        const alone = textScanner(scanner)(frame);
        const before = Buffer.from(pick(r, ['', '\x81\x7e', '[', '"', '12']), 'latin1');
        const after = Buffer.from(pick(r, ['', ']', '"]]', '0123', ',"x":1}', '\x81~{"e":"depthUpdate"}']), 'latin1');
        const bytes = Buffer.concat([before, Buffer.from(frame), after]);
        assert.deepStrictEqual(scanner(bytes, before.length, bytes.length - after.length), alone, JSON.stringify({ frame, before: before.toString('latin1'), after: after.toString('latin1') }));
        if (alone !== undefined) read++;
      }
      assert.ok(read > 1000, `${market}: only ${read} frames read`);
    }
  });

  test('ids remembered by the scanner: each frame still gets its own id and symbol, colliding hashes included', () => {
    const p = pair('spot');
    // "Aa" and "BB" have the same 31-multiplier hash: the scanner must compare the characters too
    const ids = ['AaUSDT', 'BBUSDT', 'BTCUSDT', 'AaUSDT', 'ETHUSDT', 'BBUSDT', 'BTCUSDT'];
    for (const id of ids) {
      const text = `{"e":"depthUpdate","E":1690000000000,"s":"${id}","U":5,"u":6,"b":[["1.5","2"]],"a":[]}`;
      const o = assertSame(p, text);
      assert.ok(o.ok);
      assert.equal((p.scan(text) as { nativeId: string }).nativeId, id);
      assert.equal(((o.value as { nativeId: string }[])[0] as { nativeId: string }).nativeId, id);
    }
  });
});
