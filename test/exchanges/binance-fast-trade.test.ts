/**
 * The Binance trade scanner (fast path) against the JSON.parse path: every frame — real ones from
 * ../shared/conformance, the repo's fixtures, and thousands of generated variants — gives the same
 * records or the same error through both. And the scanner really reads the common frames (a
 * differential test where it declined everything would prove nothing).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBinanceParser } from '../../src/exchanges/binance/parser.js';
import { createBinanceTradeScanner, type BinanceTradeScanner } from '../../src/exchanges/binance/fast-trade.js';
import { newTrade, type Instrument, type ParseResult } from '../../src/exchanges/types.js';
import type { Market, MarketRecord, Trade } from '../../src/records.js';
import {
  ODD_DECIMALS, ODD_IDS, ODD_STRINGS, ODD_TIMESTAMPS, assertSame, damage, decimalValue, integerIdValue, objectText, pick, rng, shuffle, timestampValue, varyFields, type Field,
} from './support/fast-path-diff.js';

const LOCAL = 1_690_000_099_999;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONFORMANCE = resolve(repoRoot, '..', 'shared', 'conformance');

const instruments: Instrument[] = [
  { symbol: 'BTC/USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', active: true },
  { symbol: 'ETH/USDT:USDT', nativeId: 'ETHUSDT', base: 'ETH', quote: 'USDT', settle: 'USDT', active: true },
];

function pair(market: Market) {
  return {
    fast: createBinanceParser(market, instruments),
    slow: createBinanceParser(market, instruments, { fastPath: false }),
    scan: textScanner(createBinanceTradeScanner(market, (id) => id)),
  };
}

/** the byte scanner asked about a frame given as text (its UTF-8 bytes, alone in their buffer) */
function textScanner(scanner: BinanceTradeScanner): (text: string, local: number) => Trade | undefined {
  return (text, local) => {
    const bytes = Buffer.from(text);
    return scanner(bytes, 0, bytes.length, local, newTrade);
  };
}

/** a trade or aggTrade event as Binance sends it, as fields */
function tradeFields(r: () => number, agg: boolean): Field[] {
  const id = String(1 + Math.floor(r() * 1e10));
  const ts = String(1_690_000_000_000 + Math.floor(r() * 1e8));
  return [
    ['e', agg ? '"aggTrade"' : '"trade"'],
    ['E', ts],
    ['s', JSON.stringify(pick(r, ['BTCUSDT', 'ETHUSDT', 'BNBBTC', 'XRPFDUSD', '币安人生USDT', 'ÄBCUSDT']))],
    [agg ? 'a' : 't', id],
    ['p', `"${(r() * 100000).toFixed(pick(r, [2, 5, 8]))}"`],
    ['q', `"${(r() * 10).toFixed(pick(r, [3, 8]))}"`],
    ...(agg ? ([['f', '100'], ['l', '105']] as Field[]) : []),
    ['T', ts],
    ['m', r() < 0.5 ? 'true' : 'false'],
    ['M', 'true'],
  ];
}

/** one value replaced by an odd one of its kind */
function varyValue(r: () => number, fields: Field[]): Field[] {
  const out = fields.map((f): Field => [f[0], f[1]]);
  const f = pick(r, out);
  switch (f[0]) {
    case 'p': case 'q': f[1] = decimalValue(r); break;
    case 't': case 'a': f[1] = integerIdValue(r); break;
    case 'T': case 'E': f[1] = timestampValue(r); break;
    case 'm': f[1] = pick(r, ['"true"', '1', 'null', 'tru', 'falsey', 'FALSE']); break;
    case 'e': f[1] = pick(r, ['"24hrTicker"', '"depthUpdate"', '"trad\\u0065"', '5', '"Trade"', '"aggTrades"', 'null']); break;
    case 's': f[1] = pick(r, ODD_STRINGS); break;
    default: f[1] = pick(r, ['{}', '[]', '"x"', '1e5']);
  }
  return out;
}

/** the event raw, or in a combined-stream wrapper (sometimes a wrapper the scanner must decline) */
function wrap(r: () => number, event: string): string {
  switch (Math.floor(r() * 8)) {
    case 0: case 1: case 2: return `{"stream":"btcusdt@trade","data":${event}}`;
    case 3: return pick(r, [
      `{"data":${event},"stream":"btcusdt@trade"}`,
      `{"stream":"btcusdt@trade","data":${event},"x":1}`,
      `{"stream":5,"data":${event}}`,
      `{"stream":"a\\"b","data":${event}}`,
      `{"stream":"btcusdt@trade","data":[${event}]}`,
      `{"stream":"btcusdt@trade","data":${event}}}`,
      `{"stream":"btcusdt@trade","data":${event}`,
    ]);
    default: return event;
  }
}

function generatedFrame(r: () => number): string {
  let fields = tradeFields(r, r() < 0.5);
  if (r() < 0.5) shuffle(r, fields);
  const roll = r();
  if (roll < 0.3) fields = varyValue(r, fields);
  else if (roll < 0.5) fields = varyFields(r, fields);
  const text = wrap(r, objectText(fields));
  return r() < 0.15 ? damage(r, text) : text;
}

describe('binance trade scanner = JSON.parse path', () => {
  test('generated frames: same records or the same error, and the scanner reads most of them', () => {
    for (const market of ['spot', 'futures'] as const) {
      const { fast, slow, scan } = pair(market);
      const r = rng(market === 'spot' ? 0x5eed : 0xf00d);
      let scanned = 0;
      let records = 0;
      const N = 6000;
      for (let k = 0; k < N; k++) {
        const frame = generatedFrame(r);
        const result = assertSame(fast, slow, frame, LOCAL);
        if (result.ok) records++;
        if (scan(frame, LOCAL) !== undefined) scanned++;
      }
      // most variants are still trades (the odd value hit an unused field, or a key order), and
      // the scanner must read the plain ones: without it the comparison above proves nothing
      assert.ok(records > N * 0.5, `${market}: only ${records} of ${N} generated frames were readable`);
      assert.ok(scanned > N * 0.4, `${market}: the scanner read only ${scanned} of ${N} generated frames`);
    }
  });

  test('parseInto appends what parse returns, after what the array held, or throws the same and appends nothing', () => {
    for (const market of ['spot', 'futures'] as const) {
      const parser = createBinanceParser(market, instruments);
      const r = rng(market === 'spot' ? 0x1a70 : 0x1a71);
      const frames = [...Array.from({ length: 3000 }, () => generatedFrame(r)), '{"result":null,"id":7}', '{"code":2,"msg":"Invalid request","id":8}', 'not json'];
      let appended = 0;
      for (const frame of frames) {
        const held: MarketRecord[] = [{ type: 'trade', exchange: 'binance', market, symbol: 'BTC/USDT', id: '1', price: 1, amount: 1, side: 'buy', timestamp: LOCAL - 5, localTimestamp: LOCAL }];
        const before = [...held];
        let expected: ParseResult | Error;
        try {
          expected = parser.parse(frame, LOCAL);
        } catch (error) {
          expected = error as Error;
        }
        if (expected instanceof Error) {
          assert.throws(() => parser.parseInto?.(frame, LOCAL, held), (e: Error) => e.message === expected.message && e.constructor === expected.constructor);
          assert.deepStrictEqual(held, before, `appended on a refused frame: ${frame}`);
          continue;
        }
        const control = parser.parseInto?.(frame, LOCAL, held);
        assert.deepStrictEqual(control, expected.control, frame);
        assert.deepStrictEqual(held, [...before, ...expected.records], frame);
        appended += expected.records.length;
      }
      assert.ok(appended > 1000, `${market}: only ${appended} records compared`);
    }
  });

  test('every plain trade and aggTrade, in any key order, raw or wrapped, is read by the scanner', () => {
    const { fast, slow, scan } = pair('spot');
    const r = rng(7);
    for (let k = 0; k < 500; k++) {
      const fields = tradeFields(r, k % 2 === 0);
      if (k % 3 === 0) shuffle(r, fields);
      const event = objectText(fields);
      for (const frame of [event, `{"stream":"x@trade","data":${event}}`]) {
        assert.notEqual(scan(frame, LOCAL), undefined, frame);
        assertSame(fast, slow, frame, LOCAL);
      }
    }
  });

  test('every odd value in every field, raw and wrapped, in both key orders', () => {
    const odd: Record<string, readonly string[]> = {
      p: ODD_DECIMALS, q: ODD_DECIMALS, t: ODD_IDS, a: ODD_IDS, T: ODD_TIMESTAMPS, E: ODD_TIMESTAMPS, s: ODD_STRINGS, f: ODD_IDS, M: ODD_STRINGS,
      e: ['"24hrTicker"', '"depthUpdate"', '"trad\\u0065"', '5', '"Trade"', '"aggTrades"', 'null', '""', '"trade "'],
      m: ['"true"', '1', 'null', 'tru', 'falsey', 'FALSE', 'true1', '[]'],
    };
    let compared = 0;
    for (const market of ['spot', 'futures'] as const) {
      const { fast, slow } = pair(market);
      const r = rng(11);
      for (const agg of [false, true]) {
        const base = tradeFields(r, agg);
        for (let k = 0; k < base.length; k++) {
          for (const value of odd[base[k]?.[0] ?? ''] ?? []) {
            const fields = base.map((f, j): Field => (j === k ? [f[0], value] : f));
            for (const event of [objectText(fields), objectText([...fields].reverse())]) {
              assertSame(fast, slow, event, LOCAL);
              assertSame(fast, slow, `{"stream":"x@trade","data":${event}}`, LOCAL);
              compared += 2;
            }
          }
        }
      }
    }
    assert.ok(compared > 1000);
  });

  test('odd keys: empty, a lone quote, escapes (\\u0065 is the key e), control characters, repeated keys', () => {
    const { fast, slow } = pair('spot');
    const pairs = ['"":1', '""":1', '"\\":1', '"\\u0065":"aggTrade"', '"\\u0074":5', '"\u0001":1', '"e\u0000":1', '"ee":1', '"e":"trade"', '"m":true', '"T":1', '"t":2', '"s":"ETHUSDT"', '"p":"2"', '"q":"3"'];
    const base = '{"e":"trade","E":1,"s":"BTCUSDT","t":7,"p":"1.5","q":"2","T":1690000000120,"m":false}';
    for (const kv of pairs) {
      for (const frame of [base.replace('{', `{${kv},`), base.replace(/}$/, `,${kv}}`), base.replace(',"p"', `,${kv},"p"`)]) {
        assertSame(fast, slow, frame, LOCAL);
        assertSame(fast, slow, `{"stream":"x@trade","data":${frame}}`, LOCAL);
      }
    }
  });

  test('ids past 2^53 keep their digits, exactly as the JSON.parse path reads them from the text', () => {
    const { fast, slow } = pair('spot');
    for (const id of ['9007199254740993', '17883351803770004', '123456789012345678901234567890', '1234567890123456789012345678901234567890']) {
      const frame = `{"e":"trade","E":1,"s":"BTCUSDT","t":${id},"p":"1.5","q":"2","T":1690000000120,"m":false}`;
      const result = assertSame(fast, slow, frame, LOCAL);
      assert.ok(result.ok);
      assert.equal((result.value as { records: { id: string }[] }).records[0]?.id, id);
    }
    // 41 digits: both refuse it
    const tooLong = `{"e":"trade","E":1,"s":"BTCUSDT","t":${'1'.repeat(41)},"p":"1.5","q":"2","T":1690000000120,"m":false}`;
    assert.equal(assertSame(fast, slow, tooLong, LOCAL).ok, false);
  });

  test('a frame read in place, inside a larger buffer, is read as when alone: nothing before or after it counts', () => {
    const scanner = createBinanceTradeScanner('spot', (id) => id);
    const r = rng(0xb17e5);
    let read = 0;
    for (let k = 0; k < 2000; k++) {
      const frame = generatedFrame(r);
      const alone = textScanner(scanner)(frame, LOCAL);
      // what may sit around a frame in a socket read: the next frame's header, digits, a brace, quotes
      const before = Buffer.from(pick(r, ['', '\x81\x7e', '}', '"', '12']), 'latin1');
      const after = Buffer.from(pick(r, ['', '}', '"}', '0123', ',"x":1}', '\x81~{"e":"trade"}']), 'latin1');
      const bytes = Buffer.concat([before, Buffer.from(frame), after]);
      const inPlace = scanner(bytes, before.length, bytes.length - after.length, LOCAL, newTrade);
      assert.deepStrictEqual(inPlace, alone, JSON.stringify({ frame, before: before.toString('latin1'), after: after.toString('latin1') }));
      if (alone !== undefined) read++;
    }
    assert.ok(read > 800, `only ${read} frames read`);
  });

  test('a trade is written into the object lent for it, and nothing is lent for a frame not taken', () => {
    const scanner = createBinanceTradeScanner('spot', (id) => id);
    const lent = newTrade();
    let lends = 0;
    const lend = () => (lends++, lent);
    const frame = Buffer.from('{"e":"trade","E":1,"s":"BTCUSDT","t":42,"p":"1.5","q":"2","T":1690000000120,"m":false}');
    assert.equal(scanner(frame, 0, frame.length, LOCAL, lend), lent);
    assert.deepStrictEqual({ ...lent }, { type: 'trade', exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', id: '42', price: 1.5, amount: 2, side: 'buy', timestamp: 1690000000120, localTimestamp: LOCAL });
    const ticker = Buffer.from('{"e":"24hrTicker","E":1,"s":"BTCUSDT","c":"1"}');
    assert.equal(scanner(ticker, 0, ticker.length, LOCAL, lend), undefined);
    assert.equal(lends, 1);
  });

  test('a flat event with a "stream" key is read as a wrapper by both (and refused)', () => {
    const { fast, slow } = pair('spot');
    const frame = '{"e":"trade","stream":"x","E":1,"s":"BTCUSDT","t":1,"p":"1.5","q":"2","T":1690000000120,"m":false}';
    assert.equal(assertSame(fast, slow, frame, LOCAL).ok, false);
  });

  test('real frames (../shared/conformance) and the fixtures', (t) => {
    const fixtures = resolve(repoRoot, 'test', 'fixtures', 'binance');
    const files = readdirSync(fixtures).map((f) => join(fixtures, f));
    const real = ['trades', 'books'].flatMap((sub) => {
      const dir = join(CONFORMANCE, sub);
      return existsSync(dir) ? readdirSync(dir).filter((f) => /^binance-.*\.jsonl$/.test(f)).map((f) => join(dir, f)) : [];
    });
    if (real.length === 0) t.diagnostic('no ../shared/conformance next to the checkout: real frames not compared (fixtures only)');
    let frames = 0;
    for (const path of [...files, ...real]) {
      const market: Market = path.includes('futures') ? 'futures' : 'spot';
      const { fast, slow } = pair(market);
      const text = readFileSync(path, 'utf8');
      const lines = path.endsWith('.jsonl') ? text.split('\n').filter((l) => l.trim() !== '') : [text.trim(), text];
      for (const line of lines) {
        assertSame(fast, slow, line, LOCAL);
        frames++;
      }
    }
    assert.ok(frames > 10);
  });
});
