/**
 * The production RestClient (src/exchanges/types.ts): GET + JSON through node:https (node-transport.ts), with our own
 * retry policy, because the exchanges punish clients that retry blindly (Binance turns repeated
 * 429s into 418 IP bans lasting up to days).
 *
 * - 429 / 418 / Bybit retCode 10006: wait what the server says (Retry-After, in seconds or as a
 *   date, or X-Bapi-Limit-Reset-Timestamp), else exponential backoff with jitter; the wait blocks
 *   the whole host, not just this request. A wait longer than `maxWaitMs` is not slept out: it
 *   surfaces as TV_ERR_REST_BANNED / TV_ERR_REST_RATE_LIMITED, and later requests to that host
 *   fail fast with the same code until the block ends.
 * - 5xx, network errors, timeouts: a few retries with backoff, then TV_ERR_REST_FAILED.
 * - Any other answer (2xx, other 4xx) goes back to the adapter, which knows what it means.
 * - Every request to a venue we know (venue-limits.ts) also spends its weight from that venue's
 *   budget (weight-budget.ts), one per venue for every caller of this client, corrected by the
 *   venue's own accounting headers; a "host" below is that venue's key (host + path prefix).
 *   A 418 holds every request of the venue until the ban ends and is reported once (`onBan`).
 */
import type { RestClient, RestResponse } from '../exchanges/types.js';
import { RestError } from './errors.js';
import { nodeTransport } from './node-transport.js';
import type { HttpTransport, RawResponse } from './transport.js';
import { AnswerTimes, hedged, realDelay } from './hedge.js';
import { createHostThrottle, type BlockReason } from './rate-limit.js';
import { backoffDelay, classify, serverWaitMs, type BackoffOptions } from './retry-policy.js';
import { realSleep } from './sleep.js';
import { venueProfileOf, type VenueProfile } from './venue-limits.js';
import { createWeightBudget, type BanEvent, type VenueStats } from './weight-budget.js';

export interface RestLogger {
  warn(obj: object, msg: string): void;
}

export interface RestClientOptions {
  /** per attempt; default 10 s */
  timeoutMs?: number;
  /** retries after a 5xx, network error or timeout; default 3 */
  maxRetries?: number;
  /** retries after 429 / 418 / retCode 10006; default 5 */
  maxRateLimitRetries?: number;
  /** first backoff delay; also the shortest wait after a rate-limit answer; default 500 ms */
  minDelayMs?: number;
  /**
   * first backoff delay after a network error or timeout (no answer at all), at most minDelayMs;
   * default 100 ms. Shorter than after a 5xx: a refused or reset connection costs the venue
   * nothing, every retry is still paced and budgeted, and a gap fill is racing the venue's REST
   * retention (a server restart of 0.6 s, retried at 0.5 then 1.5 s, rolled a hole out of
   * Bybit spot's 60-trade history)
   */
  networkMinDelayMs?: number;
  /** backoff cap; default 30 s */
  maxDelayMs?: number;
  /** the longest server-requested wait we sit out before giving up with a coded error; default 5 min */
  maxWaitMs?: number;
  /** wait after a 418 that names no duration; default 60 s */
  banWaitMs?: number;
  /** client-side pacing per host; default 5/s; Infinity turns pacing off */
  requestsPerSecond?: number;
  /** back-to-back requests allowed per host after a quiet spell; default requestsPerSecond */
  burst?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** for the backoff jitter; default Math.random */
  random?: () => number;
  logger?: RestLogger;
  /**
   * the part of each venue's documented REST limit this client allows itself (see venue-limits.ts);
   * default 0.9, leaving room for other clients on the same IP
   */
  budgetShare?: number;
  /** called once when a venue bans us (418): no request goes to it until `until` */
  onBan?: (ban: BanEvent) => void;
  /** aborting it closes the client: in-flight requests and waits end at once, nothing is retried */
  signal?: AbortSignal;
  /** the HTTP layer; default node:http/https, node-transport.ts (tests and the simulator may pass their own) */
  transport?: HttpTransport;
  /**
   * a request unanswered this long (or three times the host's recent 90th-percentile answer time,
   * if longer) gets a second copy, and the first answer wins (hedge.ts); default 1,500 ms; false:
   * never. No copy goes out when the wait would reach `timeoutMs`.
   */
  hedgeAfterMs?: number | false;
  /** the hedge's timer (default a real one); tests pass one they fire */
  hedgeDelay?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const JITTER = 0.2;
/** how long the first request to a venue's pool may go unanswered before the rest go anyway (weight-budget.ts) */
const FIRST_ANSWER_WAIT_MS = 3_000;

/**
 * Finite on purpose: an Infinity retry count or delay would let the retry loop below run (or
 * wait) forever, and with an injected sleep that resolves at once, spin without yielding.
 */
function checkedOption(name: string, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new RestError('TV_ERR_REST_INVALID_OPTIONS', `${name} must be a finite number >= ${min}, got ${String(value)}`);
  }
  return v;
}

/** A RestClient that also tells what each venue's budget holds (for /metrics). */
export interface BudgetedRestClient extends RestClient {
  budgetStats(): VenueStats[];
}

/** The venue a URL belongs to and the key its pace, blocks and budget are kept under. */
function targetOf(url: string): { key: string; profile: VenueProfile | undefined } {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`protocol ${parsed.protocol}`);
    const profile = venueProfileOf(parsed);
    return { key: profile?.key ?? parsed.host, profile };
  } catch (cause) {
    throw new RestError('TV_ERR_REST_INVALID_URL', `not an http(s) URL: ${url}`, { url, cause });
  }
}

function parseBody(text: string): { json: boolean; value: unknown } {
  if (text.trim() === '') return { json: false, value: undefined };
  try {
    return { json: true, value: JSON.parse(text) };
  } catch {
    return { json: false, value: text };
  }
}

function blockedCode(reason: BlockReason): 'TV_ERR_REST_BANNED' | 'TV_ERR_REST_RATE_LIMITED' {
  return reason === 'banned' ? 'TV_ERR_REST_BANNED' : 'TV_ERR_REST_RATE_LIMITED';
}

export function createRestClient(options: RestClientOptions = {}): BudgetedRestClient {
  const timeoutMs = checkedOption('timeoutMs', options.timeoutMs, 10_000, 1);
  const maxRetries = checkedOption('maxRetries', options.maxRetries, 3, 0);
  const maxRateLimitRetries = checkedOption('maxRateLimitRetries', options.maxRateLimitRetries, 5, 0);
  const maxWaitMs = checkedOption('maxWaitMs', options.maxWaitMs, 300_000, 0);
  const banWaitMs = checkedOption('banWaitMs', options.banWaitMs, 60_000, 0);
  const backoff: BackoffOptions = {
    minDelayMs: checkedOption('minDelayMs', options.minDelayMs, 500, 0),
    maxDelayMs: checkedOption('maxDelayMs', options.maxDelayMs, 30_000, 0),
    jitter: JITTER,
  };
  const networkBackoff: BackoffOptions = {
    ...backoff,
    minDelayMs: Math.min(backoff.minDelayMs, checkedOption('networkMinDelayMs', options.networkMinDelayMs, 100, 0)),
  };
  const hedgeAfterMs = options.hedgeAfterMs === false ? false : checkedOption('hedgeAfterMs', options.hedgeAfterMs, 1_500, 1);
  const hedgeDelay = options.hedgeDelay ?? realDelay;
  const answerTimes = new AnswerTimes();
  const signal = options.signal;
  const baseSleep = options.sleep ?? realSleep;
  // A stopping system must not sit in a retry wait: the abort cuts every sleep short.
  const aborted = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
  const sleep = (ms: number) => (signal ? Promise.race([baseSleep(ms), aborted]) : baseSleep(ms));
  const checkOpen = (url: string, attempts: number) => {
    if (signal?.aborted) throw new RestError('TV_ERR_REST_ABORTED', `GET ${url}: the client was closed`, { url, attempts });
  };
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const transport = options.transport ?? nodeTransport;
  const logger = options.logger;
  // Validated by the throttle (TV_ERR_REST_INVALID_OPTIONS); Infinity turns pacing off.
  const throttle = createHostThrottle({
    requestsPerSecond: options.requestsPerSecond ?? 5,
    burst: options.burst,
    now,
    sleep,
  });
  // after the throttle: a spend is booked when its request really goes out
  const budget = createWeightBudget({
    ...(options.budgetShare !== undefined ? { share: options.budgetShare } : {}),
    now,
    sleep,
    blockedMs: (key) => throttle.blocked(key)?.remainingMs ?? 0,
    closed: () => signal?.aborted === true,
    ...(options.onBan ? { onBan: options.onBan } : {}),
    // after a restart, what the venue already counted for this IP is learnt before spending on
    firstAnswerWaitMs: FIRST_ANSWER_WAIT_MS,
  });

  /** one attempt: the request, and a copy of it if it is slow to answer (hedge.ts) */
  function send(url: string, host: string, profile: VenueProfile | undefined, countCopy: () => void): Promise<RawResponse> {
    const timed = (s: AbortSignal | undefined): Promise<RawResponse> => {
      const started = now();
      return transport(url, timeoutMs, s).then((raw) => {
        answerTimes.record(host, now() - started);
        return raw;
      });
    };
    const delayMs = hedgeAfterMs === false ? Infinity : answerTimes.hedgeDelayMs(host, hedgeAfterMs);
    if (delayMs >= timeoutMs) return timed(signal);
    return hedged({
      send: (s, copy) => {
        if (copy > 0) countCopy();
        return timed(s);
      },
      delay: hedgeDelay,
      delayMs,
      signal,
      beforeCopy: async () => {
        if (signal?.aborted || throttle.blocked(host) !== undefined) return false;
        await throttle.acquire(host);
        if (profile) await budget.acquire(profile);
        if (signal?.aborted) return false;
        logger?.warn({ url, afterMs: delayMs }, 'rest request slow to answer; sending a second copy');
        return true;
      },
    });
  }

  async function get(url: string): Promise<RestResponse> {
    const { key: host, profile } = targetOf(url);
    let attempts = 0;
    let failures = 0;
    let rateLimited = 0;

    // Bounded: every pass returns, throws, or spends one of `maxRetries` (failures) or
    // `maxRateLimitRetries` (rateLimited), both finite, so at most their sum + 1 requests go out.
    for (;;) {
      checkOpen(url, attempts);
      // Another request may have learnt that this host will not talk to us for a long while.
      const block = throttle.blocked(host);
      if (block !== undefined && block.remainingMs > maxWaitMs) {
        throw new RestError(
          blockedCode(block.reason),
          `${host} is blocked for another ${block.remainingMs} ms (over maxWaitMs ${maxWaitMs})`,
          { url, attempts, retryAfterMs: block.remainingMs },
        );
      }
      await throttle.acquire(host);
      if (profile) await budget.acquire(profile);
      checkOpen(url, attempts);
      attempts++;

      let raw;
      try {
        raw = await send(url, host, profile, () => attempts++);
      } catch (cause) {
        checkOpen(url, attempts);
        if (failures >= maxRetries) {
          const reason = (cause as { code?: unknown }).code;
          throw new RestError('TV_ERR_REST_FAILED', `GET ${url} failed after ${attempts} attempts (${String(reason)})`, {
            url,
            attempts,
            cause,
          });
        }
        const waitMs = backoffDelay(failures++, networkBackoff, random);
        const err = cause as { code?: unknown; message?: unknown };
        logger?.warn({ url, attempt: attempts, waitMs, code: err.code, error: String(err.message) }, 'rest request failed; retrying');
        await sleep(waitMs);
        continue;
      }

      if (profile) budget.observe(profile, raw.headers);
      const body = parseBody(raw.text);
      const verdict = classify(raw.status, body.value);

      if (verdict === 'done') {
        if (raw.status >= 200 && raw.status < 300 && raw.status !== 204 && !body.json) {
          throw new RestError('TV_ERR_REST_BAD_RESPONSE', `GET ${url}: ${raw.status} with a body that is not JSON`, {
            url,
            status: raw.status,
            attempts,
          });
        }
        return { status: raw.status, headers: raw.headers, body: body.value, text: raw.text };
      }

      if (verdict === 'server-error') {
        if (failures >= maxRetries) {
          throw new RestError('TV_ERR_REST_FAILED', `GET ${url}: ${raw.status} after ${attempts} attempts`, {
            url,
            status: raw.status,
            attempts,
          });
        }
        const waitMs = backoffDelay(failures++, backoff, random);
        logger?.warn({ url, status: raw.status, attempt: attempts, waitMs }, 'rest server error; retrying');
        await sleep(waitMs);
        continue;
      }

      // Rate limited or banned: the whole host waits, and never less than minDelayMs.
      const told = serverWaitMs(raw.headers, now());
      const fallback = backoffDelay(rateLimited, backoff, random);
      // a ban that names no end lasts at least the venue's documented minimum
      const banMs = Math.max(banWaitMs, profile?.banMs ?? 0, fallback);
      const waitMs = Math.max(backoff.minDelayMs, told ?? (verdict === 'banned' ? banMs : fallback));
      throttle.block(host, now() + waitMs, verdict);
      if (profile) budget.noteBlock(profile, now() + waitMs, verdict, raw.status, url);
      if (waitMs > maxWaitMs || rateLimited >= maxRateLimitRetries) {
        const why = waitMs > maxWaitMs ? `asked to wait ${waitMs} ms (over maxWaitMs ${maxWaitMs})` : `still limited after ${attempts} attempts`;
        throw new RestError(blockedCode(verdict), `GET ${url}: ${raw.status} ${verdict}, ${why}`, {
          url,
          status: raw.status,
          attempts,
          retryAfterMs: waitMs,
        });
      }
      rateLimited++;
      logger?.warn({ url, status: raw.status, attempt: attempts, waitMs, verdict }, 'rest request rate limited; waiting');
      // The next acquire() sleeps out the block.
    }
  }
  return Object.assign(get, { budgetStats: () => budget.stats() });
}
