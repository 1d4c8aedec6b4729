/**
 * REST faults, as venues really misbehave:
 *   - rest-5xx: an internal error. 500 and 503 come from the venue itself, in its own error body
 *     (Binance -1001 "Internal error…", OKX 50001 "Service temporarily unavailable", Bybit 10016
 *     "Server error", Upbit `server_error`); 502 and 504 come from the gateway in front of it, as an
 *     HTML page, so a client that assumes JSON on every answer is caught out;
 *   - rest-timeout: the request is read and never answered; the socket is dropped `latencyMs` later
 *     (default 30 s), long after any sensible client timeout;
 *   - rest-partial: a trade page holds fewer rows than asked although more exist (the first rows,
 *     in the venue's own order), as when a venue's history shard answers before its peers;
 *   - rest-empty: a trade page holds no rows although trades exist;
 *   - rest-ts-mismatch: every trade on the page carries a timestamp `skewMs` off (default 3 ms) from the
 *     one the WebSocket published for the same id, as venues that stamp REST with match time and
 *     WebSocket with publish time do. The ground truth keeps the WebSocket's timestamps.
 * Only trade-history endpoints get page faults; 5xx and timeouts hit any endpoint.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExchangeId, Market } from '../records.js';
import type { FaultBook } from './faults.js';
import type { RestReply } from './venue.js';

export interface RestFaultScope {
  readonly exchange: ExchangeId;
  readonly market: Market;
  readonly faults: FaultBook;
  /** the unified symbol behind the venue's native id in the query, when it names one */
  symbolOf(nativeId: string): string | undefined;
}

const DEFAULT_HANG_MS = 30_000;
const DEFAULT_TS_OFFSET_MS = 3;

/** the query parameter each venue names its symbol with */
const SYMBOL_PARAM: Record<ExchangeId, string> = { binance: 'symbol', okx: 'instId', bybit: 'symbol', upbit: 'market' };

function querySymbol(scope: RestFaultScope, query: URLSearchParams): string | undefined {
  const native = query.get(SYMBOL_PARAM[scope.exchange]);
  return native === null ? undefined : scope.symbolOf(native);
}

const isTradePage = (path: string) => /trade/i.test(path);

function venueError(exchange: ExchangeId, status: number, now: number): unknown {
  switch (exchange) {
    case 'binance':
      return status === 503
        ? { code: -1008, msg: 'Server is currently overloaded with other requests. Please try again in a few minutes.' }
        : { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' };
    case 'okx':
      return status === 503
        ? { code: '50001', msg: 'Service temporarily unavailable. Please try again later.', data: [] }
        : { code: '50026', msg: 'System error. Try again later.', data: [] };
    case 'bybit':
      return { retCode: 10016, retMsg: 'Server error', result: {}, retExtInfo: {}, time: now };
    case 'upbit':
      return { error: { name: 'server_error', message: 'Internal server error.' } };
  }
}

const GATEWAY_TEXT: Record<number, string> = { 502: 'Bad Gateway', 504: 'Gateway Time-out' };

/**
 * Answers the request itself when a 5xx or timeout fault is live for it: true when it did (the
 * venue must not answer then). A hanging request's socket is dropped later, never kept past that.
 */
export function answerRestFailure(scope: RestFaultScope, query: URLSearchParams, req: IncomingMessage, res: ServerResponse, now: number): boolean {
  if (scope.faults.empty) return false;
  const symbol = querySymbol(scope, query);
  const { faults, exchange, market } = scope;
  const hang = faults.take('rest-timeout', exchange, market, symbol);
  if (hang !== undefined) {
    const timer = setTimeout(() => req.socket.destroy(), hang.latencyMs ?? DEFAULT_HANG_MS);
    timer.unref();
    req.socket.once('close', () => clearTimeout(timer));
    return true;
  }
  const failure = faults.take('rest-5xx', exchange, market, symbol);
  if (failure === undefined) return false;
  const status = failure.status ?? 503;
  const gateway = GATEWAY_TEXT[status];
  if (gateway !== undefined) {
    res.writeHead(status, { 'content-type': 'text/html' });
    res.end(`<html>\r\n<head><title>${status} ${gateway}</title></head>\r\n<body>\r\n<center><h1>${status} ${gateway}</h1></center>\r\n</body>\r\n</html>\r\n`);
  } else {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(venueError(exchange, status, now)));
  }
  return true;
}

/** The rows of a venue's trade page: the array itself (Binance, Upbit), `data` (OKX) or `result.list` (Bybit). */
function pageRows(body: unknown): { rows: unknown[]; set(rows: unknown[]): void } | undefined {
  if (Array.isArray(body)) {
    return {
      rows: body,
      set: (rows) => {
        body.length = 0;
        body.push(...rows);
      },
    };
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const obj = body as { data?: unknown; result?: { list?: unknown } };
  if (Array.isArray(obj.data)) return { rows: obj.data, set: (rows) => (obj.data = rows) };
  if (obj.result !== undefined && Array.isArray(obj.result.list)) {
    const result = obj.result;
    return { rows: result.list as unknown[], set: (rows) => (result.list = rows) };
  }
  return undefined;
}

/** moves one trade row's timestamp by `offset`, in the venue's own field and type */
function shiftTimestamp(exchange: ExchangeId, row: Record<string, unknown>, offset: number): void {
  const field = exchange === 'okx' ? 'ts' : exchange === 'upbit' ? 'timestamp' : 'T' in row ? 'T' : 'time';
  const value = row[field];
  if (typeof value === 'number') row[field] = value + offset;
  else if (typeof value === 'string') row[field] = String(Number(value) + offset);
  if (exchange === 'upbit' && typeof row.timestamp === 'number') {
    const iso = new Date(row.timestamp).toISOString();
    row.trade_date_utc = iso.slice(0, 10);
    row.trade_time_utc = iso.slice(11, 19);
  }
}

/** Reshapes a successful trade page when a page fault is live for its symbol. */
export function shapeRestReply(scope: RestFaultScope, path: string, query: URLSearchParams, reply: RestReply): void {
  if (scope.faults.empty || reply.status !== 200 || !isTradePage(path)) return;
  const page = pageRows(reply.body);
  if (page === undefined || page.rows.length === 0) return;
  const { faults, exchange, market } = scope;
  const symbol = querySymbol(scope, query);
  if (faults.consume('rest-empty', exchange, market, symbol)) {
    page.set([]);
    return;
  }
  let rows = page.rows;
  if (rows.length >= 2) {
    const partial = faults.take('rest-partial', exchange, market, symbol);
    if (partial !== undefined) {
      const keep = Math.min(partial.rows ?? Math.ceil(rows.length / 2), rows.length - 1);
      rows = rows.slice(0, Math.max(keep, 1));
      page.set(rows);
    }
  }
  const mismatch = faults.take('rest-ts-mismatch', exchange, market, symbol);
  if (mismatch !== undefined) {
    const offset = mismatch.skewMs ?? DEFAULT_TS_OFFSET_MS;
    for (const row of rows) if (typeof row === 'object' && row !== null) shiftTimestamp(exchange, row as Record<string, unknown>, offset);
  }
}
