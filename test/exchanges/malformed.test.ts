/**
 * The same hostile and malformed frames against all seven exchange × market parsers.
 *
 * The rule every parser follows, and every case here checks:
 * - a frame it cannot read (broken JSON, wrong types, values that cannot be read without guessing,
 *   over MAX_FRAME_BYTES) throws MalformedFrameError (`TV_ERR_MALFORMED_FRAME`) — nothing else;
 * - a well-formed frame of a kind it does not map (another stream, topic, channel or event) gives
 *   no records and one `ignored` control — it is never mapped to a record;
 * - numbers may come as strings and strings as numbers when the value is read exactly (common.ts);
 * - `__proto__`, `constructor` and `prototype` keys are just keys: ignored, and nothing is polluted.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_FRAME_BYTES } from '../../src/exchanges/common.js';
import { createAdapter } from '../../src/exchanges/index.js';
import { MalformedFrameError, type FrameParser, type ParseResult } from '../../src/exchanges/types.js';
import type { MarketRecord, Trade } from '../../src/records.js';
import { LOCAL, RAW, VENUE_KITS, frameJson, withField, withOwnKey, type Json, type VenueKit } from './support/venue-kits.js';

const parserFor = (kit: VenueKit): FrameParser => createAdapter(kit.exchange, kit.market).createParser(kit.instruments);
const encode = (kit: VenueKit, text: string): string | Buffer => (kit.binary ? Buffer.from(text, 'utf8') : text);
const parseText = (kit: VenueKit, text: string, parser: FrameParser = parserFor(kit)): ParseResult => parser.parse(encode(kit, text), LOCAL);
const tradeText = (kit: VenueKit, entry: Json = kit.tradeEntry): string => frameJson(kit.tradeFrame(entry));
const tickerText = (kit: VenueKit, entry: Json = kit.tickerEntry): string => frameJson(kit.tickerFrame(entry));
const raw = (text: string): Json => ({ [RAW]: text });

function assertMalformed(run: () => unknown, what: string): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof MalformedFrameError, `${what}: threw ${String(err)} instead of MalformedFrameError`);
    assert.equal(err.code, 'TV_ERR_MALFORMED_FRAME');
    return true;
  }, `${what}: parsed without an error`);
}

function assertNoPollution(): void {
  assert.equal((({}) as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  assert.equal(([] as unknown as Record<string, unknown>).polluted, undefined, 'Array.prototype was polluted');
}

/** What any record a parser returns must look like, whatever the frame was. */
function assertSaneRecord(r: MarketRecord): void {
  assert.equal(Object.getPrototypeOf(r), Object.prototype, 'record with a foreign prototype');
  assert.ok(typeof r.symbol === 'string' && r.symbol !== '');
  assert.ok(Number.isSafeInteger(r.timestamp) && r.timestamp > 0, `timestamp ${r.timestamp}`);
  if (r.type === 'trade') {
    assert.ok(typeof r.id === 'string' && r.id !== '');
    assert.ok(Number.isFinite(r.price) && Number.isFinite(r.amount));
    assert.ok(r.side === 'buy' || r.side === 'sell');
  } else {
    assert.ok(Number.isFinite(r.last));
    for (const k of ['bid', 'ask', 'bidSize', 'askSize', 'high24h', 'low24h', 'volume24h', 'quoteVolume24h'] as const) {
      if (k in r) assert.ok(Number.isFinite(r[k]), `${k} = ${String(r[k])}`);
    }
  }
}

/** Wrong types and unreadable values of a number field, whatever type it is documented as. */
const BAD_NUMBERS: { name: string; value: unknown }[] = [
  { name: 'empty string', value: '' },
  { name: '"NaN"', value: 'NaN' },
  { name: '"Infinity"', value: 'Infinity' },
  { name: '"-Infinity"', value: '-Infinity' },
  { name: '"1e999" (overflows to Infinity)', value: '1e999' },
  { name: 'raw 1e999 (JSON.parse makes Infinity)', value: raw('1e999') },
  { name: 'raw -1e999', value: raw('-1e999') },
  { name: 'leading space', value: ' 1' },
  { name: 'trailing newline', value: '1\n' },
  { name: 'hex literal', value: '0x10' },
  { name: 'binary literal', value: '0b11' },
  { name: 'explicit plus', value: '+1' },
  { name: 'decimal comma', value: '1,5' },
  { name: 'words', value: 'abc' },
  { name: 'a number in an array', value: [1] },
  { name: 'a numeric string in an array', value: ['1'] },
  { name: 'object', value: { not: 'a number' } },
  { name: 'object with its own toString', value: { toString: 1, valueOf: 1 } },
  { name: 'true', value: true },
  { name: 'false', value: false },
  { name: 'null', value: null },
  { name: 'a 100-digit string', value: '1'.repeat(100) },
];

const BAD_TIMESTAMPS: { name: string; value: unknown }[] = [
  ...BAD_NUMBERS,
  { name: 'negative number', value: -1690000000120 },
  { name: 'negative string', value: '-1690000000120' },
  { name: 'zero', value: 0 },
  { name: 'fraction', value: 1690000000120.5 },
  { name: 'fraction as string', value: '1690000000120.5' },
  { name: 'exponent string', value: '1.69000000012e12' },
  { name: 'leading zero string', value: '01690000000120' },
  { name: 'beyond 2^53', value: raw('9007199254740993') },
];

const BAD_IDS_ANY: { name: string; value: unknown }[] = [
  { name: 'null', value: null },
  { name: 'empty string', value: '' },
  { name: 'true', value: true },
  { name: 'object', value: { id: 1 } },
  { name: 'array', value: [1] },
  { name: 'negative number', value: -5 },
  { name: 'fraction', value: 1.5 },
  { name: 'number beyond 2^53 (already rounded by JSON.parse)', value: raw('2290000000071553262') },
  { name: 'raw 1e999', value: raw('1e999') },
  { name: 'a 200-character string', value: 'x'.repeat(200) },
];
/** sequential integer ids (Binance, Upbit) also refuse what is not a canonical integer */
const BAD_INTEGER_IDS: { name: string; value: unknown }[] = [
  { name: 'words', value: 'abc' },
  { name: 'leading zeros', value: '007' },
  { name: 'exponent', value: '1e3' },
  { name: 'negative string', value: '-5' },
  { name: 'decimal string', value: '5.0' },
];

/** the same value in the other JSON type: a number as a string, a string as a number */
function otherType(value: unknown): unknown {
  return typeof value === 'number' ? String(value) : Number(value);
}

for (const kit of VENUE_KITS) {
  describe(`${kit.name}: documented frames`, () => {
    test('a trade maps to exactly the expected record', () => {
      assert.deepEqual(parseText(kit, tradeText(kit)), { records: [kit.expectedTrade], control: [] });
    });
    test('a ticker maps to exactly the expected record', () => {
      assert.deepEqual(parseText(kit, tickerText(kit)), { records: [kit.expectedTicker], control: [] });
    });
    for (const c of kit.controls) {
      test(`${c.name} → ${c.expected.kind}`, () => {
        assert.deepEqual(parseText(kit, c.frame), { records: [], control: [c.expected] });
      });
    }
  });

  describe(`${kit.name}: malformed frames throw MalformedFrameError`, () => {
    test('every truncation of a trade and of a ticker frame', () => {
      for (const text of [tradeText(kit), tickerText(kit)]) {
        for (let cut = 0; cut < text.length; cut++) assertMalformed(() => parseText(kit, text.slice(0, cut)), `cut at ${cut}`);
      }
    });

    test('JSON that is not an object, and empty frames', () => {
      const frames = ['', ' ', '\n', 'null', 'true', '42', '"text"', '[]', `[${tradeText(kit)}]`, '{', '}', '{}x', 'undefined', 'NaN'];
      for (const frame of frames) assertMalformed(() => parseText(kit, frame), JSON.stringify(frame));
    });

    test('an object with none of the fields that say what the frame is', () => {
      for (const frame of ['{}', '{"foo":1}', '{"__proto__":{"e":"trade","type":"trade","topic":"publicTrade.BTCUSDT","event":"subscribe"}}']) {
        assertMalformed(() => parseText(kit, frame), frame);
      }
    });

    test('deeply nested JSON within the size limit', () => {
      const depth = 150_000; // 900,000 characters of objects: nesting, not size, is what is tested
      assertMalformed(() => parseText(kit, '['.repeat(depth) + ']'.repeat(depth)), 'nested arrays');
      assertMalformed(() => parseText(kit, '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)), 'nested objects');
    });

    for (const role of ['price', 'amount'] as const) {
      test(`${role} (${kit.fields[role].key}, documented as a ${kit.fields[role].type}): wrong types and unreadable values`, () => {
        const { key } = kit.fields[role];
        for (const bad of [...BAD_NUMBERS, { name: 'missing', value: undefined }]) {
          assertMalformed(() => parseText(kit, tradeText(kit, withField(kit.tradeEntry, key, bad.value))), `${key} = ${bad.name}`);
        }
      });
    }

    test(`timestamp (${kit.fields.timestamp.key}, documented as a ${kit.fields.timestamp.type}): wrong types, negative, fractional, unsafe`, () => {
      const { key } = kit.fields.timestamp;
      for (const bad of [...BAD_TIMESTAMPS, { name: 'missing', value: undefined }]) {
        assertMalformed(() => parseText(kit, tradeText(kit, withField(kit.tradeEntry, key, bad.value))), `${key} = ${bad.name}`);
      }
    });

    test(`trade id (${kit.fields.id.key}, documented as a ${kit.fields.id.type}): wrong types and ids that would name another trade`, () => {
      const { key, integer } = kit.fields.id;
      // an integer id beyond 2^53 is read losslessly from the frame's text (next test): not malformed there
      const anyIds = integer ? BAD_IDS_ANY.filter((c) => !c.name.startsWith('number beyond 2^53')) : BAD_IDS_ANY;
      const cases = [...anyIds, ...(integer ? BAD_INTEGER_IDS : []), { name: 'missing', value: undefined }];
      for (const bad of cases) {
        assertMalformed(() => parseText(kit, tradeText(kit, withField(kit.tradeEntry, key, bad.value))), `${key} = ${bad.name}`);
      }
    });

    if (kit.fields.id.integer) {
      test(`trade id (${kit.fields.id.key}) beyond 2^53 as a JSON number: its exact digits from the frame text, neighbours distinct`, () => {
        const { key } = kit.fields.id;
        const ids = ['17883351803770004', '17883351803770005', '2290000000071553262'];
        const parsed = ids.map((id) => {
          const { records } = parseText(kit, tradeText(kit, withField(kit.tradeEntry, key, raw(id))));
          return (records[0] as Trade).id;
        });
        assert.deepEqual(parsed, ids);
        // JSON.parse alone would have made the two neighbours one id
        assert.equal(String(JSON.parse(ids[0]!)), String(JSON.parse(ids[1]!)));
      });
    }

    test(`taker side (${kit.fields.side.key}): anything but the documented values`, () => {
      const { key, type } = kit.fields.side;
      const documented = kit.tradeEntry[key];
      const cases: unknown[] = [null, 1, 0, {}, [], '', 'x', undefined];
      if (type === 'boolean') cases.push(String(documented), documented ? 1 : 0);
      else cases.push(String(documented).toUpperCase() === documented ? String(documented).toLowerCase() : String(documented).toUpperCase(), true);
      for (const value of cases) {
        assertMalformed(() => parseText(kit, tradeText(kit, withField(kit.tradeEntry, key, value))), `${key} = ${JSON.stringify(value)}`);
      }
    });

    if (kit.fields.symbol !== undefined) {
      test(`instrument (${kit.fields.symbol.key}): a number, null, an object, an id with spaces or control characters, an absurd length`, () => {
        const { key } = kit.fields.symbol!;
        for (const value of [123, null, {}, ['BTCUSDT'], true, '', 'BTC USDT', 'BTC\u0000USDT', 'BTC\nUSDT', 'B'.repeat(65)]) {
          assertMalformed(() => parseText(kit, tradeText(kit, withField(kit.tradeEntry, key, value))), `${key} = ${JSON.stringify(value)}`);
        }
      });
    }

    test(`ticker last price (${kit.tickerLast.key}): wrong types and unreadable values`, () => {
      for (const bad of [...BAD_NUMBERS, { name: 'missing', value: undefined }]) {
        assertMalformed(() => parseText(kit, tickerText(kit, withField(kit.tickerEntry, kit.tickerLast.key, bad.value))), `${kit.tickerLast.key} = ${bad.name}`);
      }
    });
  });

  describe(`${kit.name}: numbers as strings and strings as numbers`, () => {
    test(`price, amount and timestamp in the other JSON type read the same values`, () => {
      for (const role of ['price', 'amount', 'timestamp'] as const) {
        const { key } = kit.fields[role];
        const flipped = withField(kit.tradeEntry, key, otherType(kit.tradeEntry[key]));
        assert.deepEqual(parseText(kit, tradeText(kit, flipped)).records, [kit.expectedTrade], `${key} as ${typeof flipped[key]}`);
      }
    });

    test(`the trade id in the other JSON type is the same id`, () => {
      const { key } = kit.fields.id;
      const value = kit.tradeEntry[key];
      // an opaque id that is not all digits has no number form
      if (typeof value === 'string' && !/^\d+$/.test(value)) {
        const numeric = withField(kit.tradeEntry, key, 88123001);
        assert.equal((parseText(kit, tradeText(kit, numeric)).records[0] as { id: string }).id, '88123001');
        return;
      }
      const flipped = withField(kit.tradeEntry, key, otherType(value));
      assert.deepEqual(parseText(kit, tradeText(kit, flipped)).records, [kit.expectedTrade]);
    });

    test(`the ticker's last price in the other JSON type reads the same value`, () => {
      const key = kit.tickerLast.key;
      const flipped = withField(kit.tickerEntry, key, otherType(kit.tickerEntry[key]));
      assert.deepEqual(parseText(kit, tickerText(kit, flipped)).records, [kit.expectedTicker]);
    });

    test('other plain decimal forms are read: exponent, trailing zeros, tiny values', () => {
      const { key } = kit.fields.price;
      for (const [text, value] of [['2.615040e4', 26150.4], ['26150.400000000000', 26150.4], ['0.00000001', 1e-8], ['1E-8', 1e-8]] as const) {
        const records = parseText(kit, tradeText(kit, withField(kit.tradeEntry, key, text))).records as { price: number }[];
        assert.equal(records[0]?.price, value, text);
      }
    });
  });

  describe(`${kit.name}: kinds of frame the parser does not map`, () => {
    for (const frame of kit.unknownKinds) {
      test(`never a record, reported as unknown (for the quarantine): ${frame.slice(0, 60)}…`, () => {
        const result = parseText(kit, frame);
        assert.deepEqual(result.records, []);
        assert.equal(result.control.length, 1);
        const control = result.control[0]!;
        assert.equal(control.kind, 'unknown');
        assert.ok(control.kind === 'unknown' && control.what.length > 0);
      });
    }
  });

  describe(`${kit.name}: the frame size limit (${MAX_FRAME_BYTES} bytes)`, () => {
    /** the trade frame padded with an extra field to exactly `bytes` bytes (ASCII padding) */
    const padded = (bytes: number, fill = 'x'): string => {
      const base = tradeText(kit);
      const filler = bytes - base.length - '"pad":"",'.length;
      return `{"pad":"${fill.repeat(Math.max(0, Math.ceil(filler / Buffer.byteLength(fill))))}",${base.slice(1)}`;
    };

    test('a valid frame of exactly the limit parses', () => {
      const text = padded(MAX_FRAME_BYTES);
      assert.equal(Buffer.byteLength(text), MAX_FRAME_BYTES);
      assert.deepEqual(parseText(kit, text).records, [kit.expectedTrade]);
    });

    test('one byte over the limit is malformed, as text and as binary, and never reaches JSON.parse', () => {
      const text = padded(MAX_FRAME_BYTES + 1);
      assert.equal(Buffer.byteLength(text), MAX_FRAME_BYTES + 1);
      const parser = parserFor(kit);
      const original = JSON.parse;
      let calls = 0;
      JSON.parse = ((...args: Parameters<typeof JSON.parse>) => {
        calls++;
        return original(...args);
      }) as typeof JSON.parse;
      try {
        assertMalformed(() => parser.parse(text, LOCAL), 'text frame');
        assertMalformed(() => parser.parse(Buffer.from(text), LOCAL), 'binary frame');
      } finally {
        JSON.parse = original;
      }
      assert.equal(calls, 0);
    });

    test('a text frame under the limit in characters but over it in UTF-8 bytes is malformed', () => {
      const text = padded(MAX_FRAME_BYTES + 3, '가');
      assert.ok(text.length < MAX_FRAME_BYTES);
      assert.ok(Buffer.byteLength(text) > MAX_FRAME_BYTES);
      assertMalformed(() => parserFor(kit).parse(text, LOCAL), 'multi-byte text');
    });

    test('a huge frame (16 MiB) is refused, as binary and as text', () => {
      const big = Buffer.alloc(16 * 1024 * 1024, 0x20);
      assertMalformed(() => parserFor(kit).parse(big, LOCAL), '16 MiB buffer');
      assertMalformed(() => parserFor(kit).parse(`{"pad":"${'x'.repeat(16 * 1024 * 1024)}"}`, LOCAL), '16 MiB text');
    });
  });

  describe(`${kit.name}: __proto__, constructor and prototype keys`, () => {
    const hostile: { name: string; key: string; value: unknown }[] = [
      { name: '__proto__ with every field name', key: '__proto__', value: { polluted: 'yes', ...kit.tradeEntry, ...kit.tickerEntry, bid1Price: '1', bidPx: '1', b: '1' } },
      { name: '__proto__ as an array', key: '__proto__', value: ['polluted'] },
      { name: '__proto__ as null', key: '__proto__', value: null },
      { name: 'constructor.prototype', key: 'constructor', value: { prototype: { polluted: 'yes' } } },
      { name: 'prototype', key: 'prototype', value: { polluted: 'yes' } },
    ];

    for (const h of hostile) {
      test(`${h.name} in the trade entry and around it: ignored, same record, nothing polluted`, () => {
        const inEntry = tradeText(kit, withOwnKey(kit.tradeEntry, h.key, h.value));
        const around = frameJson(withOwnKey(kit.tradeFrame(kit.tradeEntry), h.key, h.value));
        for (const text of [inEntry, around]) {
          assert.ok(text.includes(`"${h.key}"`), 'the key is in the frame text');
          const { records } = parseText(kit, text);
          assert.deepEqual(records, [kit.expectedTrade]);
          for (const r of records) {
            assertSaneRecord(r);
            assert.equal('polluted' in r, false);
          }
          assertNoPollution();
        }
      });

      test(`${h.name} in the ticker entry: ignored, same record, nothing polluted`, () => {
        const { records } = parseText(kit, tickerText(kit, withOwnKey(kit.tickerEntry, h.key, h.value)));
        assert.deepEqual(records, [kit.expectedTicker]);
        for (const r of records) assertSaneRecord(r);
        assertNoPollution();
      });
    }

    test('a __proto__ key in control frames is ignored too', () => {
      for (const c of kit.controls) {
        if (!c.frame.startsWith('{')) continue;
        const text = `{"__proto__":{"polluted":"yes","kind":"pong"},${c.frame.slice(1)}`;
        assert.deepEqual(parseText(kit, text), { records: [], control: [c.expected] });
        assertNoPollution();
      }
    });
  });

  describe(`${kit.name}: mutated frames never escape as anything but MalformedFrameError`, () => {
    test('2,000 seeded single-character mutations of each documented frame', () => {
      const rand = mulberry32(0x7ea1 + kit.name.length);
      const alphabet = '{}[]":,.-+eE0123456789 nulltrfasx_\\';
      const sources = [tradeText(kit), tickerText(kit), ...kit.controls.map((c) => c.frame)];
      const parser = parserFor(kit);
      let malformed = 0;
      for (const source of sources) {
        for (let n = 0; n < 2000; n++) {
          const at = Math.floor(rand() * source.length);
          const ch = alphabet[Math.floor(rand() * alphabet.length)] as string;
          const op = rand();
          const text = op < 0.4 ? source.slice(0, at) + ch + source.slice(at + 1) : op < 0.7 ? source.slice(0, at) + source.slice(at + 1) : source.slice(0, at) + ch + source.slice(at);
          let result: ParseResult;
          try {
            result = parseText(kit, text, parser);
          } catch (err) {
            assert.ok(err instanceof MalformedFrameError, `${JSON.stringify(text)} threw ${String(err)}`);
            malformed++;
            continue;
          }
          for (const r of result.records) assertSaneRecord(r);
        }
      }
      assert.ok(malformed > 0);
      assertNoPollution();
    });
  });
}

/** A small seeded PRNG, so a failing mutation is reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('every refusal says why, as the quarantine counts it', () => {
  function reasonOf(run: () => unknown): string {
    try {
      run();
    } catch (error) {
      assert.ok(error instanceof MalformedFrameError, String(error));
      return error.reason;
    }
    assert.fail('parsed without an error');
  }
  for (const kit of VENUE_KITS) {
    test(`${kit.name}: unreadable-json, too-large, unknown-kind, missing-field, bad-field`, () => {
      assert.equal(reasonOf(() => parseText(kit, '{"p":')), 'unreadable-json');
      assert.equal(reasonOf(() => parseText(kit, '[1,2]')), 'unreadable-json');
      assert.equal(reasonOf(() => parseText(kit, 'x'.repeat(MAX_FRAME_BYTES + 1))), 'too-large');
      // an object with nothing that says what it is
      assert.equal(reasonOf(() => parseText(kit, '{"hello":1}')), 'unknown-kind');
      const { key } = kit.fields.price;
      assert.equal(reasonOf(() => parseText(kit, tradeText(kit, withField(kit.tradeEntry, key, undefined)))), 'missing-field');
      assert.equal(reasonOf(() => parseText(kit, tradeText(kit, withField(kit.tradeEntry, key, 'abc')))), 'bad-field');
    });
  }

  test('an OKX swap trade without a contract size is unknown-instrument, not a bad field', () => {
    const okxSwap = VENUE_KITS.find((k) => k.exchange === 'okx' && k.market === 'futures')!;
    const parser = createAdapter('okx', 'futures').createParser([]);
    assert.equal(reasonOf(() => parseText(okxSwap, tradeText(okxSwap), parser)), 'unknown-instrument');
  });
});
