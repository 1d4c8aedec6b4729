/** A hand-driven clock for the alert router (its `clock`), over the program's ManualClock. */
import type { Clock } from '../../src/time/clock.js';
import { ManualClock } from '../../src/time/manual-clock.js';

export interface FakeTime {
  now: () => number;
  clock: Clock;
  /** moves the clock, firing due timers in order */
  advance(ms: number): void;
  pending(): number;
}

export function fakeTime(start = 1_700_000_000_000): FakeTime {
  const clock = new ManualClock(start);
  return { now: clock.now, clock, advance: (ms) => clock.advance(ms), pending: () => clock.pending };
}
