/**
 * Store format 1 (tickvisor 0.1): one LMDB key per record in the `records` DB.
 *
 *   trade:  [exchange, market, symbol, 'trade',  timestamp, idPart]
 *   ticker: [exchange, market, symbol, 'ticker', timestamp, localTimestamp, seq]
 *
 * Kept only so `tickvisor migrate` can read such a store (and tests can write one).
 */
import type { Key } from 'lmdb';
import type { Ticker, Trade } from '../../records.js';
import { idPart } from '../keys.js';

export const V1_RECORDS_DB = 'records';

export function v1TradeKey(t: Trade): Key[] {
  return [t.exchange, t.market, t.symbol, 'trade', t.timestamp, idPart(t.id)];
}

export function v1TickerKey(t: Ticker, seq: number): Key[] {
  return [t.exchange, t.market, t.symbol, 'ticker', t.timestamp, t.localTimestamp, seq];
}
