/**
 * Real frames (third-party captures and exchange documentation examples, provenance in
 * ../shared/conformance/trades/SOURCES.md) through our parsers, compared with records derived by
 * hand from each exchange's documented field meanings. The folder lives outside the repository and
 * is read in place when it exists; without it these tests are skipped with a note.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdapter } from '../../src/exchanges/index.js';
import type { Instrument, RestClient } from '../../src/exchanges/types.js';
import { EXCHANGE_IDS, type ExchangeId, type Market, type MarketRecord } from '../../src/records.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIR = resolve(repoRoot, '..', 'shared', 'conformance', 'trades');
const LOCAL = 1_800_000_000_000;

const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');

/** numbers to 1e-12 relative, as the folder's own checker compares them */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  return a === b;
}

async function instrumentsFor(exchange: ExchangeId, market: Market, path: string): Promise<Instrument[] | undefined> {
  if (!existsSync(path)) return undefined;
  const body: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const fromFile: RestClient = async () => ({ status: 200, headers: {}, body });
  return createAdapter(exchange, market).listInstruments(fromFile, 'http://instruments.file');
}

const markets = existsSync(DIR) ? readdirSync(DIR).filter((f) => /^[a-z]+-(spot|futures)\.jsonl$/.test(f)).sort() : [];

describe('real venue frames parse to the expected records (../shared/conformance/trades)', () => {
  if (markets.length === 0) {
    test('conformance frames', (t) => t.skip('no ../shared/conformance/trades next to the checkout: real-frame conformance not checked'));
    return;
  }
  for (const file of markets) {
    const name = file.replace(/\.jsonl$/, '');
    const [exchange, market] = name.split('-') as [ExchangeId, Market];
    test(name, async () => {
      assert.ok(EXCHANGE_IDS.includes(exchange), `unknown exchange in ${file}`);
      const instruments = await instrumentsFor(exchange, market, join(DIR, `${name}.instruments.json`));
      const parser = createAdapter(exchange, market).createParser(instruments);
      const actual: MarketRecord[] = [];
      lines(join(DIR, file)).forEach((frame, k) => {
        // every frame is one the venue really sends: none may be refused as malformed
        assert.doesNotThrow(() => actual.push(...parser.parse(frame, LOCAL).records), `${file} line ${k + 1}`);
      });
      const expected = lines(join(DIR, `${name}.expected.jsonl`)).map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(actual.length, expected.length, `${name}: ${actual.length} records, want ${expected.length}`);
      expected.forEach((exp, k) => {
        const act = actual[k] as unknown as Record<string, unknown>;
        for (const [key, value] of Object.entries(exp)) {
          if (key === '_line') continue;
          assert.ok(same(act[key], value), `${name} record ${k + 1} (line ${String(exp._line)}): ${key} got ${JSON.stringify(act[key])}, want ${JSON.stringify(value)}`);
        }
      });
    });
  }
});

describe('real frames outside the main set (../shared/conformance/trades/quirks)', () => {
  const simple = join(DIR, 'quirks', 'upbit-simple.jsonl');
  test('Upbit SIMPLE-format trades (cryptofeed, 2021) parse as trades, every line', (t) => {
    if (!existsSync(simple)) return t.skip('no ../shared/conformance/trades/quirks next to the checkout: not checked');
    const parser = createAdapter('upbit', 'spot').createParser();
    const frames = lines(simple);
    const records = frames.flatMap((f) => parser.parse(f, LOCAL).records);
    assert.equal(records.length, frames.length);
    for (const r of records) {
      assert.equal(r.type, 'trade');
      assert.equal(r.symbol, 'LAMB/KRW');
    }
  });
});
