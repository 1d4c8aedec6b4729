/**
 * Real captured order-book streams (provenance in ../shared/conformance/books/SOURCES.md) replayed by
 * each venue's rules, compared with the books derived from the venues' documented procedures, and
 * the broken variants (a line removed) detected at the line that breaks the sequence. The folder
 * lives outside the repository and is read in place; without it these tests are skipped with a note.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BookReplay } from '../../src/books/replay.js';
import { bookVenue } from '../../src/books/venues.js';
import { createAdapter } from '../../src/exchanges/index.js';
import type { Instrument, RestClient } from '../../src/exchanges/types.js';
import type { ExchangeId, Market } from '../../src/records.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIR = resolve(repoRoot, '..', 'shared', 'conformance', 'books');
const VENUES: Record<string, [ExchangeId, Market]> = {
  'binance-spot': ['binance', 'spot'], 'binance-futures': ['binance', 'futures'], 'bybit-spot': ['bybit', 'spot'],
  'bybit-linear': ['bybit', 'futures'], 'okx-spot': ['okx', 'spot'], 'okx-swap': ['okx', 'futures'], 'upbit-spot': ['upbit', 'spot'],
};

interface Expected {
  symbol?: string;
  bids?: [number, number][];
  asks?: [number, number][];
  bidsBase?: [number, number][];
  asksBase?: [number, number][];
  perCode?: Record<string, { symbol: string; bids: [number, number][]; asks: [number, number][] }>;
  valid: boolean;
  brokenAtLine?: number | null;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

async function instrumentsFor(exchange: ExchangeId, market: Market, path: string): Promise<Instrument[] | undefined> {
  if (!existsSync(path)) return undefined;
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { data?: unknown };
  const body = { code: '0', msg: '', data: raw.data ?? raw };
  const fromFile: RestClient = async () => ({ status: 200, headers: {}, body });
  return createAdapter(exchange, market).listInstruments(fromFile, 'http://instruments.file');
}

const streams = existsSync(DIR)
  ? readdirSync(DIR).filter((f) => f.endsWith('.jsonl') && VENUES[f.replace(/\.jsonl$/, '').replace(/\.(gap|raw)$/, '')] !== undefined).sort()
  : [];

describe('real order-book streams rebuild the expected book (../shared/conformance/books)', () => {
  if (streams.length === 0) {
    test('conformance books', (t) => t.skip('no ../shared/conformance/books next to the checkout: real book streams not checked'));
    return;
  }
  for (const file of streams) {
    const base = file.replace(/\.jsonl$/, '');
    const key = base.replace(/\.(gap|raw)$/, '');
    const [exchange, market] = VENUES[key] as [ExchangeId, Market];
    test(base, async () => {
      const want = JSON.parse(readFileSync(join(DIR, `${base}.expected.json`), 'utf8')) as Expected;
      const instruments = await instrumentsFor(exchange, market, join(DIR, `${key}.instrument.json`));
      const snapshotPath = join(DIR, `${key}.snapshot.json`);
      const snapshot: unknown = existsSync(snapshotPath) ? JSON.parse(readFileSync(snapshotPath, 'utf8')) : undefined;
      const replay = new BookReplay(bookVenue(exchange, market), { ...(instruments ? { instruments } : {}), ...(snapshot !== undefined ? { snapshot } : {}) });
      const problems: string[] = [];
      readFileSync(join(DIR, file), 'utf8').split('\n').forEach((line, k) => {
        if (line.trim() === '') return;
        for (const p of replay.line(line)) problems.push(`line ${k + 1}: ${p}`);
      });
      assert.equal(replay.malformed, 0, `a real frame was refused: ${problems.join('; ')}`);
      if (want.valid) assert.deepEqual(problems, [], `${base} is a whole stream: no break expected`);
      else {
        assert.equal(replay.breaks, 1, `${base}: one break expected, got ${problems.join('; ')}`);
        assert.match(problems[0] ?? '', new RegExp(`^line ${want.brokenAtLine}: `), `${base}: the break is at line ${want.brokenAtLine}`);
      }
      const books = replay.books(10);
      const expectations = want.perCode
        ? Object.values(want.perCode)
        : [{ symbol: want.symbol as string, bids: want.bidsBase ?? want.bids ?? [], asks: want.asksBase ?? want.asks ?? [] }];
      for (const w of expectations) {
        const got = books.find((b) => b.symbol === w.symbol);
        assert.ok(got, `${base}: no book for ${w.symbol}`);
        for (const side of ['bids', 'asks'] as const) {
          const g: [number, number][] = got[side];
          const e = w[side].slice(0, 10);
          assert.equal(g.length, e.length, `${base} ${side}: ${g.length} levels, want ${e.length}`);
          e.forEach(([p, a], i) => {
            const level = g[i] as [number, number];
            assert.ok(close(level[0], p) && close(level[1], a), `${base} ${side}[${i}] got ${JSON.stringify(level)} want ${JSON.stringify([p, a])}`);
          });
        }
      }
    });
  }
});
