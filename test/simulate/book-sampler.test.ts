/**
 * The book sampler against a fake collector and a fake simulator: a wrong level is a mismatch
 * (with its example), a collector holding an older but then-true version is not, a book not live
 * is unsynced time, a version past the simulator's history is skipped, never judged.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BookLevelTuple, ExchangeId, Market } from '../../src/records.js';
import type { BookVersion, TrueBookAtView } from '../../src/sim/index.js';
import { BookSampler, formatBookReport, type SampledBook } from '../../src/simulate/book-sampler.js';

const BTC = { exchange: 'binance' as ExchangeId, market: 'spot' as Market, symbol: 'BTC/USDT' };
const KRW = { exchange: 'upbit' as ExchangeId, market: 'spot' as Market, symbol: 'BTC/KRW' };

/** a book whose best bid is `mid - 1` and best ask `mid`, sizes 1..depth */
function bookAround(mid: number, depth = 3): { bids: BookLevelTuple[]; asks: BookLevelTuple[] } {
  return {
    bids: Array.from({ length: depth }, (_, i): BookLevelTuple => [mid - 1 - i, i + 1]),
    asks: Array.from({ length: depth }, (_, i): BookLevelTuple => [mid + i, i + 1]),
  };
}

/** a simulator that knows the versions it was given: sequence → book, or time → book */
function fakeSim(versions: Record<string, { bids: BookLevelTuple[]; asks: BookLevelTuple[] }>) {
  const asked: BookVersion[] = [];
  return {
    asked,
    trueBookAt(_e: ExchangeId, _m: Market, _s: string, at: BookVersion, depth: number): TrueBookAtView | undefined {
      asked.push(at);
      const key = 'sequence' in at ? `s${at.sequence}` : `t${at.timestamp}`;
      const b = versions[key];
      return b && { bids: b.bids.slice(0, depth), asks: b.asks.slice(0, depth), updateId: 0, timestamp: 0 };
    },
  };
}

function fakeCollector() {
  const books = new Map<string, SampledBook | undefined>();
  const resyncs = new Map<string, number | undefined>();
  return {
    set(symbol: string, b: SampledBook | undefined) {
      books.set(symbol, b);
    },
    setResyncs(symbol: string, n: number | undefined) {
      resyncs.set(symbol, n);
    },
    book: (_e: ExchangeId, _m: Market, symbol: string) => books.get(symbol),
    bookCounters: (_e: ExchangeId, _m: Market, symbol: string) => {
      const n = resyncs.get(symbol);
      return n === undefined ? undefined : { resyncs: n };
    },
  };
}

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('book sampler', () => {
  test('a level that differs from the true book at the same version is a mismatch, with its example', () => {
    const c = clock();
    const truth = bookAround(100);
    const wrong = bookAround(100);
    wrong.bids[1] = [98, 7]; // level 2 of the bids: size 7, truly 2
    const collector = fakeCollector();
    collector.set('BTC/USDT', { ...wrong, timestamp: 5, sequence: 42, state: 'live' });
    const sampler = new BookSampler({ books: [BTC], depth: 3, collector, truth: fakeSim({ s42: truth }), now: c.now });
    c.advance(100);
    sampler.sample();
    const r = sampler.report();
    assert.equal(r.samples, 1);
    assert.equal(r.compared, 1);
    assert.equal(r.mismatched, 1);
    assert.deepEqual(r.mismatch, { ...BTC, sampledAt: c.now(), version: { sequence: 42 }, side: 'bid', level: 1, collector: [98, 7], truth: [98, 2] });
    assert.match(formatBookReport(r).join('\n'), /binance:spot:BTC\/USDT .*sequence 42\): bid level 2 collector 98 × 7, true 98 × 2/);
  });

  test('a shorter side is a mismatch at the first missing level', () => {
    const c = clock();
    const truth = bookAround(100);
    const collector = fakeCollector();
    collector.set('BTC/USDT', { bids: truth.bids, asks: truth.asks.slice(0, 2), timestamp: 5, sequence: 1, state: 'live' });
    const sampler = new BookSampler({ books: [BTC], depth: 3, collector, truth: fakeSim({ s1: truth }), now: c.now });
    sampler.sample();
    const m = sampler.report().mismatch;
    assert.equal(m?.side, 'ask');
    assert.equal(m?.level, 2);
    assert.equal(m?.collector, null);
  });

  test('a collector lagging behind holds an older version that was true then: compared, not a mismatch', () => {
    const c = clock();
    const old = bookAround(100);
    const now = bookAround(105); // the book moved on since
    const collector = fakeCollector();
    collector.set('BTC/USDT', { ...old, timestamp: 5, sequence: 7, state: 'live' });
    const sim = fakeSim({ s7: old, s9: now });
    const sampler = new BookSampler({ books: [BTC], depth: 3, collector, truth: sim, now: c.now });
    sampler.sample();
    assert.deepEqual(sim.asked, [{ sequence: 7 }], 'the true book is read at the collector’s own sequence');
    const r = sampler.report();
    assert.equal(r.compared, 1);
    assert.equal(r.mismatched, 0);
    assert.equal(r.mismatch, undefined);
  });

  test('a book not live (or not there yet) is unsynced time, not a mismatch, and is not compared', () => {
    const c = clock();
    const collector = fakeCollector();
    const sim = fakeSim({});
    const sampler = new BookSampler({ books: [BTC, KRW], depth: 3, collector, truth: sim, now: c.now });
    collector.set('BTC/USDT', { ...bookAround(100), timestamp: 5, sequence: 7, state: 'resyncing' });
    collector.set('BTC/KRW', undefined);
    c.advance(100);
    sampler.sample();
    collector.set('BTC/USDT', { ...bookAround(100), timestamp: 5, sequence: 7, state: 'syncing' });
    c.advance(250);
    sampler.sample();
    const r = sampler.report();
    assert.equal(r.samples, 4);
    assert.equal(r.compared, 0);
    assert.equal(r.mismatched, 0);
    assert.equal(r.unsyncedMs, 2 * (100 + 250), 'both books, both intervals');
    assert.deepEqual(sim.asked, []);
    assert.equal(sampler.allLive(), false);
    assert.deepEqual(sampler.notLive(), [BTC, KRW]);
  });

  test('a version no longer in the simulator’s history is skipped and counted, never judged', () => {
    const c = clock();
    const collector = fakeCollector();
    collector.set('BTC/USDT', { bids: [[1, 1]], asks: [[2, 1]], timestamp: 5, sequence: 3, state: 'live' });
    const sampler = new BookSampler({ books: [BTC], depth: 3, collector, truth: fakeSim({ s4: bookAround(100) }), now: c.now });
    sampler.sample();
    const r = sampler.report();
    assert.equal(r.skipped, 1);
    assert.equal(r.compared, 0);
    assert.equal(r.mismatched, 0);
    assert.equal(sampler.allLive(), true);
  });

  test('Upbit books (no ids) are compared at their time; resyncs are the highest count seen per book', () => {
    const c = clock();
    const b = bookAround(5000);
    const collector = fakeCollector();
    collector.set('BTC/KRW', { ...b, timestamp: 1234, state: 'live' });
    collector.setResyncs('BTC/KRW', 2);
    collector.setResyncs('BTC/USDT', 1);
    collector.set('BTC/USDT', undefined);
    const sim = fakeSim({ t1234: b });
    const sampler = new BookSampler({ books: [BTC, KRW], depth: 3, collector, truth: sim, now: c.now });
    sampler.sample();
    collector.setResyncs('BTC/KRW', undefined); // the collector is gone: what was seen stays counted
    collector.setResyncs('BTC/USDT', 3);
    sampler.sample();
    assert.deepEqual(sim.asked, [{ timestamp: 1234 }, { timestamp: 1234 }]);
    const r = sampler.report();
    assert.equal(r.compared, 2);
    assert.equal(r.mismatched, 0);
    assert.equal(r.resyncs, 2 + 3);
  });
});
