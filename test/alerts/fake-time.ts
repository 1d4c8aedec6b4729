/** A hand-driven clock and timer queue for the alert router (its `now` and `timers`). */
import type { AlertTimers } from '../../src/alerts/alert-router.js';

export interface FakeTime {
  now: () => number;
  timers: AlertTimers;
  /** moves the clock, firing due timers in order */
  advance(ms: number): void;
  pending(): number;
}

export function fakeTime(start = 1_700_000_000_000): FakeTime {
  let t = start;
  let nextId = 1;
  const queue = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => t,
    timers: {
      set(fn, ms) {
        const id = nextId++;
        queue.set(id, { at: t + ms, fn });
        return id;
      },
      clear(handle) {
        queue.delete(handle as number);
      },
    },
    advance(ms) {
      const end = t + ms;
      for (;;) {
        let due: [number, { at: number; fn: () => void }] | undefined;
        for (const entry of queue) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        queue.delete(due[0]);
        t = due[1].at;
        due[1].fn();
      }
      t = end;
    },
    pending: () => queue.size,
  };
}
