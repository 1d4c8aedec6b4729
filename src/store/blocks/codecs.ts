/**
 * The codecs the store writes new blocks with, and the dispatch that reads any block by its codec
 * id (byte 0, block-header.ts). The writing codec is chosen here and nowhere else.
 */
import { StoreError } from '../errors.js';
import { readBlockHeader } from './block-header.js';
import type { BlockCodec, TickerColumns, TradeColumns } from './columns.js';
import { plainTickerCodec, plainTradeCodec } from './plain-codec.js';

/** the codecs new blocks are encoded with */
export const tradeCodec: BlockCodec<TradeColumns> = plainTradeCodec;
export const tickerCodec: BlockCodec<TickerColumns> = plainTickerCodec;

const EMPTY_TRADES: TradeColumns = {
  length: 0, timestamps: new Float64Array(0), localTimestamps: new Float64Array(0), ids: { kind: 'numeric', values: new Float64Array(0) },
  prices: new Float64Array(0), amounts: new Float64Array(0), sides: new Uint8Array(0),
};
const EMPTY_TICKERS: TickerColumns = {
  length: 0, timestamps: new Float64Array(0), localTimestamps: new Float64Array(0), last: new Float64Array(0),
  optional: { bid: new Float64Array(0), ask: new Float64Array(0), bidSize: new Float64Array(0), askSize: new Float64Array(0), high24h: new Float64Array(0), low24h: new Float64Array(0), volume24h: new Float64Array(0), quoteVolume24h: new Float64Array(0) },
};

/** a codec's id is what it writes in byte 0: asked of the codec itself, so swapping it is one line */
const codecIdOf = <C>(codec: BlockCodec<C>, empty: C): number => codec.encode(empty)[0] as number;

const tradeDecoders = new Map<number, BlockCodec<TradeColumns>>([[codecIdOf(plainTradeCodec, EMPTY_TRADES), plainTradeCodec], [codecIdOf(tradeCodec, EMPTY_TRADES), tradeCodec]]);
const tickerDecoders = new Map<number, BlockCodec<TickerColumns>>([[codecIdOf(plainTickerCodec, EMPTY_TICKERS), plainTickerCodec], [codecIdOf(tickerCodec, EMPTY_TICKERS), tickerCodec]]);

function corrupt(what: string, error: unknown): StoreError {
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreError('TV_ERR_STORE_CORRUPT_VALUE', `${what} block cannot be read: ${reason}`, { cause: error });
}

export function decodeTradeBlock(bytes: Uint8Array): TradeColumns {
  try {
    const codec = tradeDecoders.get(readBlockHeader(bytes).codecId);
    if (codec === undefined) throw new RangeError(`unknown codec ${String(bytes[0])} (written by a newer tickvisor?)`);
    return codec.decode(bytes);
  } catch (error) {
    throw corrupt('trade', error);
  }
}

export function decodeTickerBlock(bytes: Uint8Array): TickerColumns {
  try {
    const codec = tickerDecoders.get(readBlockHeader(bytes).codecId);
    if (codec === undefined) throw new RangeError(`unknown codec ${String(bytes[0])} (written by a newer tickvisor?)`);
    return codec.decode(bytes);
  } catch (error) {
    throw corrupt('ticker', error);
  }
}
