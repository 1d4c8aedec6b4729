/**
 * A scripted run's latency is counted from the wall time the simulated exchange published a trade
 * at (src/simulate/run-common.ts ExchangeWalls), not from its timestamp: on a loaded machine the
 * exchange's clock (STEP_MS a step) falls behind the wall clock, and that drift is not latency.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExchangeWalls, STEP_MS } from '../../src/simulate/run-common.js';

test('a trade is timed from the step that published it, however far exchange time lags the wall', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const walls = new ExchangeWalls();
  const start = walls.now(); // the simulator reads its clock once when it starts
  // each step takes 50 ms of wall time while the exchange's clock moves STEP_MS
  for (let k = 0; k < 100; k++) {
    walls.stepped();
    t.mock.timers.tick(50);
  }
  // a trade stamped in the 60th step (exchange time start + 59·STEP … 60·STEP), committed 7 ms after that step
  const stepWall = start + 59 * 50;
  for (const stamp of [start + 59 * STEP_MS + 1, start + 60 * STEP_MS]) {
    assert.deepEqual(walls.latencies([stamp, stepWall + 7]), [7]);
  }
  // the timestamp alone would have said (59 × 50 + 7) − 60 × 20 ms
  assert.equal(stepWall + 7 - (start + 60 * STEP_MS), 1_757);
});
