/**
 * Scripted runs that keep books: one short book scenario end to end (books sampled against the
 * simulator's true book, faults noticed as resyncs, every book live at the end, the report's book
 * line), and the book expectations judged on their own (a mismatch, books not live, books that
 * could not be read all fail the run).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatReport } from '../../src/cli/commands/simulate.js';
import { parseScenario } from '../../src/scenario/index.js';
import { emptyComparison } from '../../src/simulate/compare.js';
import { judge, type RunOutcome } from '../../src/simulate/expectations.js';
import { runScenario } from '../../src/simulate/run-scenario.js';

const bookScenario = (expect: Record<string, unknown> = {}) =>
  parseScenario({
    name: 'books-short',
    seed: 5,
    durationMs: 2500,
    tradesPerSecond: 20,
    venues: [
      { exchange: 'binance', market: 'spot', symbols: ['BTC/USDT'] },
      { exchange: 'okx', market: 'spot', symbols: ['BTC/USDT'] },
    ],
    tickvisor: { channels: ['trade', 'book'], bookDepth: 5 },
    faults: [
      { at: 600, kind: 'book-drop', exchange: 'binance', count: 1 },
      { at: 1200, kind: 'book-checksum', count: 1 },
    ],
    settleTimeoutMs: 20_000,
    expect: { lost: 0, duplicated: 0, books: { liveAtEnd: true, minResyncs: 2 }, ...expect },
  });

describe('a scenario keeping books, end to end', () => {
  test('sampled books equal the true book, both faults cause a resync, every book is live at the end', async () => {
    const report = await runScenario(bookScenario());
    const book = report.book;
    assert.ok(book, 'the report has a book section');
    assert.ok(book.samples >= 2 * 20, `${book.samples} samples`);
    assert.ok(book.compared > book.samples / 2, `${book.compared} of ${book.samples} compared`);
    assert.equal(book.mismatched, 0, JSON.stringify(book.mismatch));
    assert.ok(book.resyncs >= 2, `${book.resyncs} resyncs`);
    assert.deepEqual(book.notLiveAtEnd, []);
    assert.ok(report.ok, report.expectations.filter((e) => !e.ok).map((e) => e.detail).join('; '));
    assert.match(formatReport(report), /\n {2}book {7}\d+ samples \(\d+ compared, \d+ past the simulator's history\), 0 mismatched, \d+ resyncs, \d+ ms unsynced\n/);
    const json = JSON.parse(JSON.stringify(report)) as { book: Record<string, unknown> };
    assert.deepEqual(Object.keys(json.book).sort(), ['compared', 'mismatched', 'notLiveAtEnd', 'resyncs', 'samples', 'skipped', 'unsyncedMs']);
  });

  test('a collector killed mid-run (a child process) still has its books sampled, across the kill', async () => {
    const report = await runScenario(bookScenario({ books: { liveAtEnd: true } }), { collectorProcess: 'child' });
    // the same scenario with a kill of the collector process between its two faults
    const killed = await runScenario(
      parseScenario({
        name: 'books-killed',
        seed: 6,
        durationMs: 2500,
        tradesPerSecond: 20,
        venues: [{ exchange: 'binance', market: 'spot', symbols: ['BTC/USDT'] }],
        tickvisor: { channels: ['trade', 'book'], bookDepth: 5 },
        faults: [{ at: 800, kind: 'kill-collector', durationMs: 300 }],
        settleTimeoutMs: 20_000,
        expect: { lost: 0, duplicated: 0, books: { liveAtEnd: true } },
      }),
    );
    for (const r of [report, killed]) {
      const book = r.book;
      assert.ok(book, 'the report has a book section');
      assert.ok(book.compared >= 5, `${r.scenario}: ${book.compared} of ${book.samples} compared`);
      assert.equal(book.mismatched, 0, JSON.stringify(book.mismatch));
      assert.deepEqual(book.notLiveAtEnd, []);
      assert.ok(r.ok, r.expectations.filter((e) => !e.ok).map((e) => e.detail).join('; '));
    }
    assert.equal(killed.collectorKills, 1);
    // while no process ran, the book was honestly not live
    assert.ok((killed.book?.unsyncedMs ?? 0) >= 300, `${killed.book?.unsyncedMs} ms unsynced`);
  });

  test('a scenario without books has no book section', async () => {
    const report = await runScenario(parseScenario({ name: 'trades', durationMs: 300, tradesPerSecond: 20, venues: [{ exchange: 'binance', market: 'spot', symbols: ['BTC/USDT'] }] }));
    assert.equal(report.book, undefined);
    assert.doesNotMatch(formatReport(report), /book/);
  });
});

describe('book expectations', () => {
  const endStatus = { coins: [], gapsSettled: true, committed: 0, auditedUntil: null, audit: { windows: 0, missing: 0, filled: 0, unfilled: 0 }, gaps: { detected: 0, merged: 0, filled: 0, unfilled: 0, backfilledTrades: 0 }, restarts: {}, recoveries: {} };
  const run = (book: Partial<NonNullable<RunOutcome['book']>>): RunOutcome => ({
    verdict: emptyComparison(),
    endStatus,
    alerts: 0,
    alertsByKind: {},
    expectedCoins: 0,
    book: { samples: 50, compared: 40, mismatched: 0, skipped: 0, resyncs: 2, unsyncedMs: 300, notLiveAtEnd: [], sampled: true, ...book },
  });
  const failed = (r: RunOutcome, expect: Record<string, unknown> = {}) =>
    judge(bookScenario(expect), r).filter((e) => !e.ok).map((e) => e.name);

  test('all held: nothing fails', () => {
    assert.deepEqual(failed(run({})), []);
  });

  test('a mismatch fails even when the scenario states nothing about books', () => {
    assert.deepEqual(failed(run({ mismatched: 1 }), { books: undefined }), ['books.mismatched']);
    assert.deepEqual(failed(run({ mismatched: 1 }), { books: { mismatched: 1 } }), []);
  });

  test('books not live at the end, too few resyncs, nothing compared, books not readable: each fails', () => {
    assert.deepEqual(failed(run({ notLiveAtEnd: ['okx:spot:BTC/USDT'] })), ['books.liveAtEnd']);
    assert.match(judge(bookScenario(), run({ notLiveAtEnd: ['okx:spot:BTC/USDT'] })).find((e) => e.name === 'books.liveAtEnd')!.detail, /okx:spot:BTC\/USDT/);
    assert.deepEqual(failed(run({ resyncs: 1 })), ['books.minResyncs']);
    assert.deepEqual(failed(run({ compared: 0 })), ['books.compared']);
    assert.deepEqual(failed(run({ samples: 0, compared: 0, resyncs: 0, sampled: false })), ['books.compared', 'books.liveAtEnd', 'books.minResyncs']);
  });
});
