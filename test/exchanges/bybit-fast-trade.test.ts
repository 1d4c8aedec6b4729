/**
 * The Bybit publicTrade scanner (fast path) against the JSON.parse path: real frames, the repo's
 * fixtures and thousands of generated variants give the same records or the same error through
 * both; and the scanner really reads the common frames.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBybitParser } from '../../src/exchanges/bybit/parser.js';
import { createBybitTradeScanner } from '../../src/exchanges/bybit/fast-trade.js';
import type { Instrument } from '../../src/exchanges/types.js';
import type { Market } from '../../src/records.js';
import {
  ODD_DECIMALS, ODD_STRINGS, ODD_TIMESTAMPS, assertSame, damage, decimalValue, objectText, pick, rng, shuffle, timestampValue, varyFields, type Field,
} from './support/fast-path-diff.js';

const LOCAL = 1_690_000_099_999;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONFORMANCE = resolve(repoRoot, '..', 'shared', 'conformance');

const instruments: Instrument[] = [{ symbol: 'BTC/USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', active: true }];

function pair(market: Market) {
  return {
    fast: createBybitParser(market, instruments),
    slow: createBybitParser(market, instruments, { fastPath: false }),
    scan: createBybitTradeScanner(market, (id) => id),
  };
}

const NATIVE = ['BTCUSDT', 'ETHUSDT', '1000PEPEUSDT', '币安人生USDT'];

function entryFields(r: () => number, nativeId: string): Field[] {
  const fields: Field[] = [
    ['T', String(1_690_000_000_000 + Math.floor(r() * 1e8))],
    ['s', JSON.stringify(nativeId)],
    ['S', r() < 0.5 ? '"Buy"' : '"Sell"'],
    ['v', `"${(r() * 10).toFixed(pick(r, [3, 6]))}"`],
    ['p', `"${(r() * 100000).toFixed(pick(r, [1, 2, 4]))}"`],
    ['L', '"PlusTick"'],
    ['i', r() < 0.5 ? `"${Math.floor(r() * 1e18)}"` : '"20f43950-d8dd-5b31-9112-a178eb6023af"'],
    ['BT', 'false'],
  ];
  if (r() < 0.5) fields.push(['seq', String(Math.floor(r() * 1e10))]);
  return fields;
}

function oddValue(r: () => number, key: string): string {
  switch (key) {
    case 'p': case 'v': return r() < 0.5 ? pick(r, ODD_DECIMALS) : decimalValue(r);
    case 'T': return r() < 0.5 ? pick(r, ODD_TIMESTAMPS) : timestampValue(r);
    case 'S': return pick(r, ['"buy"', '"BUY"', '"Sell "', 'null', '1', '"\\u0042uy"']);
    case 'i': return pick(r, ['""', `"${'x'.repeat(129)}"`, `"${'x'.repeat(128)}"`, '123', '9007199254740993', '-1', 'null', '"a\\"b"', ...ODD_STRINGS]);
    case 's': return pick(r, ['"ETHUSDT"', '"BTCUSDT "', '"BTCUSD"', 'null', '"BTC\\u0055SDT"', '1']);
    default: return pick(r, ['{}', '[]', '"x"', '1e5', '{"a":[1]}']);
  }
}

function frameText(r: () => number, topic: string, entries: string[], order: number): string {
  const head: Field[] = [['topic', JSON.stringify(topic)], ['type', '"snapshot"'], ['ts', String(1_690_000_000_000 + Math.floor(r() * 1e8))], ['data', `[${entries.join(',')}]`]];
  if (order === 1) shuffle(r, head);
  return objectText(head);
}

function generatedFrame(r: () => number): string {
  const nativeId = pick(r, NATIVE);
  const count = pick(r, [1, 1, 2, 3, 10, 0]);
  const entries: string[] = [];
  const roll = r();
  const odd = Math.floor(r() * Math.max(count, 1));
  for (let k = 0; k < count; k++) {
    let fields = entryFields(r, nativeId);
    if (r() < 0.3) shuffle(r, fields);
    if (k === odd && roll < 0.3) {
      const f = pick(r, fields);
      fields = fields.map((g): Field => (g === f ? [g[0], oddValue(r, g[0])] : g));
    } else if (k === odd && roll < 0.5) fields = varyFields(r, fields);
    entries.push(r() < 0.03 ? pick(r, ['null', '[]', '1', '{}']) : objectText(fields));
  }
  const topic = r() < 0.9 ? `publicTrade.${nativeId}` : pick(r, ['publicTrade.', 'publicTrade.BTC.', 'tickers.BTCUSDT', 'publictrade.BTCUSDT', 'publicTrade.A B', `publicTrade.${'X'.repeat(70)}`]);
  const text = frameText(r, topic, entries, r() < 0.2 ? 1 : 0);
  return r() < 0.15 ? damage(r, text) : text;
}

describe('bybit publicTrade scanner = JSON.parse path', () => {
  test('generated frames: same records or the same error, and the scanner reads most of them', () => {
    for (const market of ['spot', 'futures'] as const) {
      const { fast, slow, scan } = pair(market);
      const r = rng(market === 'spot' ? 0xb1b1 : 0xb2b2);
      let scanned = 0;
      let ok = 0;
      const N = 5000;
      for (let k = 0; k < N; k++) {
        const frame = generatedFrame(r);
        if (assertSame(fast, slow, frame, LOCAL).ok) ok++;
        if (scan(frame, LOCAL) !== undefined) scanned++;
      }
      assert.ok(ok > N * 0.4, `${market}: only ${ok} of ${N} generated frames were readable`);
      assert.ok(scanned > N * 0.35, `${market}: the scanner read only ${scanned} of ${N} generated frames`);
    }
  });

  test('every odd value in every entry field, first or last of three entries', () => {
    const { fast, slow } = pair('futures');
    const r = rng(3);
    const odd: Record<string, readonly string[]> = {
      p: ODD_DECIMALS, v: ODD_DECIMALS, T: ODD_TIMESTAMPS, L: ODD_STRINGS, BT: ODD_STRINGS, seq: ODD_TIMESTAMPS,
      S: ['"buy"', '"BUY"', '"Sell "', 'null', '1', '"\\u0042uy"', '"Buy"'],
      i: ['""', `"${'x'.repeat(129)}"`, `"${'x'.repeat(128)}"`, '123', '9007199254740993', '-1', ...ODD_STRINGS],
      s: ['"ETHUSDT"', '"BTCUSDT "', '"BTCUSD"', '"BTCUSDTT"', 'null', '"BTC\\u0055SDT"', '1', '""'],
    };
    let compared = 0;
    const base = entryFields(r, 'BTCUSDT');
    for (let k = 0; k < base.length; k++) {
      for (const value of odd[base[k]?.[0] ?? ''] ?? []) {
        const bad = objectText(base.map((f, j): Field => (j === k ? [f[0], value] : f)));
        const good = objectText(entryFields(r, 'BTCUSDT'));
        for (const entries of [[bad, good, good], [good, good, bad]]) {
          assertSame(fast, slow, frameText(r, 'publicTrade.BTCUSDT', entries, 0), LOCAL);
          compared++;
        }
      }
    }
    assert.ok(compared > 200);
  });

  test('plain frames of 1 to 1,000 trades are read by the scanner', () => {
    const { fast, slow, scan } = pair('spot');
    const r = rng(5);
    for (const count of [0, 1, 2, 50, 1000]) {
      const entries = Array.from({ length: count }, () => objectText(entryFields(r, 'BTCUSDT')));
      const frame = frameText(r, 'publicTrade.BTCUSDT', entries, 0);
      assert.equal(scan(frame, LOCAL)?.records.length, count);
      const result = assertSame(fast, slow, frame, LOCAL);
      assert.ok(result.ok);
    }
  });

  test('real frames (../shared/conformance) and the fixtures', (t) => {
    const fixtures = resolve(repoRoot, 'test', 'fixtures', 'bybit');
    const files = existsSync(fixtures) ? readdirSync(fixtures).map((f) => join(fixtures, f)) : [];
    const real = ['trades', 'books'].flatMap((sub) => {
      const dir = join(CONFORMANCE, sub);
      return existsSync(dir) ? readdirSync(dir).filter((f) => /^bybit-.*\.jsonl$/.test(f)).map((f) => join(dir, f)) : [];
    });
    if (real.length === 0) t.diagnostic('no ../shared/conformance next to the checkout: real frames not compared (fixtures only)');
    let frames = 0;
    for (const path of [...files, ...real]) {
      const market: Market = path.includes('spot') ? 'spot' : 'futures';
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
