/**
 * Store format 1's value encoding (tickvisor 0.1), kept so `tickvisor migrate`
 * can read it (and tests can write such a store). The key holds exchange, market, symbol, type,
 * timestamp and id, so a value carries only the rest, as fixed-width float64s:
 *
 *   trade  (25 bytes): price, amount, localTimestamp, side (u8: 0 buy, 1 sell)
 *   ticker (9 + 8n):   presence mask (u8), last, then each present optional field in OPTIONAL order
 */
import type { ExchangeId, Market, Ticker, Trade } from '../../records.js';
import { StoreError } from '../errors.js';

export const TRADE_VALUE_BYTES = 25;

/** Ticker optional fields, in mask-bit order. Exactly eight: one mask byte. */
export const TICKER_OPTIONAL_FIELDS = ['bid', 'ask', 'bidSize', 'askSize', 'high24h', 'low24h', 'volume24h', 'quoteVolume24h'] as const;
const OPTIONAL = TICKER_OPTIONAL_FIELDS;
type OptionalField = (typeof OPTIONAL)[number];

export const MAX_TICKER_VALUE_BYTES = 1 + 8 * (1 + OPTIONAL.length);

export class ValueScratch {
  readonly trade = Buffer.alloc(TRADE_VALUE_BYTES);
  readonly ticker = Buffer.alloc(MAX_TICKER_VALUE_BYTES);
}

export function encodeTrade(t: Trade, scratch: ValueScratch): Buffer {
  const b = scratch.trade;
  b.writeDoubleLE(t.price, 0);
  b.writeDoubleLE(t.amount, 8);
  b.writeDoubleLE(t.localTimestamp, 16);
  b[24] = t.side === 'sell' ? 1 : 0;
  return b;
}

export function decodeTrade(
  value: Uint8Array,
  exchange: ExchangeId,
  market: Market,
  symbol: string,
  timestamp: number,
  id: string,
): Trade {
  if (value.length !== TRADE_VALUE_BYTES) {
    throw new StoreError('TV_ERR_STORE_CORRUPT_VALUE', `trade value of ${value.length} bytes at ${symbol} ${id}`);
  }
  const b = asBuffer(value);
  return {
    type: 'trade',
    exchange,
    market,
    symbol,
    id,
    price: b.readDoubleLE(0),
    amount: b.readDoubleLE(8),
    side: b[24] === 1 ? 'sell' : 'buy',
    timestamp,
    localTimestamp: b.readDoubleLE(16),
  };
}

export function encodeTicker(t: Ticker, scratch: ValueScratch): Buffer {
  const b = scratch.ticker;
  let mask = 0;
  let pos = 9;
  b.writeDoubleLE(t.last, 1);
  for (let i = 0; i < OPTIONAL.length; i++) {
    const v = t[OPTIONAL[i] as OptionalField];
    if (v !== undefined) {
      mask |= 1 << i;
      b.writeDoubleLE(v, pos);
      pos += 8;
    }
  }
  b[0] = mask;
  return b.subarray(0, pos);
}

export function decodeTicker(
  value: Uint8Array,
  exchange: ExchangeId,
  market: Market,
  symbol: string,
  timestamp: number,
  localTimestamp: number,
): Ticker {
  const b = asBuffer(value);
  const mask = b[0] ?? 0;
  let expected = 9;
  for (let i = 0; i < OPTIONAL.length; i++) if (mask & (1 << i)) expected += 8;
  if (b.length !== expected) {
    throw new StoreError('TV_ERR_STORE_CORRUPT_VALUE', `ticker value of ${b.length} bytes, mask says ${expected}`);
  }
  const t: Ticker = { type: 'ticker', exchange, market, symbol, timestamp, localTimestamp, last: b.readDoubleLE(1) };
  let pos = 9;
  for (let i = 0; i < OPTIONAL.length; i++) {
    if (mask & (1 << i)) {
      t[OPTIONAL[i] as OptionalField] = b.readDoubleLE(pos);
      pos += 8;
    }
  }
  return t;
}

function asBuffer(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
