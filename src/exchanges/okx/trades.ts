/**
 * One OKX trade row → Trade. Shared by the live `trades` channel and the history-trades REST
 * backfill, so both normalize identically (same id, side and contract rules).
 * Row: `{"instId":"BTC-USDT","tradeId":"130639474","px":"42219.9","sz":"0.12060306","side":"buy","ts":"1630048897897"}`.
 */
import type { Market, Trade } from '../../records.js';
import { isRecord, num, preview, timestampMs, tradeId } from '../common.js';
import type { Instrument } from '../types.js';
import { MalformedFrameError } from '../types.js';
import { contractSize, contractsToBase, type ScaledDecimal } from './contracts.js';

/** A row's own `instId` (when sent) must be the frame's: a frame that disagrees with itself is unreadable. */
export function checkSameInstId(value: unknown, instId: string): void {
  if (value !== undefined && value !== instId) {
    throw new MalformedFrameError(`entry for ${preview(value)} in a frame for ${preview(instId)}`);
  }
}

export function okxSide(value: unknown): 'buy' | 'sell' {
  if (value === 'buy' || value === 'sell') return value;
  throw new MalformedFrameError(`field side is not buy/sell: ${preview(value)}`);
}

/** Contract sizes by instId, for SWAP; built once per parser or backfill. */
export function contractTable(instruments: readonly Instrument[] | undefined): Map<string, ScaledDecimal> {
  const table = new Map<string, ScaledDecimal>();
  for (const i of instruments ?? []) {
    if (i.contractSize === undefined) continue;
    const size = contractSize(i.contractSize);
    if (size !== undefined) table.set(i.nativeId, size);
  }
  return table;
}

/**
 * `contract` is the instrument's ctVal for SWAP and undefined for SPOT. A SWAP trade of an
 * instrument with unknown ctVal is unreadable: storing contracts as base amount would be wrong.
 */
export function okxTrade(
  row: unknown,
  market: Market,
  symbol: string,
  contract: ScaledDecimal | undefined,
  localTimestamp: number,
  /** the instId the row must belong to (the frame's `arg.instId`, the REST request's instrument) */
  nativeId?: string,
): Trade {
  if (!isRecord(row)) throw new MalformedFrameError('trade entry is not an object');
  if (nativeId !== undefined) checkSameInstId(row.instId, nativeId);
  let amount: number;
  if (market === 'spot') {
    amount = num(row.sz, 'sz');
  } else {
    if (contract === undefined) throw new MalformedFrameError(`no contract size (ctVal) known for ${symbol}`, { reason: 'unknown-instrument' });
    amount = contractsToBase(row.sz, contract);
  }
  return {
    type: 'trade',
    exchange: 'okx',
    market,
    symbol,
    id: tradeId(row.tradeId, 'tradeId'),
    price: num(row.px, 'px'),
    amount,
    side: okxSide(row.side),
    timestamp: timestampMs(row.ts, 'ts'),
    localTimestamp,
  };
}
