/**
 * OKX subscribe/unsubscribe frames:
 * `{"id":"7","op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"},{"channel":"tickers","instId":"BTC-USDT"}]}`.
 * The documented optional `id` is echoed in acks and errors (trades/tickers channel docs), so it is
 * sent whenever the id is one OKX accepts (alphanumeric, ≤ 32 chars); errors carry no `arg`, and
 * the id is the only way to tie them to a request. Acks are still per stream (`arg`).
 * A symbol's channels always travel in the same request; requests stay within both the arg count
 * and the 64 KB args size.
 */
import type { Channel } from '../../records.js';
import type { Instrument, WireRequest } from '../types.js';
import { OKX_EXTRA_LIMITS, OKX_MAX_REQUEST_ID_LENGTH } from './limits.js';

const CHANNEL_NAME: Record<Channel, string> = { trade: 'trades', ticker: 'tickers', book: 'books' };

export function okxChannelName(channel: Channel): string {
  return CHANNEL_NAME[channel];
}

/** OKX accepts ids of up to 32 letters and digits; anything else is left out of the frame. */
export function okxAcceptsId(id: string): boolean {
  if (id.length === 0 || id.length > OKX_MAX_REQUEST_ID_LENGTH) return false;
  for (let k = 0; k < id.length; k++) {
    const c = id.charCodeAt(k);
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!alnum) return false;
  }
  return true;
}

interface Arg {
  channel: string;
  instId: string;
}

export function okxRequests(
  op: 'subscribe' | 'unsubscribe',
  instruments: readonly Instrument[],
  channels: readonly Channel[],
  maxArgsPerRequest: number,
  nextId: () => string,
  maxArgsBytes: number = OKX_EXTRA_LIMITS.maxArgsBytesPerRequest,
): WireRequest[] {
  if (instruments.length === 0 || channels.length === 0) return [];
  const out: WireRequest[] = [];
  let args: Arg[] = [];
  let bytes = 2; // the brackets of the args array
  let symbols: string[] = [];

  const flush = (): void => {
    if (args.length === 0) return;
    const id = nextId();
    const withId = okxAcceptsId(id);
    const frame = JSON.stringify(withId ? { id, op, args } : { op, args });
    out.push(withId ? { requestId: id, frame, symbols, channels: [...channels] } : { frame, symbols, channels: [...channels] });
    args = [];
    bytes = 2;
    symbols = [];
  };

  for (const instrument of instruments) {
    const mine: Arg[] = channels.map((c) => ({ channel: CHANNEL_NAME[c], instId: instrument.nativeId }));
    // serialized size of this symbol's args, commas included
    const size = mine.reduce((sum, a) => sum + Buffer.byteLength(JSON.stringify(a)) + 1, 0);
    if (args.length > 0 && (args.length + mine.length > maxArgsPerRequest || bytes + size > maxArgsBytes)) flush();
    args.push(...mine);
    bytes += size;
    symbols.push(instrument.symbol);
  }
  flush();
  return out;
}
