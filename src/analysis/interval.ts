/** Candle intervals as people write them (`1m`, `5m`, `4h`, `1d`), turned into milliseconds. */
import { TickvisorError } from '../errors.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** the longest interval: a day; longer ones (a week, a month) do not align to the UTC epoch the way people expect */
export const MAX_INTERVAL_MS = UNIT_MS.d;

/**
 * `<n>s|m|h|d` with a whole n ≥ 1, from 1s up to 1d (`90m`, `12h` and `1d` are fine, `2d` is not).
 * A mistake is one line with TV_ERR_INVALID_ARGUMENT; callers that read a command line may reword it.
 */
export function parseInterval(text: string): number {
  const match = /^([1-9]\d{0,5})([smhd])$/.exec(typeof text === 'string' ? text.trim() : '');
  if (!match) {
    throw new TickvisorError('TV_ERR_INVALID_ARGUMENT', `interval must be <n>s, <n>m, <n>h or <n>d (like 1m, 5m, 4h, 1d), got ${JSON.stringify(text)}`);
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms > MAX_INTERVAL_MS) throw new TickvisorError('TV_ERR_INVALID_ARGUMENT', `interval must be at most 1d, got ${text}`);
  return ms;
}
