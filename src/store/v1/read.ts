/** Reading a store-format-1 record back from its key and value (see keys.ts and codec.ts here). */
import type { Key } from 'lmdb';
import type { ExchangeId, Market, MarketRecord } from '../../records.js';
import { StoreError } from '../errors.js';
import { idFromPart } from '../keys.js';
import { decodeTicker, decodeTrade } from './codec.js';

export function decodeV1Record(key: Key[], value: Uint8Array): MarketRecord {
  const [exchange, market, symbol, type, timestamp, sixth] = key as [ExchangeId, Market, string, string, number, Key];
  if (typeof timestamp !== 'number') throw new StoreError('TV_ERR_STORE_CORRUPT_VALUE', `format-1 key without a timestamp: ${JSON.stringify(key)}`);
  if (type === 'trade') return decodeTrade(value, exchange, market, symbol, timestamp, idFromPart(sixth));
  if (type === 'ticker' && typeof sixth === 'number') return decodeTicker(value, exchange, market, symbol, timestamp, sixth);
  throw new StoreError('TV_ERR_STORE_CORRUPT_VALUE', `format-1 key of unknown type: ${JSON.stringify(key)}`);
}
