import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assessHealth } from '../../src/http/health-status.js';
import { healthReport, StateSinceTracker } from '../../src/http/health.js';
import { coin, collector, connector, connectorCounters, manager } from '../metrics/fake-tree.js';

const conn = (state: string, coins: ReturnType<typeof coin>[], group = 0) => connector('binance', 'spot', group, state, connectorCounters(), coins);

describe('health: healthy, degraded or down, with reasons', () => {
  test('every coin subscribed on connected connectors: healthy, no reasons', () => {
    const h = assessHealth(manager([collector('binance', 'spot', 'Running', [conn('Connected', [coin('binance', 'spot', 'BTC/USDT')])])]));
    assert.deepEqual(h, { status: 'healthy', reasons: [], notes: [] });
  });

  test('the exchange down, 0 of 5 coins subscribed: down', () => {
    const coins = ['A', 'B', 'C', 'D', 'E'].map((b) => coin('binance', 'spot', `${b}/USDT`, 'Pending'));
    const h = assessHealth(manager([collector('binance', 'spot', 'Running', [conn('Reconnecting', coins)])]));
    assert.equal(h.status, 'down');
    assert.ok(h.reasons.includes('no coin subscribed (0 of 5)'), h.reasons.join('\n'));
  });

  test('a running collector with no coin at all (every symbol dropped) is down, and says why', () => {
    const tree = manager([{ ...collector('binance', 'spot', 'Running', [], {}, 'Running.Supervising'), unknownSymbols: ['NOPE/USDT'] }]);
    const h = assessHealth(tree);
    assert.equal(h.status, 'down');
    assert.ok(h.reasons.includes('binance:spot collects no coin (Running.Supervising)'), h.reasons.join('\n'));
    assert.ok(h.reasons.includes('binance:spot does not list configured symbol NOPE/USDT'), h.reasons.join('\n'));
  });

  test('no collector, or none running: down', () => {
    assert.equal(assessHealth(manager([])).status, 'down');
    const h = assessHealth(manager([collector('binance', 'spot', 'Stopped', [])]));
    assert.equal(h.status, 'down');
    assert.match(h.reasons[0]!, /no collector running \(binance:spot Stopped\)/);
  });

  test('some coins not subscribed, a connector recovering, a gap waiting: degraded with each reason', () => {
    const tree = manager([
      collector('binance', 'spot', 'Running', [
        conn('Connected', [coin('binance', 'spot', 'BTC/USDT'), coin('binance', 'spot', 'ETH/USDT', 'Refused')]),
        conn('Recovering', [coin('binance', 'spot', 'SOL/USDT')], 1),
      ], { 'gaps.pending': 2, 'gaps.unfilled': 1 }),
    ]);
    const h = assessHealth(tree);
    assert.equal(h.status, 'degraded');
    assert.deepEqual(h.reasons, [
      '1 of 3 coins not subscribed: binance:spot:ETH/USDT Refused',
      '1 of 2 connectors not connected: binance:spot:1 Recovering',
      'binance:spot: 2 gaps waiting for backfill',
    ]);
    // an unfilled gap is history, shown but not a present fault
    assert.deepEqual(h.notes, ['binance:spot: 1 gap could not be filled since start']);
  });

  test('one collector of two not running: degraded', () => {
    const h = assessHealth(
      manager([
        collector('binance', 'spot', 'Running', [conn('Connected', [coin('binance', 'spot', 'BTC/USDT')])]),
        collector('upbit', 'spot', 'Running', [], {}, 'Running.ListingFailed'),
      ]),
    );
    assert.equal(h.status, 'degraded');
    assert.deepEqual(h.reasons, ['upbit:spot collects no coin (Running.ListingFailed)']);
  });
});

describe('health: a gap that could not be filled degrades it for a while', () => {
  test('degraded while the unfilled count grew within the last 10 min, then a note again', () => {
    const tracker = new StateSinceTracker();
    const tree = (unfilled: number) =>
      manager([collector('binance', 'spot', 'Running', [conn('Connected', [coin('binance', 'spot', 'BTC/USDT')])], { 'gaps.pending': 0, 'gaps.unfilled': unfilled })]);
    const T = 1_700_000_000_000;
    assert.equal(healthReport(tracker.observe(tree(0), T), T).status, 'healthy');
    // a gap could not be filled: degraded, with the reason
    const grew = healthReport(tracker.observe(tree(1), T + 1_000), T + 1_000);
    assert.equal(grew.status, 'degraded');
    assert.deepEqual(grew.reasons, ['binance:spot: a gap could not be filled in the last 10 min (1 since start)']);
    // still within the window: still degraded; past it: healthy, and the count is a note
    assert.equal(healthReport(tracker.observe(tree(1), T + 9 * 60_000), T + 9 * 60_000).status, 'degraded');
    const later = healthReport(tracker.observe(tree(1), T + 12 * 60_000), T + 12 * 60_000);
    assert.equal(later.status, 'healthy');
    assert.deepEqual(later.notes, ['binance:spot: 1 gap could not be filled since start']);
  });
});
