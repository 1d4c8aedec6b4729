/**
 * Upbit subscription frames. One frame names everything the connection wants and replaces the
 * previous subscription on that connection, so:
 * - subscribing returns ONE frame for the connection's whole list (`all` plus the new instruments);
 * - unsubscribing re-sends the list that remains; nothing remaining → no frame (Upbit rejects an
 *   empty `codes`, "codes 필드가 비어 있습니다"), and the caller closes the connection instead.
 * Upbit echoes no request id (the first data frame confirms), so `requestId` is left out and
 * `nextId` only makes the frame's unique ticket.
 */
import type { Channel } from '../../records.js';
import type { Instrument, WireRequest } from '../types.js';
import { SubscriptionTooLargeError } from '../errors.js';

/** Instruments in order, each native code once (a list merged from `all` and new instruments). */
function distinct(lists: readonly (readonly Instrument[])[]): Instrument[] {
  const seen = new Set<string>();
  const out: Instrument[] = [];
  for (const list of lists) {
    for (const i of list) {
      if (!seen.has(i.nativeId)) {
        seen.add(i.nativeId);
        out.push(i);
      }
    }
  }
  return out;
}

/** `[{"ticket":…},{"type":"trade","codes":[…]},{"type":"ticker","codes":[…]},{"format":"DEFAULT"}]` */
export function subscriptionFrame(ticket: string, instruments: readonly Instrument[], channels: readonly Channel[]): string {
  // Codes must be upper-case.
  const codes = instruments.map((i) => i.nativeId.toUpperCase());
  const parts: object[] = [{ ticket }];
  // the book channel is Upbit's `orderbook` (30 units by default)
  for (const channel of channels) parts.push({ type: channel === 'book' ? 'orderbook' : channel, codes });
  parts.push({ format: 'DEFAULT' });
  return JSON.stringify(parts);
}

function ticket(nextId: () => string): string {
  return `tickvisor-${nextId()}`;
}

function checkSize(instruments: readonly Instrument[], channels: readonly Channel[], maxStreams: number): void {
  const streams = instruments.length * channels.length;
  if (streams > maxStreams) throw new SubscriptionTooLargeError('Upbit', streams, maxStreams);
}

/** One frame for the whole list; `symbols` = every unified symbol the frame (re)subscribes. */
export function upbitSubscribeRequests(
  instruments: readonly Instrument[],
  channels: readonly Channel[],
  nextId: () => string,
  all: readonly Instrument[] | undefined,
  maxStreams: number,
): WireRequest[] {
  const list = distinct([all ?? [], instruments]);
  if (list.length === 0 || channels.length === 0) return [];
  checkSize(list, channels, maxStreams);
  return [{ frame: subscriptionFrame(ticket(nextId), list, channels), symbols: list.map((i) => i.symbol), channels: [...channels] }];
}

/**
 * One frame re-sending `remaining` (minus the dropped instruments, should the caller include them);
 * `symbols` = the unified symbols dropped, which is what this request is about.
 */
export function upbitUnsubscribeRequests(
  instruments: readonly Instrument[],
  channels: readonly Channel[],
  nextId: () => string,
  remaining: readonly Instrument[] | undefined,
  maxStreams: number,
): WireRequest[] {
  if (instruments.length === 0 || channels.length === 0) return [];
  const dropped = new Set(instruments.map((i) => i.nativeId));
  const keep = distinct([remaining ?? []]).filter((i) => !dropped.has(i.nativeId));
  if (keep.length === 0) return [];
  checkSize(keep, channels, maxStreams);
  return [{ frame: subscriptionFrame(ticket(nextId), keep, channels), symbols: instruments.map((i) => i.symbol), channels: [...channels] }];
}
