/**
 * Per-record validation, pure. Returns the first reason a record is unfit, or undefined.
 * Checks are ordered so the reason is the most specific one: shape first, then values.
 *
 * Time is judged asymmetrically. A timestamp far in the future cannot be a trade that happened
 * (after allowing for how far the venue's clock is measured to run ahead of ours), so it is
 * refused. A timestamp in the past is only refused past `maxAgeMs`: a slow socket or a backlog
 * delivers genuine trades late, and refusing them would lose them for good (they would look
 * received to everything upstream). Late ones are kept and counted (`isLate`).
 */
import { EXCHANGE_IDS, MARKETS, type MarketRecord } from '../records.js';

export type RejectReason = 'schema' | 'price' | 'amount' | 'timestamp' | 'symbol';
export const REJECT_REASONS: readonly RejectReason[] = ['schema', 'price', 'amount', 'timestamp', 'symbol'];

export interface ValidationContext {
  /** ms since epoch, from the pipeline's clock */
  now: number;
  /** unified symbols of this exchange × market; absent: any symbol is accepted */
  knownSymbols?: ReadonlySet<string>;
  /**
   * how far `timestamp` may be ahead of `now` (plus clockAheadMs); also the delay past which a
   * record counts as late, and the past bound when maxAgeMs is absent
   */
  maxClockSkewMs: number;
  /**
   * how far in the past `timestamp` may be: live trades delivered late and REST backfill bring
   * trades minutes or hours old that are still good; older than this they are refused
   */
  maxAgeMs?: number;
  /**
   * how far the venue's clock is measured to run ahead of ours (≥ 0): its timestamps may be that
   * much further in the future without being wrong
   */
  clockAheadMs?: number;
}

const EXCHANGES: ReadonlySet<string> = new Set(EXCHANGE_IDS);
const MARKET_SET: ReadonlySet<string> = new Set(MARKETS);
/** ticker fields that are prices (must be > 0 when present) and sizes (must be ≥ 0 when present) */
const TICKER_PRICES = ['bid', 'ask', 'high24h', 'low24h'] as const;
const TICKER_SIZES = ['bidSize', 'askSize', 'volume24h', 'quoteVolume24h'] as const;

export function validateRecord(r: unknown, ctx: ValidationContext): RejectReason | undefined {
  if (typeof r !== 'object' || r === null) return 'schema';
  const rec = r as Partial<Record<string, unknown>>;
  if (
    typeof rec.exchange !== 'string' || !EXCHANGES.has(rec.exchange) ||
    typeof rec.market !== 'string' || !MARKET_SET.has(rec.market) ||
    typeof rec.symbol !== 'string' || rec.symbol === '' ||
    typeof rec.timestamp !== 'number' || typeof rec.localTimestamp !== 'number'
  ) {
    return 'schema';
  }
  const record = r as MarketRecord;
  if (record.type === 'trade') {
    if (typeof record.id !== 'string' || record.id === '' || (record.side !== 'buy' && record.side !== 'sell') ||
        typeof record.price !== 'number' || typeof record.amount !== 'number') {
      return 'schema';
    }
    if (!(record.price > 0) || record.price === Infinity) return 'price';
    if (!(record.amount > 0) || record.amount === Infinity) return 'amount';
  } else if (record.type === 'ticker') {
    if (typeof record.last !== 'number') return 'schema';
    for (const f of TICKER_PRICES) if (record[f] !== undefined && typeof record[f] !== 'number') return 'schema';
    for (const f of TICKER_SIZES) if (record[f] !== undefined && typeof record[f] !== 'number') return 'schema';
    // a ticker's `last` is a price, so it is judged (and counted) as one
    if (!(record.last > 0) || record.last === Infinity) return 'price';
    for (const f of TICKER_PRICES) {
      const v = record[f];
      if (v !== undefined && (!(v > 0) || v === Infinity)) return 'price';
    }
    for (const f of TICKER_SIZES) {
      const v = record[f];
      if (v !== undefined && (!(v >= 0) || v === Infinity)) return 'amount';
    }
  } else {
    return 'schema';
  }
  const { timestamp } = record;
  if (!Number.isFinite(timestamp) || !Number.isFinite(record.localTimestamp)) return 'timestamp';
  const ahead = timestamp - ctx.now;
  if (ahead > ctx.maxClockSkewMs + (ctx.clockAheadMs ?? 0) || -ahead > (ctx.maxAgeMs ?? ctx.maxClockSkewMs)) return 'timestamp';
  if (ctx.knownSymbols !== undefined && !ctx.knownSymbols.has(record.symbol)) return 'symbol';
  return undefined;
}

/** A valid record that arrived more than maxClockSkewMs after its exchange timestamp: kept, counted. */
export function isLate(record: MarketRecord, ctx: ValidationContext): boolean {
  return ctx.now - record.timestamp > ctx.maxClockSkewMs;
}
