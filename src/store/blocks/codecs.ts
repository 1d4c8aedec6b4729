/**
 * The codecs the store writes new blocks with, and the dispatch that reads any block by its codec
 * id (byte 0, block-header.ts). The writing codec is chosen here and nowhere else.
 */
import { StoreError } from '../errors.js';
import { readBlockHeader } from './block-header.js';
import type { BlockCodec, TickerColumns, TradeColumns } from './columns.js';
import type { ColumnMemory } from './column-memory.js';
import { plainTickerCodec, plainTradeCodec } from './plain-codec.js';
import { tickerBlockCodec } from './ticker-codec.js';
import { tradeBlockCodec } from './trade-codec.js';

/**
 * the codecs new blocks are encoded with: the compact columns (codec id 2). The plain fixed-width
 * codec (id 1) stays readable: it is the simple reference the store was first built against.
 */
export const tradeCodec: BlockCodec<TradeColumns> = tradeBlockCodec;
export const tickerCodec: BlockCodec<TickerColumns> = tickerBlockCodec;

const ONE = (v: number) => new Float64Array([v]);
/** one row: every codec encodes it (an empty block is an edge some codecs may refuse) */
const ONE_TRADE: TradeColumns = {
  length: 1, timestamps: ONE(1), localTimestamps: ONE(1), ids: { kind: 'numeric', values: ONE(1) }, prices: ONE(1), amounts: ONE(1), sides: new Uint8Array(1),
};
const ONE_TICKER: TickerColumns = {
  length: 1, timestamps: ONE(1), localTimestamps: ONE(1), last: ONE(1),
  optional: { bid: ONE(1), ask: ONE(1), bidSize: ONE(1), askSize: ONE(1), high24h: ONE(1), low24h: ONE(1), volume24h: ONE(1), quoteVolume24h: ONE(1) },
};

/** a codec's id is what it writes in byte 0: asked of the codec itself, so swapping it is one line */
const codecIdOf = <C>(codec: BlockCodec<C>, sample: C): number => codec.encode(sample)[0] as number;

const tradeDecoders = new Map<number, BlockCodec<TradeColumns>>([[codecIdOf(plainTradeCodec, ONE_TRADE), plainTradeCodec], [codecIdOf(tradeCodec, ONE_TRADE), tradeCodec]]);
const tickerDecoders = new Map<number, BlockCodec<TickerColumns>>([[codecIdOf(plainTickerCodec, ONE_TICKER), plainTickerCodec], [codecIdOf(tickerCodec, ONE_TICKER), tickerCodec]]);

function corrupt(what: string, error: unknown): StoreError {
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreError('TV_ERR_STORE_CORRUPT_VALUE', `${what} block cannot be read: ${reason}`, { cause: error });
}

export function decodeTradeBlock(bytes: Uint8Array, memory?: ColumnMemory): TradeColumns {
  try {
    const codec = tradeDecoders.get(readBlockHeader(bytes).codecId);
    if (codec === undefined) throw new RangeError(`unknown codec ${String(bytes[0])} (written by a newer tickvisor?)`);
    return codec.decode(bytes, memory);
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
