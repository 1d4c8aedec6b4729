/**
 * SUBSCRIBE / UNSUBSCRIBE frames: `{"method":"SUBSCRIBE","params":["btcusdt@trade",…],"id":1}`.
 * Binance answers `{"result":null,"id":1}`, so every request carries a fresh id from `nextId`.
 */
import type { Channel, Market } from '../../records.js';
import { chunk } from '../common.js';
import type { Instrument, WireRequest } from '../types.js';
import { streamName } from './symbols.js';

type Method = 'SUBSCRIBE' | 'UNSUBSCRIBE';

/** Binance ids are unsigned integers in its documentation: send a numeric id as a JSON number. */
function wireId(requestId: string): number | string {
  const n = Number(requestId);
  return Number.isSafeInteger(n) && n >= 0 && String(n) === requestId ? n : requestId;
}

/**
 * Requests for `instruments × channels`, at most `maxArgs` streams each. A request holds whole
 * instruments (all their channels), so an ack or a rejection concerns exactly `symbols`.
 */
export function streamRequests(
  method: Method,
  market: Market,
  instruments: readonly Instrument[],
  channels: readonly Channel[],
  nextId: () => string,
  maxArgs: number,
): WireRequest[] {
  if (instruments.length === 0 || channels.length === 0) return [];
  const perRequest = Math.max(1, Math.floor(maxArgs / channels.length));
  return chunk(instruments, perRequest).map((group) => {
    const params: string[] = [];
    for (const instrument of group) {
      for (const channel of channels) params.push(streamName(market, instrument.nativeId, channel));
    }
    const requestId = nextId();
    return {
      requestId,
      frame: JSON.stringify({ method, params, id: wireId(requestId) }),
      symbols: group.map((i) => i.symbol),
      channels: [...channels],
    };
  });
}
