/**
 * Real captured order-book streams (provenance in ../shared/conformance/books/SOURCES.md) replayed by
 * each venue's rules, compared with the books derived from the venues' documented procedures, and
 * the broken variants (a line removed) detected at the line that breaks the sequence; the quirks
 * (a Bybit 50-level book, Upbit's SIMPLE format and exponent numbers) rebuilt too; and, as evidence
 * from outside our own rules, the rebuilt books' best levels checked against the venues' own best bid
 * and ask sent on the same connections (Binance bookTicker, Bybit tickers). The folder
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

/** a real stream replayed line by line; `after` sees the replay after each line (1-based line numbers) */
function replayFile(path: string, exchange: ExchangeId, market: Market, snapshot: unknown, after: (replay: BookReplay, line: string, n: number) => void = () => {}): BookReplay {
  const replay = new BookReplay(bookVenue(exchange, market), snapshot === undefined ? {} : { snapshot });
  readFileSync(path, 'utf8').split('\n').forEach((line, k) => {
    if (line.trim() === '') return;
    const problems = replay.line(line);
    assert.deepEqual(problems, [], `${path} line ${k + 1}`);
    after(replay, line, k + 1);
  });
  return replay;
}

const QUIRKS = join(DIR, 'quirks');

describe('real book frames outside the main set (../shared/conformance/books/quirks)', () => {
  if (!existsSync(QUIRKS)) {
    test('book quirks', (t) => t.skip('no ../shared/conformance/books/quirks next to the checkout: not checked'));
    return;
  }
  const cases: Array<[string, ExchangeId, Market]> = [['bybit-linear.ob50', 'bybit', 'futures'], ['upbit-spot.simple', 'upbit', 'spot']];
  for (const [base, exchange, market] of cases) {
    test(`${base}: the expected book`, (t) => {
      if (!existsSync(join(QUIRKS, `${base}.jsonl`))) return t.skip(`no ${base}.jsonl`);
      const want = JSON.parse(readFileSync(join(QUIRKS, `${base}.expected.json`), 'utf8')) as Expected;
      const got = replayFile(join(QUIRKS, `${base}.jsonl`), exchange, market, undefined).books(10).find((b) => b.symbol === want.symbol);
      assert.ok(got, `no book for ${want.symbol}`);
      for (const side of ['bids', 'asks'] as const) {
        const e = (want[side] ?? []).slice(0, 10);
        assert.equal(got[side].length, e.length, `${side} levels`);
        e.forEach(([p, a], i) => assert.ok(close(got[side][i]![0], p) && close(got[side][i]![1], a), `${side}[${i}] got ${JSON.stringify(got[side][i])} want ${JSON.stringify([p, a])}`));
      }
    });
  }
  test('upbit-spot.exponent: numbers in exponent form (1.16539E8, 7.9276E-4) read as numbers, in both formats', (t) => {
    const path = join(QUIRKS, 'upbit-spot.exponent.jsonl');
    if (!existsSync(path)) return t.skip('no upbit-spot.exponent.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
    replayFile(path, 'upbit', 'spot', undefined, (replay, line) => {
      // every frame is the whole book: the replayed top equals the frame's own units, read by JSON.parse
      const frame = JSON.parse(line) as { orderbook_units?: Array<Record<string, number>>; obu?: Array<Record<string, number>> };
      const units = frame.orderbook_units ?? frame.obu ?? [];
      const long = frame.orderbook_units !== undefined;
      const book = replay.books(units.length)[0];
      assert.ok(book, 'a book after a whole-book frame');
      units.forEach((u, i) => {
        assert.deepEqual(book.bids[i], [u[long ? 'bid_price' : 'bp'], u[long ? 'bid_size' : 'bs']]);
        assert.deepEqual(book.asks[i], [u[long ? 'ask_price' : 'ap'], u[long ? 'ask_size' : 'as']]);
      });
    });
    assert.ok(lines.length > 0);
  });
});

const CROSS = join(DIR, 'crosscheck');

describe('rebuilt books agree with the venues\' own best bid and ask on the same connection (../shared/conformance/books/crosscheck)', () => {
  if (!existsSync(CROSS)) {
    test('book crosscheck', (t) => t.skip('no ../shared/conformance/books/crosscheck next to the checkout: not checked'));
    return;
  }
  for (const [key, market] of [['binance-spot', 'spot'], ['binance-futures', 'futures']] as const) {
    test(`${key}: bookTicker frames with the update id of an applied depth event equal the rebuilt book's best levels`, (t) => {
      const tickers = join(CROSS, `${key}.bookticker.jsonl`);
      if (!existsSync(tickers)) return t.skip(`no ${key}.bookticker.jsonl`);
      const snapshot: unknown = JSON.parse(readFileSync(join(DIR, `${key}.snapshot.json`), 'utf8'));
      const tops = new Map<number, { bid: [number, number]; ask: [number, number] }>();
      replayFile(join(DIR, `${key}.jsonl`), 'binance', market, snapshot, (replay) => {
        const book = replay.books(1)[0];
        const u = book && replay.sequence(book.symbol);
        if (book && u !== undefined && book.bids[0] && book.asks[0]) tops.set(u, { bid: book.bids[0], ask: book.asks[0] });
      });
      let compared = 0;
      for (const line of readFileSync(tickers, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        const d = (JSON.parse(line) as { data: { u: number; b: string; B: string; a: string; A: string } }).data;
        const top = tops.get(d.u);
        if (top === undefined) continue;
        compared++;
        assert.deepEqual(top, { bid: [Number(d.b), Number(d.B)], ask: [Number(d.a), Number(d.A)] }, `bookTicker u ${d.u}`);
      }
      assert.ok(compared > 0, 'no bookTicker frame shares an update id with an applied depth event');
    });
  }
  test('bybit-linear: each tickers frame\'s bid1Price and ask1Price equal the rebuilt book\'s best prices as of the last orderbook seq <= its cs', (t) => {
    const tickers = join(CROSS, 'bybit-linear.tickers.jsonl');
    if (!existsSync(tickers)) return t.skip('no bybit-linear.tickers.jsonl');
    const bySeq: Array<{ seq: number; bid: number; ask: number }> = [];
    replayFile(join(DIR, 'bybit-linear.jsonl'), 'bybit', 'futures', undefined, (replay, line) => {
      const seq = (JSON.parse(line) as { data?: { seq?: number } }).data?.seq;
      const book = replay.books(1)[0];
      if (typeof seq === 'number' && book?.bids[0] && book.asks[0]) bySeq.push({ seq, bid: book.bids[0][0], ask: book.asks[0][0] });
    });
    let compared = 0;
    // a tickers delta carries only the fields that changed: the ticker is the snapshot with every delta merged in
    let bid1: string | undefined;
    let ask1: string | undefined;
    for (const line of readFileSync(tickers, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const f = JSON.parse(line) as { cs?: number; data?: { bid1Price?: string; ask1Price?: string } };
      bid1 = f.data?.bid1Price ?? bid1;
      ask1 = f.data?.ask1Price ?? ask1;
      if (f.cs === undefined || bid1 === undefined || ask1 === undefined) continue;
      const cs = f.cs;
      const at = bySeq.filter((b) => b.seq <= cs).at(-1);
      if (at === undefined) continue;
      compared++;
      assert.deepEqual([at.bid, at.ask], [Number(bid1), Number(ask1)], `tickers cs ${cs}`);
    }
    assert.ok(compared > 0, 'no tickers frame falls inside the rebuilt book\'s sequence');
  });
});
