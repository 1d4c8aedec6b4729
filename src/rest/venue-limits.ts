/**
 * What each venue lets one IP spend on REST, and how it tells us what we spent: pure data and
 * parsing, no clock, no I/O. The venue is recognised from the request URL's API root (`/api/v3/`,
 * `/fapi/`, `/api/v5/`, `/v5/`, `/v1/`), so a budget follows the venue wherever it is served: the
 * real hosts, or the embedded simulator, which serves every venue on one loopback port under a
 * `/<exchange>/<market>` prefix. The budget key is host + that prefix: Bybit spot and linear on
 * api.bybit.com share one budget (the venue counts per IP across both), the simulator's do not
 * (it keeps one window per market).
 *
 * Limits (per IP, as documented by each venue):
 * - Binance spot: request weight 6000 per minute; futures: 2400 per minute. Every answer carries
 *   `X-MBX-USED-WEIGHT-1M`; over the limit 429 + Retry-After, going on after that 418 (an IP ban
 *   of 2 minutes up to 3 days, Retry-After = seconds until it ends).
 * - Bybit: 600 requests per 5 s window for all of api.bybit.com; answers may carry `X-Bapi-Limit`,
 *   `X-Bapi-Limit-Status` (remaining) and `X-Bapi-Limit-Reset-Timestamp`; over it HTTP 403 and at
 *   least 10 minutes of silence (or retCode 10006).
 * - OKX: each public endpoint has its own limit per IP (history-trades and instruments 20 requests
 *   per 2 s) and OKX returns no accounting headers, so we pace by the documented figures alone;
 *   over it 429 with code 50011.
 * - Upbit: quotation requests per second per IP by group (10/s each), `Remaining-Req:
 *   group=…; min=…; sec=<remaining>` (min is deprecated and fixed); over it 429, going on 418.
 */
import type { ExchangeId } from '../records.js';

export interface PoolSpec {
  /** a fixed, short name: it is a metric label */
  name: string;
  /** what the venue allows in one window */
  limit: number;
  windowMs: number;
}

/** The venue's own figure for one pool, read off an answer. */
export interface ReportedUsage {
  pool: string;
  /** what the venue has counted for us in its current window, this answer included */
  used: number;
  /** when the venue's window ends (ms since epoch), when it says or when its window is aligned */
  resetAt?: number;
}

export interface VenueProfile {
  exchange: ExchangeId;
  /** the budget's identity: host, plus the path prefix in front of the API root */
  key: string;
  pools: readonly PoolSpec[];
  /** the pool this request spends and how much */
  pool: string;
  weight: number;
  /** how long a ban lasts when the venue names no end (its documented minimum) */
  banMs: number;
  /** the venue tells its accounting in its answers' headers (readUsage can learn from them) */
  reportsUsage: boolean;
  /** the venue's accounting in an answer's headers (lower-case names), for this request's pool */
  readUsage(headers: Readonly<Record<string, string | undefined>>, now: number): ReportedUsage | undefined;
}

interface VenueRule {
  exchange: ExchangeId;
  /** the API root, as found in the path */
  root: string;
  pools: readonly PoolSpec[];
  banMs: number;
  reportsUsage: boolean;
  cost(apiPath: string, query: URLSearchParams): { pool: string; weight: number };
  readUsage(headers: Readonly<Record<string, string | undefined>>, pool: string, now: number): ReportedUsage | undefined;
}

const MINUTE = 60_000;

/** a non-negative integer header, else undefined (a venue answering garbage must not poison the budget) */
function intHeader(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d{1,12}\s*$/.test(value)) return undefined;
  return Number(value);
}

/** Binance request weights (IP limits) of the endpoints tickvisor calls; 1 for any other. */
const BINANCE_SPOT_WEIGHTS: Record<string, number> = {
  exchangeInfo: 20,
  aggTrades: 4,
  historicalTrades: 25,
  trades: 25,
  ping: 1,
  time: 1,
};
const BINANCE_FUTURES_WEIGHTS: Record<string, number> = {
  exchangeInfo: 1,
  aggTrades: 20,
  historicalTrades: 20,
  trades: 5,
  ping: 1,
  time: 1,
};

/** the order book's weight grows with its depth (spot: 5 up to 100 levels … 250 for 5000) */
function binanceDepthWeight(futures: boolean, query: URLSearchParams): number {
  const limit = Number(query.get('limit') ?? 100);
  if (futures) return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
  return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
}

function binanceRule(futures: boolean): VenueRule {
  const weights = futures ? BINANCE_FUTURES_WEIGHTS : BINANCE_SPOT_WEIGHTS;
  return {
    exchange: 'binance',
    root: futures ? '/fapi/' : '/api/v3/',
    pools: [{ name: 'weight', limit: futures ? 2400 : 6000, windowMs: MINUTE }],
    banMs: 2 * MINUTE,
    reportsUsage: true,
    cost(apiPath, query) {
      const endpoint = apiPath.split('/').pop() ?? '';
      const weight = endpoint === 'depth' ? binanceDepthWeight(futures, query) : (weights[endpoint] ?? 1);
      return { pool: 'weight', weight };
    },
    readUsage(headers, _pool, now) {
      const used = intHeader(headers['x-mbx-used-weight-1m']);
      // Binance counts per clock minute: what it reports is forgotten when the minute turns
      return used === undefined ? undefined : { pool: 'weight', used, resetAt: Math.floor(now / MINUTE) * MINUTE + MINUTE };
    },
  };
}

const bybitRule: VenueRule = {
  exchange: 'bybit',
  root: '/v5/',
  pools: [{ name: 'requests', limit: 600, windowMs: 5_000 }],
  banMs: 10 * MINUTE,
  reportsUsage: true,
  cost: () => ({ pool: 'requests', weight: 1 }),
  readUsage(headers, pool, now) {
    const limit = intHeader(headers['x-bapi-limit']);
    const remaining = intHeader(headers['x-bapi-limit-status']);
    if (limit === undefined || remaining === undefined) return undefined;
    const reset = intHeader(headers['x-bapi-limit-reset-timestamp']);
    // outside a limit the reset header is just "now": no window end worth keeping
    const resetAt = reset !== undefined && reset > now ? reset : undefined;
    return { pool, used: Math.max(0, limit - remaining), ...(resetAt !== undefined ? { resetAt } : {}) };
  },
};

/** OKX's documented per-endpoint limits (requests per 2 s per IP) of the endpoints tickvisor calls. */
const OKX_LIMITS: Record<string, number> = {
  'market/history-trades': 20,
  'market/trades': 100,
  'market/books': 40,
  'public/instruments': 20,
};
const OKX_DEFAULT_LIMIT = 20;

const okxRule: VenueRule = {
  exchange: 'okx',
  root: '/api/v5/',
  pools: [
    ...Object.entries(OKX_LIMITS).map(([name, limit]) => ({ name, limit, windowMs: 2_000 })),
    { name: 'other', limit: OKX_DEFAULT_LIMIT, windowMs: 2_000 },
  ],
  banMs: MINUTE,
  reportsUsage: false,
  cost: (apiPath) => ({ pool: OKX_LIMITS[apiPath] !== undefined ? apiPath : 'other', weight: 1 }),
  // OKX sends no accounting: the documented limits are all we have
  readUsage: () => undefined,
};

/** Upbit quotation groups, by the first path segment after /v1/. */
const UPBIT_GROUPS: Record<string, string> = { trades: 'trade', ticker: 'ticker', candles: 'candle', orderbook: 'orderbook' };

const upbitRule: VenueRule = {
  exchange: 'upbit',
  root: '/v1/',
  pools: ['market', 'trade', 'ticker', 'candle', 'orderbook'].map((name) => ({ name, limit: 10, windowMs: 1_000 })),
  banMs: MINUTE,
  reportsUsage: true,
  cost: (apiPath) => ({ pool: UPBIT_GROUPS[apiPath.split('/')[0] ?? ''] ?? 'market', weight: 1 }),
  readUsage(headers, pool, now) {
    const header = headers['remaining-req'];
    if (header === undefined) return undefined;
    const sec = /(?:^|;)\s*sec=(\d{1,9})\s*(?:;|$)/.exec(header);
    if (!sec) return undefined;
    // the answer speaks for the group of this request, whatever name Upbit gives the group
    return { pool, used: Math.max(0, 10 - Number(sec[1])), resetAt: Math.floor(now / 1000) * 1000 + 1000 };
  },
};

/** Order matters: `/fapi/v1/` and `/api/v5/` must be recognised before `/v1/` and `/v5/`. */
const RULES: readonly VenueRule[] = [binanceRule(true), binanceRule(false), okxRule, bybitRule, upbitRule];

/** The venue a URL belongs to, or undefined for a URL of no venue we know (paced, but not budgeted). */
export function venueProfileOf(url: URL): VenueProfile | undefined {
  const path = url.pathname;
  for (const rule of RULES) {
    const at = path.indexOf(rule.root);
    if (at < 0) continue;
    const { pool, weight } = rule.cost(path.slice(at + rule.root.length), url.searchParams);
    return {
      exchange: rule.exchange,
      key: url.host + path.slice(0, at),
      pools: rule.pools,
      pool,
      weight,
      banMs: rule.banMs,
      reportsUsage: rule.reportsUsage,
      readUsage: (headers, now) => rule.readUsage(headers, pool, now),
    };
  }
  return undefined;
}
