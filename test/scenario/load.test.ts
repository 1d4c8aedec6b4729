import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TickvisorError } from '../../src/errors.js';
import { loadScenarioFile, parseScenario, scenarioToSimOptions } from '../../src/scenario/index.js';
import { CLUSTER_FAULT_KINDS, COLLECTOR_FAULT_KINDS, FAULT_KINDS } from '../../src/scenario/schema.js';
import { scratchDir } from '../scratch-dir.js';

const dir = scratchDir('tv-scenario-');
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const VALID_YAML = `
name: flaky binance
seed: 42
durationMs: 60000
venues:
  - exchange: binance
    market: spot
    symbols: [BTC/USDT, { symbol: ETH/USDT, tradesPerSecond: 200, tickersPerSecond: 2, price: 1800 }]
  - exchange: okx
    market: futures
    symbols: [BTC/USDT:USDT]
timing: { tickMs: 5, okxIdleTimeoutMs: 3000 }
faults:
  - { at: 5000, kind: disconnect, exchange: binance }
  - { at: 10000, kind: drop-messages, exchange: okx, market: futures, count: 20, symbols: [BTC/USDT:USDT] }
  - { at: 20000, kind: slow, latencyMs: 300, durationMs: 4000 }
tickvisor:
  groupSize: 2
  connector: { silenceTimeoutMs: 2000 }
expect: { maxAlerts: 0, minStored: 1000, subscribedAtEnd: true }
`;

/** The one line a bad scenario gives, as the CLI would print it. */
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

const base = () => ({
  name: 's',
  durationMs: 10_000,
  venues: [{ exchange: 'binance', market: 'spot', symbols: ['BTC/USDT'] }],
});

describe('scenario files', () => {
  test('a YAML scenario loads with its defaults filled in', async () => {
    const s = await loadScenarioFile(file('flaky.yaml', VALID_YAML));
    assert.equal(s.name, 'flaky binance');
    assert.equal(s.seed, 42);
    assert.deepEqual(s.expect, { lost: 0, duplicated: 0, maxAlerts: 0, minStored: 1000, subscribedAtEnd: true });
    assert.deepEqual(s.venues[0]!.symbols[0], { symbol: 'BTC/USDT' });
    assert.equal(s.faults.length, 3);
    assert.deepEqual(s.tickvisor, { groupSize: 2, connector: { silenceTimeoutMs: 2000 } });
  });

  test('a JSON scenario loads the same way, with the seed, faults and rates defaulted', async () => {
    const s = await loadScenarioFile(file('plain.json', JSON.stringify(base())));
    assert.equal(s.seed, 1);
    assert.deepEqual(s.faults, []);
    assert.deepEqual(s.expect, { lost: 0, duplicated: 0 });
    assert.equal(s.tickvisor, undefined);
  });

  test('scenarioToSimOptions: venues with rates, the seed, timing, and the caller’s overrides', async () => {
    const s = await loadScenarioFile(file('flaky2.yaml', VALID_YAML));
    const now = () => 0;
    const options = scenarioToSimOptions(s, { port: 0, mode: 'manual', now });
    assert.equal(options.seed, 42);
    assert.equal(options.mode, 'manual');
    assert.equal(options.port, 0);
    assert.equal(options.now, now);
    assert.deepEqual(options.timing, { tickMs: 5, okxIdleTimeoutMs: 3000 });
    assert.deepEqual(options.venues, [
      {
        exchange: 'binance',
        market: 'spot',
        symbols: [
          // a bare string gets the scenario's default rates (5 trades/s, 1 ticker/s)
          { symbol: 'BTC/USDT', tradesPerSecond: 5, tickersPerSecond: 1 },
          { symbol: 'ETH/USDT', tradesPerSecond: 200, tickersPerSecond: 2, price: 1800 },
        ],
      },
      { exchange: 'okx', market: 'futures', symbols: [{ symbol: 'BTC/USDT:USDT', tradesPerSecond: 5, tickersPerSecond: 1 }] },
    ]);
  });

  const cases: Array<[string, (s: Record<string, unknown>) => unknown, string]> = [
    ['a fault time that is not a number', (s) => ({ ...s, faults: [{ at: 0, kind: 'stall' }, { at: 1, kind: 'stall' }, { at: 'soon', kind: 'stall' }] }), 'scenario.yaml: faults.2.at: expected number, received string'],
    ['an unknown fault kind', (s) => ({ ...s, faults: [{ at: 0, kind: 'explode' }] }), `scenario.yaml: faults.0.kind: expected one of ${[...FAULT_KINDS, ...COLLECTOR_FAULT_KINDS, ...CLUSTER_FAULT_KINDS].join('|')}`],
    ['a missing name', ({ name: _n, ...s }) => s, 'scenario.yaml: name: missing (expected string)'],
    ['a negative duration', (s) => ({ ...s, durationMs: -1 }), 'scenario.yaml: durationMs: expected number to be >0'],
    ['an unknown field', (s) => ({ ...s, faultz: [] }), 'scenario.yaml: faultz: unknown field'],
    ['an unknown timing field', (s) => ({ ...s, timing: { tickMs: 5, tickMS: 5 } }), 'scenario.yaml: timing.tickMS: unknown field'],
    ['an unknown exchange', (s) => ({ ...s, venues: [{ exchange: 'kraken', market: 'spot', symbols: ['BTC/USD'] }] }), 'scenario.yaml: venues.0.exchange: expected one of binance|upbit|bybit|okx'],
    ['a venue the project does not speak', (s) => ({ ...s, venues: [{ exchange: 'upbit', market: 'futures', symbols: ['BTC/KRW:KRW'] }] }), 'scenario.yaml: venues.0: upbit has no futures market'],
    ['a venue listed twice', (s) => ({ ...s, venues: [...(s.venues as unknown[]), { exchange: 'binance', market: 'spot', symbols: ['ETH/USDT'] }] }), 'scenario.yaml: venues.1: binance/spot is listed twice'],
    ['a symbol in the exchange’s own spelling', (s) => ({ ...s, venues: [{ exchange: 'binance', market: 'spot', symbols: ['BTCUSDT'] }] }), 'scenario.yaml: venues.0.symbols.0.symbol: expected a unified symbol such as BTC/USDT or BTC/USDT:USDT, got "BTCUSDT"'],
    ['a spot symbol on a futures venue', (s) => ({ ...s, venues: [{ exchange: 'bybit', market: 'futures', symbols: ['BTC/USDT'] }] }), 'scenario.yaml: venues.0.symbols.0: BTC/USDT is not a futures symbol (spot BASE/QUOTE, futures BASE/QUOTE:SETTLE)'],
    ['a symbol that is neither a string nor an object', (s) => ({ ...s, venues: [{ exchange: 'binance', market: 'spot', symbols: [7] }] }), 'scenario.yaml: venues.0.symbols.0: expected a symbol string or {symbol, tradesPerSecond, tickersPerSecond, price}'],
    ['a rate that is not a number', (s) => ({ ...s, venues: [{ exchange: 'binance', market: 'spot', symbols: [{ symbol: 'BTC/USDT', tradesPerSecond: 'fast' }] }] }), 'scenario.yaml: venues.0.symbols.0.tradesPerSecond: expected number, received string'],
    ['no venues', (s) => ({ ...s, venues: [] }), 'scenario.yaml: venues: expected array to have >=1 items'],
    // beyond what one simulator process can play: a clear line, not an exhausted heap
    ['a run of thirty years', (s) => ({ ...s, durationMs: 1e12 }), 'scenario.yaml: durationMs: at most 604800000 ms (one week)'],
    ['a billion trades a second', (s) => ({ ...s, tradesPerSecond: 1e9 }), 'scenario.yaml: tradesPerSecond: at most 20000 per second per symbol (what one simulator process can play)'],
    ['more trades over all symbols than one simulator plays', (s) => ({ ...s, tradesPerSecond: 15_000, venues: [{ exchange: 'binance', market: 'spot', symbols: Array.from({ length: 14 }, (_, k) => `C${k}/USDT`) }] }), 'scenario.yaml: venues: 210000 trades/s over all symbols; one simulator process plays at most 200000'],
    ['a fault after the end of the run', (s) => ({ ...s, faults: [{ at: 90_000, kind: 'disconnect' }] }), 'scenario.yaml: faults.0.at: 90000 is after the end of the run (durationMs 10000)'],
    ['a fault on a venue not simulated', (s) => ({ ...s, faults: [{ at: 0, kind: 'stall', exchange: 'okx', market: 'futures' }] }), "scenario.yaml: faults.0: okx/futures is not one of the scenario's venues"],
    ['a fault on a symbol not simulated', (s) => ({ ...s, faults: [{ at: 0, kind: 'drop-messages', symbols: ['DOGE/USDT'] }] }), 'scenario.yaml: faults.0.symbols: DOGE/USDT is not simulated on the venues this fault applies to'],
    ['a slow fault without its latency', (s) => ({ ...s, faults: [{ at: 0, kind: 'slow' }] }), 'scenario.yaml: faults.0.latencyMs: missing (a slow fault needs its latency)'],
    ['a negative expectation', (s) => ({ ...s, expect: { lost: -1 } }), 'scenario.yaml: expect.lost: expected number to be >=0'],
    ['tickvisor overrides that are not an object', (s) => ({ ...s, tickvisor: [1] }), 'scenario.yaml: tickvisor: expected record, received array'],
    ['not an object at all', () => 'hello', 'scenario.yaml: (root): expected object, received string'],
  ];
  for (const [what, change, message] of cases) {
    test(`${what} → one line naming the field`, () => {
      assert.equal(mistake(change(base())), message);
    });
  }

  test('several mistakes: the first is named and the rest counted', () => {
    assert.equal(mistake({ ...base(), name: 3, durationMs: 'long' }), 'scenario.yaml: name: expected string, received number (and 1 more)');
  });

  test('a file that is not YAML is one line naming it', async () => {
    await assert.rejects(loadScenarioFile(file('broken.yaml', 'name: [unclosed\n')), (error: TickvisorError) => {
      assert.equal(error.code, 'TV_ERR_SCENARIO_INVALID');
      assert.match(error.message, /^broken\.yaml: not valid YAML or JSON: [^\n]+$/);
      return true;
    });
  });

  test('a missing file is TV_ERR_FILE_NOT_FOUND naming the path', async () => {
    await assert.rejects(loadScenarioFile(join(dir, 'absent.yaml')), (error: TickvisorError) => {
      assert.equal(error.code, 'TV_ERR_FILE_NOT_FOUND');
      assert.equal(error.message, `cannot read scenario ${join(dir, 'absent.yaml')}: ENOENT`);
      return true;
    });
  });
});
