/**
 * Data-stall detection, judged against the rate a feed normally has. A feed is one connection (all
 * its data frames) or one symbol on it (the frames that carry that symbol): the same estimator
 * serves both, each with its own FeedRate.
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
  /**
   * a busy feed is trusted sooner: once this many data frames arrived over at least
   * `busyWarmupMs`, its rate is known well enough (a stall right after a connect must not hide
   * behind the warm-up while the adapter's fixed timeout runs)
   */
  busyWarmupFrames: number;
  busyWarmupMs: number;
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
  busyWarmupFrames: 100,
  busyWarmupMs: 3_000,
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
  /**
   * stalls called on this feed with no data in between. Each one doubles the silence the next
   * needs: a symbol that stays silent after being asked for again (a trading halt) is asked for
   * less and less often, until its threshold passes the fixed bound and it counts as quiet.
   */
  stallsInRow: number;
}

export const EMPTY_FEED_RATE: FeedRate = { frames: 0, observedMs: 0, pending: 0, silentMs: 0, longestGapMs: 0, stallsInRow: 0 };

/**
 * data frames arrived: the silence ends, and is remembered as one this feed recovers from.
 * `sinceLastMs`: how long ago the last of them arrived, when the report comes late (activity is
 * summed up over a second): the new silence starts there, not at the report.
 */
export function recordData(rate: FeedRate, dataFrames: number, sinceLastMs = 0): FeedRate {
  if (dataFrames <= 0) return rate;
  return {
    ...rate,
    pending: rate.pending + dataFrames,
    silentMs: Math.max(0, sinceLastMs),
    // a silence that ended only because we asked again is no pause this feed takes by itself
    longestGapMs: rate.stallsInRow > 0 ? rate.longestGapMs : Math.max(rate.longestGapMs, rate.silentMs),
    stallsInRow: 0,
  };
}

/** a stall was called and acted on: the silence clock starts again, the next stall needs longer */
export function noteStall(rate: FeedRate): FeedRate {
  return { ...rate, pending: 0, silentMs: 0, stallsInRow: rate.stallsInRow + 1 };
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
    // data in this interval: the silence is what the report said (never more: when the report
    // came inside the interval is unknown)
    silentMs: rate.pending > 0 ? rate.silentMs : rate.silentMs + elapsedMs,
    longestGapMs: rate.longestGapMs * keep,
    stallsInRow: rate.stallsInRow,
  };
}

/** data frames per second this connection usually receives; undefined until warmed up */
export function usualPerSecond(
  rate: FeedRate,
  policy: Pick<StallPolicy, 'warmupMs' | 'memoryMs'> & Partial<Pick<StallPolicy, 'busyWarmupFrames' | 'busyWarmupMs'>>,
): number | undefined {
  if (rate.frames <= 0) return undefined;
  // the decayed observed time saturates at memoryMs: the warm-up cannot ask for more than that
  const warm = rate.observedMs >= Math.min(policy.warmupMs, policy.memoryMs * 0.9);
  const busy =
    policy.busyWarmupFrames !== undefined && policy.busyWarmupMs !== undefined &&
    rate.frames >= policy.busyWarmupFrames && rate.observedMs >= Math.min(policy.busyWarmupMs, policy.warmupMs);
  if (!warm && !busy) return undefined;
  return (rate.frames / rate.observedMs) * 1000;
}

export type StallVerdict =
  | { stalled: false; why: 'warming-up' | 'quiet' | 'flowing'; thresholdMs?: number }
  | { stalled: true; silentMs: number; thresholdMs: number; usualPerSecond: number };

/**
 * Stalled when the data silence is longer than `expectedGaps` usual gaps, at least `minSilenceMs`
 * and `longestGapFactor` times the longest recent gap (doubled per stall in a row); never when
 * that threshold would exceed `maxSilenceMs` (a quiet feed) or before warm-up.
 */
export function stallVerdict(rate: FeedRate, policy: StallPolicy, maxSilenceMs: number): StallVerdict {
  const perSecond = usualPerSecond(rate, policy);
  if (perSecond === undefined) return { stalled: false, why: 'warming-up' };
  const thresholdMs =
    Math.max(policy.minSilenceMs, (policy.expectedGaps / perSecond) * 1000, policy.longestGapFactor * rate.longestGapMs) *
    2 ** Math.min(rate.stallsInRow, 30);
  if (thresholdMs > maxSilenceMs) return { stalled: false, why: 'quiet', thresholdMs };
  if (rate.silentMs < thresholdMs) return { stalled: false, why: 'flowing', thresholdMs };
  return { stalled: true, silentMs: rate.silentMs, thresholdMs, usualPerSecond: perSecond };
}
