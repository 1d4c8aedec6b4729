import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FaultTimeline, parseScenario } from '../../src/scenario/index.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import type { SimFault } from '../../src/sim/types.js';

/** Fake time from 0: callbacks run only when the test advances the clock. */
function fakeTimers() {
  const clock = new ManualClock(0);
  return { clock, advanceTo: (t: number) => clock.advance(t - clock.now()), pending: () => clock.pending };
}

const scenario = parseScenario({
  name: 't',
  durationMs: 60_000,
  venues: [
    { exchange: 'binance', market: 'spot', symbols: ['BTC/USDT'] },
    { exchange: 'okx', market: 'futures', symbols: ['BTC/USDT:USDT'] },
  ],
  faults: [
    { at: 30_000, kind: 'server-restart', durationMs: 2000 },
    { at: 0, kind: 'malformed', exchange: 'okx', count: 3 },
    { at: 10_000, kind: 'disconnect', exchange: 'binance' },
    { at: 10_000, kind: 'stall', exchange: 'okx', durationMs: 5000 },
  ],
});

function recorder() {
  const injected: SimFault[] = [];
  return { target: { inject: (f: SimFault) => injected.push(f) }, injected };
}

describe('FaultTimeline', () => {
  test('injects each fault at its time, without `at`, in time order and in written order within one instant', () => {
    const clock = fakeTimers();
    const { target, injected } = recorder();
    const seen: number[] = [];
    const timeline = new FaultTimeline(scenario.faults, target, { clock: clock.clock, onFault: (_f, i) => seen.push(i) });
    timeline.start();
    // the fault at 0 is injected by start() itself
    assert.deepEqual(injected, [{ kind: 'malformed', exchange: 'okx', count: 3 }]);
    clock.advanceTo(9_999);
    assert.equal(injected.length, 1);
    clock.advanceTo(10_000);
    assert.deepEqual(injected.slice(1).map((f) => f.kind), ['disconnect', 'stall']);
    clock.advanceTo(29_999);
    assert.equal(timeline.played, 3);
    clock.advanceTo(30_000);
    assert.deepEqual(injected[3], { kind: 'server-restart', durationMs: 2000 });
    assert.deepEqual(seen, [1, 2, 3, 0]);
    assert.equal(timeline.played, timeline.total);
    assert.equal(clock.pending(), 0);
  });

  test('stop() cancels what has not played yet and keeps what has', () => {
    const clock = fakeTimers();
    const { target, injected } = recorder();
    const timeline = new FaultTimeline(scenario.faults, target, { clock: clock.clock });
    timeline.start();
    clock.advanceTo(15_000);
    timeline.stop();
    assert.equal(clock.pending(), 0);
    clock.advanceTo(60_000);
    assert.equal(injected.length, 3);
    assert.equal(timeline.played, 3);
  });

  test('start() twice is a mistake, not a second set of faults', () => {
    const clock = fakeTimers();
    const timeline = new FaultTimeline(scenario.faults, recorder().target, { clock: clock.clock });
    timeline.start();
    assert.throws(() => timeline.start());
  });

  test('by default it runs on the global timers', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { target, injected } = recorder();
    const timeline = new FaultTimeline(scenario.faults, target);
    timeline.start();
    t.mock.timers.tick(10_000);
    assert.equal(injected.length, 3);
    timeline.stop();
    t.mock.timers.tick(50_000);
    assert.equal(injected.length, 3);
  });
});

