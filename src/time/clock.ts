/**
 * The program's one view of time: reading the clock and arming one-shot timers. Everything that
 * waits or stamps (the ingest stages, the pacer, the alert router, the fault timeline, the audits)
 * takes a Clock injected, so tests drive it by hand with ManualClock and never sleep.
 */
export type TimerHandle = unknown;

export interface Clock {
  /** milliseconds since the epoch */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Real time; a pending timer keeps the process alive (a batch must still be written). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Real time whose timers never keep the process alive on their own: for housekeeping that its
 * owner flushes or stops at close (paced frames, an alert summary, an audit's next round).
 */
export const backgroundClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const t = setTimeout(callback, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
