/** The scenario format's newer fault kinds: each is accepted with its fields, and a misplaced or missing field is named. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TickvisorError } from '../../src/errors.js';
import { FAULT_KINDS, parseScenario, toSimFault } from '../../src/scenario/index.js';
import type { SimScenarioFault } from '../../src/scenario/schema.js';

const base = (faults: unknown[]) => ({
  name: 's',
  durationMs: 10_000,
  venues: [
    { exchange: 'binance', market: 'spot', symbols: ['BTC/USDT', 'ETH/USDT'] },
    { exchange: 'okx', market: 'spot', symbols: ['BTC/USDT'] },
  ],
  faults,
});

function mistake(faults: unknown[]): string {
  try {
    parseScenario(base(faults), 'scenario.yaml');
  } catch (error) {
    assert.ok(error instanceof TickvisorError);
    assert.equal(error.code, 'TV_ERR_SCENARIO_INVALID');
    assert.doesNotMatch(error.message, /\n/);
    return error.message;
  }
  assert.fail('the scenario was accepted');
}

const NEW_FAULTS = [
  { at: 100, kind: 'duplicate-frames', count: 5, symbols: ['BTC/USDT'], connection: 0 },
  { at: 100, kind: 'replay-frames', durationMs: 500, count: 20 },
  { at: 100, kind: 'out-of-order', windowFrames: 3, durationMs: 1000 },
  { at: 100, kind: 'clock-skew', skewMs: -2500, exchange: 'okx' },
  { at: 100, kind: 'rest-5xx', status: 502, count: 3 },
  { at: 100, kind: 'rest-timeout', latencyMs: 20_000, count: 1 },
  { at: 100, kind: 'rest-partial', rows: 10, durationMs: 2000 },
  { at: 100, kind: 'rest-empty', count: 2, exchange: 'binance' },
  { at: 100, kind: 'rest-ts-mismatch', skewMs: 3, symbols: ['BTC/USDT'] },
  { at: 100, kind: 'stall-buffered', durationMs: 1500, connection: 1 },
  { at: 100, kind: 'stall-data-only', durationMs: 1500, exchange: 'okx' },
  { at: 100, kind: 'delist', symbols: ['ETH/USDT'], durationMs: 3000, exchange: 'binance' },
];

describe('scenario fault kinds of issue 10', () => {
  test('every new kind is accepted with its fields, and reaches the simulator unchanged but for `at`', () => {
    const s = parseScenario(base(NEW_FAULTS));
    assert.equal(s.faults.length, NEW_FAULTS.length);
    s.faults.forEach((f, i) => {
      const { at: _at, ...rest } = NEW_FAULTS[i]!;
      assert.deepEqual(toSimFault(f as SimScenarioFault), rest);
    });
    for (const f of NEW_FAULTS) assert.ok((FAULT_KINDS as readonly string[]).includes(f.kind), f.kind);
  });

  test('a field that belongs to another kind is named, with the kinds that take it', () => {
    assert.equal(mistake([{ at: 0, kind: 'disconnect', skewMs: 5 }]), 'scenario.yaml: faults.0.skewMs: not a field of disconnect (only clock-skew, rest-ts-mismatch)');
    assert.match(mistake([{ at: 0, kind: 'rest-5xx', connection: 0 }]), /^scenario\.yaml: faults\.0\.connection: not a field of rest-5xx \(only disconnect, stall, /);
    assert.match(mistake([{ at: 0, kind: 'stall', rows: 3 }]), /faults\.0\.rows: not a field of stall \(only rest-partial\)/);
    assert.match(mistake([{ at: 0, kind: 'slow', latencyMs: 5, windowFrames: 3 }]), /faults\.0\.windowFrames: not a field of slow/);
    assert.match(mistake([{ at: 0, kind: 'rest-timeout', status: 503 }]), /faults\.0\.status: not a field of rest-timeout/);
  });

  test('a kind without the field it needs is named', () => {
    assert.match(mistake([{ at: 0, kind: 'clock-skew' }]), /faults\.0\.skewMs: missing \(a clock-skew fault needs a non-zero offset\)/);
    assert.match(mistake([{ at: 0, kind: 'clock-skew', skewMs: 0 }]), /faults\.0\.skewMs: missing/);
    assert.match(mistake([{ at: 0, kind: 'delist', durationMs: 10 }]), /faults\.0\.symbols: missing \(a delist fault names the symbols it delists\)/);
    assert.match(mistake([{ at: 0, kind: 'replay-frames', count: 10 }]), /faults\.0\.durationMs: missing/);
  });

  test('bad values are named with the field', () => {
    assert.match(mistake([{ at: 0, kind: 'rest-5xx', status: 501 }]), /faults\.0\.status: expected one of 500\|502\|503\|504/);
    assert.match(mistake([{ at: 0, kind: 'out-of-order', windowFrames: 1 }]), /faults\.0\.windowFrames: /);
    assert.match(mistake([{ at: 0, kind: 'rest-partial', rows: 0 }]), /faults\.0\.rows: /);
    assert.match(mistake([{ at: 0, kind: 'stall-data-only', connection: -1 }]), /faults\.0\.connection: /);
    assert.match(mistake([{ at: 0, kind: 'clock-skew', skewMs: 1.5 }]), /faults\.0\.skewMs: /);
    assert.match(mistake([{ at: 0, kind: 'delist', symbols: ['SOL/USDT'] }]), /faults\.0\.symbols: SOL\/USDT is not simulated/);
    assert.match(mistake([{ at: 0, kind: 'stall-buffer' }]), /faults\.0\.kind: expected one of .*stall-buffered/);
  });
});
