/**
 * The OKX trades scanner (fast path) against the JSON.parse path: real frames, the repo's
 * fixtures and thousands of generated variants give the same records or the same error through
 * both (SWAP sizes × ctVal included); and the scanner really reads the common frames.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdapter } from '../../src/exchanges/index.js';
import { createOkxParser } from '../../src/exchanges/okx/parser.js';
import { createOkxTradeScanner, type OkxTradeScanner } from '../../src/exchanges/okx/fast-trade.js';
import { contractTable } from '../../src/exchanges/okx/trades.js';
import { newTrade, type Instrument, type RestClient } from '../../src/exchanges/types.js';
import type { Market, MarketRecord } from '../../src/records.js';
import {
  ODD_DECIMALS, ODD_STRINGS, ODD_TIMESTAMPS, assertSame, damage, decimalValue, objectText, pick, rng, shuffle, timestampValue, varyFields, type Field,
} from './support/fast-path-diff.js';

const LOCAL = 1_690_000_099_999;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONFORMANCE = resolve(repoRoot, '..', 'shared', 'conformance');

const instruments: Instrument[] = [
  { symbol: 'BTC/USDT', nativeId: 'BTC-USDT', base: 'BTC', quote: 'USDT', active: true },
  // a SPOT instrument with a contract size (OKX lists none): SPOT sizes stay base units all the same
  { symbol: 'ETH/USDT', nativeId: 'ETH-USDT', base: 'ETH', quote: 'USDT', active: true, contractSize: 0.1 },
  { symbol: 'BTC/USDT:USDT', nativeId: 'BTC-USDT-SWAP', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true, contractSize: 0.01 },
  { symbol: 'ETH/USDT:USDT', nativeId: 'ETH-USDT-SWAP', base: 'ETH', quote: 'USDT', settle: 'USDT', active: true, contractSize: 0.1 },
  { symbol: 'BTC/USD:BTC', nativeId: 'BTC-USD-SWAP', base: 'BTC', quote: 'USD', settle: 'BTC', active: true, contractSize: 100 },
];

function pair(market: Market, list: Instrument[] | undefined = instruments) {
  return {
    fast: createOkxParser(market, list),
    slow: createOkxParser(market, list, { fastPath: false }),
    scan: textScanner(createOkxTradeScanner(market, (id) => id, contractTable(list))),
  };
}

/** the byte scanner asked about a frame given as text (its UTF-8 bytes, alone in their buffer): its records, or undefined */
function textScanner(scanner: OkxTradeScanner): (text: string, local: number) => { records: MarketRecord[] } | undefined {
  return (text, local) => {
    const bytes = Buffer.from(text);
    const records: MarketRecord[] = [];
    return scanner(bytes, 0, bytes.length, local, records, newTrade) ? { records } : undefined;
  };
}

const INST: Record<Market, string[]> = {
  spot: ['BTC-USDT', 'ETH-USDT', '币安-USDT'],
  // XRP-USDT-SWAP has no contract size: both paths must refuse its trades
  futures: ['BTC-USDT-SWAP', 'ETH-USDT-SWAP', 'BTC-USD-SWAP', 'XRP-USDT-SWAP'],
};

function rowFields(r: () => number, instId: string): Field[] {
  const fields: Field[] = [
    ['instId', JSON.stringify(instId)],
    ['tradeId', `"${Math.floor(r() * 1e10)}"`],
    ['px', `"${(r() * 100000).toFixed(pick(r, [1, 2, 4]))}"`],
    ['sz', `"${pick(r, [(r() * 10).toFixed(pick(r, [3, 8])), String(1 + Math.floor(r() * 500))])}"`],
    ['side', r() < 0.5 ? '"buy"' : '"sell"'],
    ['ts', `"${1_690_000_000_000 + Math.floor(r() * 1e8)}"`],
  ];
  if (r() < 0.5) fields.push(['count', `"${1 + Math.floor(r() * 5)}"`]);
  return fields;
}

function oddValue(r: () => number, key: string): string {
  switch (key) {
    case 'px': case 'sz': return r() < 0.5 ? pick(r, ODD_DECIMALS) : decimalValue(r);
    case 'ts': return pick(r, [...ODD_TIMESTAMPS, '"0"', '"1690000000120.0"', '"01690000000120"', '"1690000000120000"', '" 1690000000120"', timestampValue(r)]);
    case 'side': return pick(r, ['"Buy"', '"SELL"', '"buy "', 'null', '1', '"\\u0062uy"']);
    case 'tradeId': return pick(r, ['""', `"${'x'.repeat(129)}"`, `"${'x'.repeat(128)}"`, '123', '9007199254740993', '-1', 'null', ...ODD_STRINGS]);
    case 'instId': return pick(r, ['"ETH-USDT"', '"BTC-USDT "', 'null', '"BTC\\u002dUSDT"', '1', '""']);
    default: return pick(r, ['{}', '[]', '"x"', '1e5', '{"a":[1]}']);
  }
}

function argText(r: () => number, channel: string, instId: string): string {
  const fields: Field[] = [['channel', JSON.stringify(channel)], ['instId', JSON.stringify(instId)]];
  if (r() < 0.1) fields.push(['uid', '"77"']);
  if (r() < 0.2) shuffle(r, fields);
  return objectText(fields);
}

function frameText(r: () => number, arg: string, rows: string[], order: number): string {
  const head: Field[] = [['arg', arg], ['data', `[${rows.join(',')}]`]];
  if (order === 1) head.reverse();
  return objectText(head);
}

function generatedFrame(r: () => number, market: Market): string {
  const instId = pick(r, INST[market]);
  const count = pick(r, [1, 1, 2, 3, 10, 0]);
  const rows: string[] = [];
  const roll = r();
  const odd = Math.floor(r() * Math.max(count, 1));
  for (let k = 0; k < count; k++) {
    let fields = rowFields(r, instId);
    if (r() < 0.3) shuffle(r, fields);
    if (k === odd && roll < 0.3) {
      const f = pick(r, fields);
      fields = fields.map((g): Field => (g === f ? [g[0], oddValue(r, g[0])] : g));
    } else if (k === odd && roll < 0.5) fields = varyFields(r, fields);
    rows.push(r() < 0.03 ? pick(r, ['null', '[]', '1', '{}']) : objectText(fields));
  }
  const arg = r() < 0.9 ? argText(r, 'trades', instId) : pick(r, [argText(r, 'tickers', instId), argText(r, 'trades', ''), argText(r, 'trades-all', instId), '{"channel":"trades"}', '{"instId":"BTC-USDT"}', 'null', '"trades"']);
  let text = frameText(r, arg, rows, r() < 0.1 ? 1 : 0);
  if (r() < 0.05) text = text.replace('{', '{"event":"x",');
  return r() < 0.15 ? damage(r, text) : text;
}

describe('okx trades scanner = JSON.parse path', () => {
  test('generated frames: same records or the same error, and the scanner reads most of them', () => {
    for (const market of ['spot', 'futures'] as const) {
      const { fast, slow, scan } = pair(market);
      const r = rng(market === 'spot' ? 0x0c51 : 0x0c52);
      let scanned = 0;
      let ok = 0;
      const N = 5000;
      for (let k = 0; k < N; k++) {
        const frame = generatedFrame(r, market);
        if (assertSame(fast, slow, frame, LOCAL).ok) ok++;
        if (scan(frame, LOCAL) !== undefined) scanned++;
      }
      assert.ok(ok > N * 0.35, `${market}: only ${ok} of ${N} generated frames were readable`);
      assert.ok(scanned > N * 0.3, `${market}: the scanner read only ${scanned} of ${N} generated frames`);
    }
  });

  test('every odd value in every row field, first or last of three rows, spot and swap', () => {
    let compared = 0;
    for (const [market, instId] of [['spot', 'BTC-USDT'], ['futures', 'BTC-USDT-SWAP'], ['futures', 'BTC-USD-SWAP']] as const) {
      const { fast, slow } = pair(market);
      const r = rng(9);
      const base = rowFields(r, instId);
      const odd: Record<string, readonly string[]> = {
        px: ODD_DECIMALS, sz: [...ODD_DECIMALS, '"-1"', '"-0.5"', '"1e2"', '"0.000000001"', '"123456789012345678901"'], ts: ODD_TIMESTAMPS,
        side: ['"Buy"', '"SELL"', '"buy "', 'null', '1', '"\\u0062uy"'], count: ODD_STRINGS,
        tradeId: ['""', `"${'x'.repeat(129)}"`, `"${'x'.repeat(128)}"`, '123', '9007199254740993', '-1', ...ODD_STRINGS],
        instId: ['"ETH-USDT"', '"BTC-USDT "', 'null', '"BTC\\u002dUSDT"', '1', '""', `"${instId}x"`],
      };
      for (let k = 0; k < base.length; k++) {
        for (const value of odd[base[k]?.[0] ?? ''] ?? []) {
          const bad = objectText(base.map((f, j): Field => (j === k ? [f[0], value] : f)));
          const good = objectText(rowFields(r, instId));
          for (const rows of [[bad, good, good], [good, good, bad]]) {
            assertSame(fast, slow, frameText(r, argText(r, 'trades', instId), rows, 0), LOCAL);
            compared++;
          }
        }
      }
    }
    assert.ok(compared > 300);
  });

  test('plain frames, spot and swap (sizes × ctVal), are read by the scanner', () => {
    const r = rng(5);
    for (const [market, instId] of [['spot', 'BTC-USDT'], ['spot', 'ETH-USDT'], ['futures', 'BTC-USDT-SWAP'], ['futures', 'BTC-USD-SWAP']] as const) {
      const { fast, slow, scan } = pair(market);
      for (const count of [0, 1, 2, 50, 500]) {
        const rows = Array.from({ length: count }, () => objectText(rowFields(r, instId)));
        const frame = frameText(r, argText(r, 'trades', instId), rows, 0);
        assert.equal(scan(frame, LOCAL)?.records.length, count, frame.slice(0, 200));
        assert.ok(assertSame(fast, slow, frame, LOCAL).ok);
      }
    }
  });

  test('a frame read in place, inside a larger buffer, is read as when alone; a frame not taken appends nothing', () => {
    for (const market of ['spot', 'futures'] as const) {
      const scanner = createOkxTradeScanner(market, (id) => id, contractTable(instruments));
      const r = rng(market === 'spot' ? 0x51 : 0x52);
      let read = 0;
      for (let k = 0; k < 2000; k++) {
        const frame = generatedFrame(r, market);
        const alone = textScanner(scanner)(frame, LOCAL);
        const before = Buffer.from(pick(r, ['', '\x81\x7e', '}', '"', '12']), 'latin1');
        const after = Buffer.from(pick(r, ['', '}', '"}', '0123', ',"x":1}', ']}']), 'latin1');
        const bytes = Buffer.concat([before, Buffer.from(frame), after]);
        const held: MarketRecord[] = [];
        const taken = scanner(bytes, before.length, bytes.length - after.length, LOCAL, held, newTrade);
        assert.deepStrictEqual(taken ? { records: held } : undefined, alone, frame);
        if (!taken) assert.equal(held.length, 0, `appended on a frame not taken: ${frame}`);
        if (alone !== undefined) read++;
      }
      assert.ok(read > 500, `${market}: only ${read} frames read`);
    }
  });

  test('real frames (../shared/conformance) and the fixtures', async (t) => {
    const fixtures = resolve(repoRoot, 'test', 'fixtures', 'okx');
    const files = existsSync(fixtures) ? readdirSync(fixtures).map((f) => join(fixtures, f)) : [];
    const real = ['trades', 'books'].flatMap((sub) => {
      const dir = join(CONFORMANCE, sub);
      return existsSync(dir) ? readdirSync(dir).filter((f) => /^okx-.*\.jsonl$/.test(f)).map((f) => join(dir, f)) : [];
    });
    if (real.length === 0) t.diagnostic('no ../shared/conformance next to the checkout: real frames not compared (fixtures only)');
    let frames = 0;
    for (const path of [...files, ...real]) {
      const market: Market = path.includes('spot') ? 'spot' : 'futures';
      const listed = path.replace(/\.jsonl$/, '.instruments.json');
      let list: Instrument[] | undefined = instruments;
      if (listed !== path && existsSync(listed)) {
        const body: unknown = JSON.parse(readFileSync(listed, 'utf8'));
        const fromFile: RestClient = async () => ({ status: 200, headers: {}, body });
        list = await createAdapter('okx', market).listInstruments(fromFile, 'http://instruments.file');
      }
      const { fast, slow } = pair(market, list);
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
