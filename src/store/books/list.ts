/**
 * What book series a store holds (`tickvisor query --list`): per symbol, the stored time of its
 * first and last record, its record count and the values (blocks) holding them. One pass over the
 * record keys, reading only each value's header (a block's record count), plus one reverse seek
 * per symbol for its last record's key.
 */
import type { RootDatabase } from 'lmdb';
import { EXCHANGE_IDS, MARKETS, type ExchangeId, type Market } from '../../records.js';
import { ByteReader } from '../blocks/byte-reader.js';
import { corrupt } from '../blocks/corrupt.js';
import { BLOCK_VERSION, isBookBlock } from './block-codec.js';
import { keyParts, lastBookKey, openExistingBookDbs } from './keys.js';

export interface BookSeries {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  /** records stored */
  records: number;
  /** stored values: blocks (one-record values of older stores count one each) */
  blocks: number;
  /** stored time (ms) of the first and the last record */
  first: number;
  last: number;
}

const EXCHANGES = new Set<string>(EXCHANGE_IDS);
const MARKET_NAMES = new Set<string>(MARKETS);

/** every symbol with stored book records, in key order (exchange, market, symbol) */
export function listBookSeries(env: RootDatabase): BookSeries[] {
  const dbs = openExistingBookDbs(env);
  if (dbs === undefined) return [];
  const out: BookSeries[] = [];
  let current: BookSeries | undefined;
  for (const { key, value } of dbs.records.getRange({ snapshot: true })) {
    const parts = keyParts(key);
    const [exchange, market, symbol] = key as unknown[];
    if (parts === undefined || typeof exchange !== 'string' || !EXCHANGES.has(exchange) || typeof market !== 'string' || !MARKET_NAMES.has(market) || typeof symbol !== 'string') {
      throw corrupt('book record key');
    }
    if (current === undefined || current.exchange !== exchange || current.market !== market || current.symbol !== symbol) {
      current = { exchange: exchange as ExchangeId, market: market as Market, symbol, records: 0, blocks: 0, first: parts.time, last: parts.time };
      out.push(current);
    }
    current.blocks++;
    current.records += isBookBlock(value) ? blockCount(value) : 1;
  }
  for (const s of out) s.last = lastBookKey(dbs.records, s.exchange, s.market, s.symbol)?.time ?? s.first;
  return out;
}

function blockCount(value: Uint8Array): number {
  const r = new ByteReader(value);
  if (r.byte() !== BLOCK_VERSION) throw corrupt('book block: unknown version');
  return r.varint();
}
