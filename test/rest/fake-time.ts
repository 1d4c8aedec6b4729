/**
 * A clock that only moves when the code under test sleeps: waits are recorded, never spent.
 *
 * The fake sleep resolves in a microtask, so a loop that kept sleeping on it would never yield
 * to timers or I/O: not even node:test's timeout could stop it, and the test file would sit at
 * 100% CPU. Hence the guards: a wait that is not a finite number >= 0 (which would also stop or
 * poison the clock) and a runaway number of sleeps both throw, failing the test instead.
 */
export const MAX_FAKE_SLEEPS = 10_000;

export function fakeTime(start = 1_700_000_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        throw new Error(`fake sleep: expected a finite wait >= 0, got ${String(ms)}`);
      }
      if (sleeps.length >= MAX_FAKE_SLEEPS) {
        throw new Error(`fake sleep: over ${MAX_FAKE_SLEEPS} sleeps, the code under test is looping`);
      }
      sleeps.push(ms);
      t += ms;
    },
  };
}
