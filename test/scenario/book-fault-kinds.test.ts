/**
 * Scenarios with order books: the book fault kinds are accepted in a scenario whose collector keeps
 * books and reach the simulator unchanged; a bad kind, a book fault without books, a book fault
 * aimed where the simulator cannot play it, and book expectations without books are each refused
 * in one line naming the field.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TickvisorError } from '../../src/errors.js';
import { BOOK_FAULT_KINDS, FAULT_KINDS, parseScenario, scenarioBookDepth, scenarioCollectsBooks, toSimFault } from '../../src/scenario/index.js';
import type { SimScenarioFault } from '../../src/scenario/schema.js';

const base = (faults: unknown[], extra: Record<string, unknown> = {}) => ({
  name: 's',
  durationMs: 10_000,
  venues: [
    { exchange: 'binance', market: 'spot', symbols: ['BTC/USDT'] },
    { exchange: 'okx', market: 'spot', symbols: ['BTC/USDT'] },
  ],
  tickvisor: { channels: ['trade', 'book'], bookDepth: 5 },
  faults,
  ...extra,
});

function mistake(data: unknown): string {
  try {
    parseScenario(data, 'scenario.yaml');
  } catch (error) {
    assert.ok(error instanceof TickvisorError);
    assert.equal(error.code, 'TV_ERR_SCENARIO_INVALID');
    assert.doesNotMatch(error.message, /\n/);
    return error.message;
  }
  assert.fail('the scenario was accepted');
}

const BOOK_FAULTS = [
  { at: 100, kind: 'book-drop', count: 2, exchange: 'binance' },
  { at: 100, kind: 'book-checksum', count: 1, exchange: 'okx', symbols: ['BTC/USDT'] },
  { at: 100, kind: 'book-out-of-order', count: 1 },
  { at: 100, kind: 'book-stale-snapshot', count: 1, exchange: 'binance' },
  { at: 100, kind: 'book-snapshot-429', durationMs: 1500 },
];

describe('scenario book fault kinds', () => {
  test('every book kind is a scenario kind, accepted with books and passed to the simulator unchanged but for `at`', () => {
    assert.deepEqual([...BOOK_FAULT_KINDS].sort(), BOOK_FAULTS.map((f) => f.kind).sort());
    for (const k of BOOK_FAULT_KINDS) assert.ok((FAULT_KINDS as readonly string[]).includes(k), k);
    const s = parseScenario(base(BOOK_FAULTS, { expect: { books: { liveAtEnd: true, minResyncs: 1 } } }));
    s.faults.forEach((f, i) => {
      const { at: _at, ...rest } = BOOK_FAULTS[i]!;
      assert.deepEqual(toSimFault(f as SimScenarioFault), rest);
    });
    assert.deepEqual(s.expect.books, { mismatched: 0, minCompared: 1, liveAtEnd: true, minResyncs: 1 });
    assert.equal(scenarioCollectsBooks(s), true);
    assert.equal(scenarioBookDepth(s), 5);
  });

  test('a misspelt book kind is refused in one line naming the field', () => {
    assert.match(mistake(base([{ at: 0, kind: 'book-dorp' }])), /^scenario\.yaml: faults\.0\.kind: expected one of .*\|book-drop\|book-checksum\|/);
  });

  test('a book fault in a scenario that keeps no books is refused', () => {
    assert.equal(
      mistake({ ...base([{ at: 0, kind: 'book-drop' }]), tickvisor: { channels: ['trade'] } }),
      'scenario.yaml: faults.0: book-drop needs a collector keeping books (tickvisor.channels with book)',
    );
    assert.equal(scenarioCollectsBooks(parseScenario({ ...base([]), tickvisor: undefined })), false);
  });

  test('a book fault aimed only at venues where the simulator cannot play it is refused', () => {
    assert.equal(mistake(base([{ at: 0, kind: 'book-checksum', exchange: 'binance' }])), 'scenario.yaml: faults.0: book-checksum acts on okx books only');
    assert.equal(mistake(base([{ at: 0, kind: 'book-stale-snapshot', exchange: 'okx' }])), 'scenario.yaml: faults.0: book-stale-snapshot acts on binance books only');
    const upbit = { ...base([{ at: 0, kind: 'book-drop' }]), venues: [{ exchange: 'upbit', market: 'spot', symbols: ['BTC/KRW'] }] };
    assert.equal(mistake(upbit), 'scenario.yaml: faults.0: book-drop acts on binance, bybit, okx books only');
  });

  test('book expectations without books, and a bad book expectation, are refused', () => {
    assert.equal(
      mistake({ ...base([]), tickvisor: { channels: ['trade'] }, expect: { books: { liveAtEnd: true } } }),
      'scenario.yaml: expect.books: the collector keeps no books (add book to tickvisor.channels)',
    );
    assert.match(mistake(base([], { expect: { books: { mismatch: 0 } } })), /^scenario\.yaml: expect\.books\.mismatch: unknown field$/);
  });
});
