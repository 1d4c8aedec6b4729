/** The default (real-time) sleep of the REST client and its throttle. */

/** setTimeout fires after 1 ms for any delay over 2^31 - 1 ms (~24.8 days): longer waits go in pieces. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Waits `ms` of real time; a wait that is not a positive finite number returns at once. */
export async function realSleep(ms: number): Promise<void> {
  let remaining = Number.isFinite(ms) ? ms : 0;
  while (remaining > 0) {
    const chunk = Math.min(remaining, MAX_TIMER_MS);
    await new Promise<void>((resolve) => setTimeout(resolve, chunk));
    remaining -= chunk;
  }
}
