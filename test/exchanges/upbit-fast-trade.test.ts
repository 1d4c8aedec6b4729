/**
 * The Upbit trade scanner (fast path) against the JSON.parse path: real frames, the repo's
 * fixtures and thousands of generated variants give the same record or the same error through
 * both — prices as JSON numbers included (the scanner must produce JSON.parse's very double) and
 * 17-digit sequential ids past 2^53; and the scanner really reads the common frames.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUpbitParser } from '../../src/exchanges/upbit/parser.js';
import { createUpbitTradeScanner } from '../../src/exchanges/upbit/fast-trade.js';
import type { Instrument } from '../../src/exchanges/types.js';
import {
  ODD_DECIMALS, ODD_IDS, ODD_STRINGS, ODD_TIMESTAMPS, assertSame, damage, objectText, pick, rng, shuffle, varyFields, type Field,
} from './support/fast-path-diff.js';

const LOCAL = 1_690_000_099_999;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONFORMANCE = resolve(repoRoot, '..', 'shared', 'conformance');

const instruments: Instrument[] = [{ symbol: 'BTC/KRW', nativeId: 'KRW-BTC', base: 'BTC', quote: 'KRW', active: true }];

function pair() {
  return {
    fast: createUpbitParser(instruments),
    slow: createUpbitParser(instruments, { fastPath: false }),
    scan: createUpbitTradeScanner((code) => code),
  };
}

/** a JSON number as Upbit writes prices and volumes: integers, fractions, the odd exponent */
function numberText(r: () => number): string {
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(r() * 10))).join('');
  switch (Math.floor(r() * 8)) {
    case 0: return `${1 + Math.floor(r() * 9)}${digits(Math.floor(r() * 9))}`;
    case 1: return `0.${digits(1 + Math.floor(r() * 12))}`;
    case 2: return `${1 + Math.floor(r() * 9)}${digits(Math.floor(r() * 12))}.${digits(1 + Math.floor(r() * 12))}`; // past 15 digits sometimes
    case 3: return `${1 + Math.floor(r() * 9)}.${digits(3)}e${pick(r, ['', '-', '+'])}${Math.floor(r() * 20)}`;
    case 4: return `${Math.floor(r() * 1000)}.${digits(8)}`;
    default: return `${Math.floor(r() * 100000)}.${digits(1 + Math.floor(r() * 8))}`;
  }
}

function tradeFields(r: () => number): Field[] {
  const ts = 1_676_965_220_000 + Math.floor(r() * 1e8);
  return [
    ['type', '"trade"'],
    ['code', JSON.stringify(pick(r, ['KRW-BTC', 'KRW-DOGE', 'BTC-ETH', 'KRW-币']))],
    ['timestamp', String(ts + 50)],
    ['trade_date', '"2023-02-21"'],
    ['trade_time', '"07:40:20"'],
    ['trade_timestamp', String(ts)],
    ['trade_price', numberText(r)],
    ['trade_volume', numberText(r)],
    ['ask_bid', r() < 0.5 ? '"ASK"' : '"BID"'],
    ['prev_closing_price', numberText(r)],
    ['change', '"RISE"'],
    ['change_price', numberText(r)],
    ['sequential_id', r() < 0.5 ? `${ts}000` : `${ts}${String(Math.floor(r() * 10000)).padStart(4, '0')}`], // 16 or 17 digits
    ['stream_type', r() < 0.5 ? '"REALTIME"' : '"SNAPSHOT"'],
  ];
}

const ODD: Record<string, readonly string[]> = {
  trade_price: [...ODD_DECIMALS, '-0', '0', '1e999', '1E-400', '123456789012345678', '0.1234567890123456789', '1.5e+3', '-1'],
  trade_volume: [...ODD_DECIMALS, '-0', '1e999', '12345678901234567890123456789012345678901234567890123456789012345'],
  trade_timestamp: ODD_TIMESTAMPS,
  sequential_id: [...ODD_IDS, '17883351803770004', '99999999999999999999'],
  ask_bid: ['"ask"', '"BUY"', '"BID "', 'null', '1', '"\\u0041SK"'],
  code: ODD_STRINGS,
  type: ['"ticker"', '"orderbook"', '"Trade"', '"trad\\u0065"', 'null', '1'],
  timestamp: ODD_TIMESTAMPS,
  change: ODD_STRINGS,
};

function generatedFrame(r: () => number): string {
  let fields = tradeFields(r);
  if (r() < 0.3) shuffle(r, fields);
  const roll = r();
  if (roll < 0.3) {
    const f = pick(r, fields);
    fields = fields.map((g): Field => (g === f ? [g[0], pick(r, ODD[g[0]] ?? ['{}', '[]', '"x"'])] : g));
  } else if (roll < 0.5) fields = varyFields(r, fields);
  const text = objectText(fields);
  return r() < 0.15 ? damage(r, text) : text;
}

describe('upbit trade scanner = JSON.parse path', () => {
  test('generated frames, as text and as binary: same record or the same error, and the scanner reads most of them', () => {
    const { fast, slow, scan } = pair();
    const r = rng(0x0b17);
    let scanned = 0;
    let ok = 0;
    const N = 6000;
    for (let k = 0; k < N; k++) {
      const frame = generatedFrame(r);
      if (assertSame(fast, slow, frame, LOCAL).ok) ok++;
      if (scan(frame, LOCAL) !== undefined) scanned++;
      // Upbit sends its JSON in binary frames
      if (k % 10 === 0) {
        const a = fast.parse.bind(fast);
        const b = slow.parse.bind(slow);
        const bytes = Buffer.from(frame);
        let ra: unknown;
        let rb: unknown;
        try { ra = a(bytes, LOCAL); } catch (e) { ra = (e as Error).message; }
        try { rb = b(bytes, LOCAL); } catch (e) { rb = (e as Error).message; }
        assert.deepStrictEqual(ra, rb);
      }
    }
    assert.ok(ok > N * 0.5, `only ${ok} of ${N} generated frames were readable`);
    assert.ok(scanned > N * 0.4, `the scanner read only ${scanned} of ${N} generated frames`);
  });

  test('every odd value in every field, in both key orders', () => {
    const { fast, slow } = pair();
    const r = rng(13);
    const base = tradeFields(r);
    let compared = 0;
    for (let k = 0; k < base.length; k++) {
      for (const value of ODD[base[k]?.[0] ?? ''] ?? ['{}', '[]', '"x"', 'null']) {
        const fields = base.map((f, j): Field => (j === k ? [f[0], value] : f));
        for (const frame of [objectText(fields), objectText([...fields].reverse())]) {
          assertSame(fast, slow, frame, LOCAL);
          compared++;
        }
      }
    }
    assert.ok(compared > 200);
  });

  test('prices as JSON numbers are the very doubles JSON.parse gives, and ids past 2^53 keep their digits', () => {
    const { fast, scan } = pair();
    const r = rng(17);
    for (let k = 0; k < 3000; k++) {
      const price = numberText(r);
      const id = `1788335180377${String(k).padStart(4, '0')}`;
      const frame = `{"type":"trade","code":"KRW-BTC","trade_timestamp":1676965220395,"trade_price":${price},"trade_volume":${price},"ask_bid":"BID","sequential_id":${id}}`;
      const want = JSON.parse(price) as number;
      const got = scan(frame, LOCAL);
      if (!Number.isFinite(want)) continue;
      assert.ok(got !== undefined, frame);
      assert.ok(Object.is(got.price, want), `${price}: ${got.price} vs JSON.parse ${want}`);
      assert.equal(got.id, id);
      // the bare scanner above maps codes to themselves; the parser's maps KRW-BTC to BTC/KRW
      assert.deepStrictEqual(fast.parse(frame, LOCAL).records[0], { ...got, symbol: 'BTC/KRW' });
    }
  });

  test('real frames (../shared/conformance) and the fixtures', (t) => {
    const fixtures = resolve(repoRoot, 'test', 'fixtures', 'upbit');
    const files = existsSync(fixtures) ? readdirSync(fixtures).map((f) => join(fixtures, f)) : [];
    const real = ['trades', 'books'].flatMap((sub) => {
      const dir = join(CONFORMANCE, sub);
      return existsSync(dir) ? readdirSync(dir).filter((f) => /^upbit-.*\.jsonl$/.test(f)).map((f) => join(dir, f)) : [];
    });
    if (real.length === 0) t.diagnostic('no ../shared/conformance next to the checkout: real frames not compared (fixtures only)');
    let frames = 0;
    const { fast, slow } = pair();
    for (const path of [...files, ...real]) {
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
