/**
 * Data-stall detection for one connection, judged against the rate its symbols normally have.
 *
 * A socket can stay open and keep answering pings while the exchange sends it no data at all: the
 * keep-alive traffic proves the socket, not the feed. So silence is measured on data frames only,
 * and compared with what this connection usually receives: at r data frames per second, a silence
 * of `expectedGaps / r` seconds is practically impossible for a live feed (for a Poisson stream the
 * chance is e^-expectedGaps), so it is a stall. A connection whose usual rate would need a silence
 * longer than `maxSilenceMs` (the adapter's fixed timeout) to be sure is a quiet one: it is never
 * judged by its data, only by the keep-alive watchdog — quiet symbols are not a stall.
 *
 * Trading is bursty, not Poisson: a feed averaging 5 frames/s may pause 10 s between bursts. So the
 * threshold is also never below `longestGapFactor` times the longest silence this feed recently had
 * and came back from by itself.
 *
 * Pure and clock-free: the connector feeds it data counts as they arrive and the elapsed time on
 * its own periodic check, so it runs the same on real time and on a simulated clock.
 */

export interface StallPolicy {
  /** how often the connector checks; 0 turns data-stall detection off */
  checkEveryMs: number;
  /** silence worth this many usual inter-frame gaps is a stall */
  expectedGaps: number;
  /** never call a stall sooner than this (activity is reported about once a second) */
  minSilenceMs: number;
  /** data this long observed before the rate is trusted */
  warmupMs: number;
  /** the rate estimate forgets with this time constant (slow: a stall must not erase what was normal) */
  memoryMs: number;
  /** a stall is also longer than this many times the longest recent silence that ended by itself */
  longestGapFactor: number;
}

export const DEFAULT_STALL_POLICY: StallPolicy = {
  checkEveryMs: 1_000,
  expectedGaps: 20,
  minSilenceMs: 4_000,
  warmupMs: 15_000,
  memoryMs: 120_000,
  longestGapFactor: 2,
};

export interface FeedRate {
  /** decayed data frames (numerator of the rate) */
  frames: number;
  /** decayed observed time in ms (denominator of the rate) */
  observedMs: number;
  /** data frames reported since the last check */
  pending: number;
  /** time since the last data frame, in ms, as of the last check */
  silentMs: number;
  /** the longest silence that ended with data, fading with `memoryMs` */
  longestGapMs: number;
}

export const EMPTY_FEED_RATE: FeedRate = { frames: 0, observedMs: 0, pending: 0, silentMs: 0, longestGapMs: 0 };

/** data frames arrived: the silence ends, and is remembered as one this feed recovers from */
export function recordData(rate: FeedRate, dataFrames: number): FeedRate {
  if (dataFrames <= 0) return rate;
  return { ...rate, pending: rate.pending + dataFrames, silentMs: 0, longestGapMs: Math.max(rate.longestGapMs, rate.silentMs) };
}

/** a fresh start of the silence clock (a new socket, new subscriptions), keeping what is normal */
export function restartSilence(rate: FeedRate): FeedRate {
  return { ...rate, pending: 0, silentMs: 0 };
}

/** `elapsedMs` passed since the previous check: fold what arrived into the rate */
export function advanceRate(rate: FeedRate, elapsedMs: number, policy: Pick<StallPolicy, 'memoryMs'>): FeedRate {
  if (elapsedMs <= 0) return rate;
  const keep = Math.exp(-elapsedMs / policy.memoryMs);
  return {
    frames: rate.frames * keep + rate.pending,
    observedMs: rate.observedMs * keep + elapsedMs,
    pending: 0,
    silentMs: rate.pending > 0 ? 0 : rate.silentMs + elapsedMs,
    longestGapMs: rate.longestGapMs * keep,
  };
}

/** data frames per second this connection usually receives; undefined until warmed up */
export function usualPerSecond(rate: FeedRate, policy: Pick<StallPolicy, 'warmupMs' | 'memoryMs'>): number | undefined {
  // the decayed observed time saturates at memoryMs: the warm-up cannot ask for more than that
  if (rate.observedMs < Math.min(policy.warmupMs, policy.memoryMs * 0.9) || rate.frames <= 0) return undefined;
  return (rate.frames / rate.observedMs) * 1000;
}

export type StallVerdict =
  | { stalled: false; why: 'warming-up' | 'quiet' | 'flowing'; thresholdMs?: number }
  | { stalled: true; silentMs: number; thresholdMs: number; usualPerSecond: number };

/**
 * Stalled when the data silence is longer than `expectedGaps` usual gaps, at least `minSilenceMs`
 * and `longestGapFactor` times the longest recent gap; never when that threshold would exceed
 * `maxSilenceMs` (a quiet connection) or before warm-up.
 */
export function stallVerdict(rate: FeedRate, policy: StallPolicy, maxSilenceMs: number): StallVerdict {
  const perSecond = usualPerSecond(rate, policy);
  if (perSecond === undefined) return { stalled: false, why: 'warming-up' };
  const thresholdMs = Math.max(
    policy.minSilenceMs,
    (policy.expectedGaps / perSecond) * 1000,
    policy.longestGapFactor * rate.longestGapMs,
  );
  if (thresholdMs > maxSilenceMs) return { stalled: false, why: 'quiet', thresholdMs };
  if (rate.silentMs < thresholdMs) return { stalled: false, why: 'flowing', thresholdMs };
  return { stalled: true, silentMs: rate.silentMs, thresholdMs, usualPerSecond: perSecond };
}
