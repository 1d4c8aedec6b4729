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

  const inverse = join(DIR, 'quirks', 'bybit-inverse-delta.jsonl');
  test('Bybit inverse tickers (tardis, 2023): each delta is the snapshot with the delta merged in', (t) => {
    if (!existsSync(inverse)) return t.skip('no bybit-inverse-delta.jsonl next to the checkout: not checked');
    const parser = createAdapter('bybit', 'futures').createParser();
    const merged = new Map<string, Record<string, unknown>>();
    let deltas = 0;
    for (const line of lines(inverse)) {
      const frame = JSON.parse(line) as { type: string; ts: number; data: Record<string, string> };
      const wire = frame.type === 'snapshot' ? { ...frame.data } : { ...merged.get(frame.data.symbol!), ...frame.data };
      merged.set(frame.data.symbol!, wire);
      if (frame.type === 'delta') deltas++;
      const records = parser.parse(line, LOCAL).records;
      assert.equal(records.length, 1, line.slice(0, 80));
      const r = records[0] as MarketRecord & { type: 'ticker' };
      assert.equal(r.type, 'ticker');
      assert.equal(r.timestamp, frame.ts);
      // every field the delta left out keeps the value the venue sent before
      assert.deepEqual([r.last, r.bid, r.bidSize, r.ask, r.askSize, r.high24h, r.low24h, r.volume24h], ['lastPrice', 'bid1Price', 'bid1Size', 'ask1Price', 'ask1Size', 'highPrice24h', 'lowPrice24h', 'volume24h'].map((k) => Number(wire[k])));
    }
    assert.ok(deltas > 0, 'the file holds deltas');
  });

  const early = join(DIR, 'quirks', 'binance-futures-2019-aggtrade.jsonl');
  test('Binance USDⓈ-M 2019 frames: the @trade frame is a trade; an aggTrade without `a` is refused in one line, never a record without an id', (t) => {
    if (!existsSync(early)) return t.skip('no binance-futures-2019-aggtrade.jsonl next to the checkout: not checked');
    const parser = createAdapter('binance', 'futures').createParser();
    for (const line of lines(early)) {
      const data = (JSON.parse(line) as { data: { e: string; t?: number } }).data;
      if (data.e === 'aggTrade') {
        assert.throws(() => parser.parse(line, LOCAL), (e: Error) => /\ba\b/.test(e.message) && !e.message.includes('\n'));
      } else {
        const records = parser.parse(line, LOCAL).records;
        assert.equal(records.length, 1);
        assert.equal(records[0]!.type, 'trade');
        assert.equal((records[0] as MarketRecord & { id: string }).id, String(data.t));
      }
    }
  });
});
