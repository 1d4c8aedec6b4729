/**
 * Bybit subscribe/unsubscribe frames: `{"req_id":"7","op":"subscribe","args":["publicTrade.BTCUSDT","tickers.BTCUSDT"]}`.
 * A symbol's topics always travel in the same request, so an ack (or a rejection) covers whole symbols.
 */
import type { Channel } from '../../records.js';
import { chunk } from '../common.js';
import type { Instrument, WireRequest } from '../types.js';

const TOPIC_PREFIX: Record<Exclude<Channel, 'book'>, string> = { trade: 'publicTrade.', ticker: 'tickers.' };

/** Bybit's book depths (`orderbook.50.BTCUSDT`); 50 and 200 exist on spot and linear alike. */
export const BYBIT_BOOK_DEPTHS = [50, 200] as const;

/** the smallest book channel that carries `depth` levels (the deepest when none does) */
export function bybitBookDepth(depth = 50): number {
  return BYBIT_BOOK_DEPTHS.find((d) => d >= depth) ?? 200;
}

export function bybitTopic(channel: Channel, nativeId: string, bookDepth?: number): string {
  return channel === 'book' ? `orderbook.${bybitBookDepth(bookDepth)}.${nativeId}` : TOPIC_PREFIX[channel] + nativeId;
}

export function bybitRequests(
  op: 'subscribe' | 'unsubscribe',
  instruments: readonly Instrument[],
  channels: readonly Channel[],
  maxArgsPerRequest: number,
  nextId: () => string,
  bookDepth?: number,
): WireRequest[] {
  if (instruments.length === 0 || channels.length === 0) return [];
  const symbolsPerRequest = Math.max(1, Math.floor(maxArgsPerRequest / channels.length));
  return chunk(instruments, symbolsPerRequest).map((group) => {
    const requestId = nextId();
    const args: string[] = [];
    for (const instrument of group) {
      for (const channel of channels) args.push(bybitTopic(channel, instrument.nativeId, bookDepth));
    }
    return {
      requestId,
      frame: JSON.stringify({ req_id: requestId, op, args }),
      symbols: group.map((i) => i.symbol),
      channels: [...channels],
    };
  });
}
