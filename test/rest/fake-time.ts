/** A clock that only moves when the code under test sleeps: waits are recorded, never spent. */
export function fakeTime(start = 1_700_000_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}
