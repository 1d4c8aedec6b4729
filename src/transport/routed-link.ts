/**
 * One connection over several sockets, for a venue that serves a connection's channels on
 * different URLs (Binance USDⓈ-M: depth on `/public`, trades and tickers on `/market`). Each URL
 * gets its own Link with its own channels; to the connection actor they are one feed: open once all
 * are open, closed as soon as one closes (the others are closed with it, and the actor reconnects
 * them all), a symbol confirmed once every socket confirmed it, refusals and data from any socket.
 */
import type { Channel } from '../records.js';
import type { Clock } from '../time/clock.js';
import { Link, type LinkEvents } from './link.js';
import type { VenueIo } from './venue-io.js';

/** what the connection actor needs of its feed: a Link, or several behaving as one */
export interface FeedLink {
  readonly open: boolean;
  readonly onSocket: Set<string>;
  subscribe(symbols: readonly string[]): void;
  unsubscribe(symbols: readonly string[]): void;
  ping(): void;
  pause(paused: boolean): void;
  close(): void;
}

/** A Link, or a RoutedLink when the venue serves these channels on more than one URL. */
export function openFeedLink(io: VenueIo, channels: Channel[], group: number, on: LinkEvents, clock?: Clock): FeedLink {
  const byUrl = new Map<string, Channel[]>();
  for (const c of channels) {
    const url = io.adapter.channelUrl?.(c, io.wsUrl) ?? io.wsUrl;
    byUrl.set(url, [...(byUrl.get(url) ?? []), c]);
  }
  if (byUrl.size === 1) return new Link(io, channels, group, on, clock, [...byUrl.keys()][0]);
  return new RoutedLink(io, [...byUrl].map(([url, chans]) => ({ url, channels: chans })), group, on, clock);
}

export class RoutedLink implements FeedLink {
  private readonly links: Link[];
  private opened = 0;
  private done = false;
  /** symbol → the sockets (by index) that have not confirmed it yet */
  private readonly pending = new Map<string, Set<number>>();

  constructor(io: VenueIo, routes: Array<{ url: string; channels: Channel[] }>, group: number, private readonly on: LinkEvents, clock?: Clock) {
    this.links = routes.map((route, index) =>
      new Link(io, route.channels, group, {
        open: () => {
          if (++this.opened === this.links.length && !this.done) on.open();
        },
        closed: (reason) => this.finish(reason),
        acked: (symbols) => this.acked(index, symbols),
        rejected: (symbols, reason, named) => {
          for (const s of symbols) this.pending.delete(s);
          on.rejected(symbols, reason, named);
        },
        pong: () => on.pong(),
        frame: (records, malformed, batch, from) => on.frame(records, malformed, batch, from),
        bookFrame: (symbol, receivedAt) => on.bookFrame?.(symbol, receivedAt),
      }, clock, route.url),
    );
  }

  get open(): boolean {
    return !this.done && this.links.every((l) => l.open);
  }

  /** the streams asked for (the same on every socket) */
  get onSocket(): Set<string> {
    return (this.links[0] as Link).onSocket;
  }

  subscribe(symbols: readonly string[]): void {
    for (const s of symbols) this.pending.set(s, new Set(this.links.map((_, i) => i)));
    for (const l of this.links) l.subscribe(symbols);
  }

  unsubscribe(symbols: readonly string[]): void {
    for (const s of symbols) this.pending.delete(s);
    for (const l of this.links) l.unsubscribe(symbols);
  }

  ping(): void {
    for (const l of this.links) l.ping();
  }

  pause(paused: boolean): void {
    for (const l of this.links) l.pause(paused);
  }

  close(): void {
    this.done = true;
    for (const l of this.links) l.close();
  }

  private acked(index: number, symbols: string[]): void {
    const confirmed: string[] = [];
    for (const s of symbols) {
      const waiting = this.pending.get(s);
      // a confirmation nobody waits for (a book resubscribed on one socket) changes nothing
      if (waiting === undefined) continue;
      waiting.delete(index);
      if (waiting.size === 0) {
        this.pending.delete(s);
        confirmed.push(s);
      }
    }
    if (confirmed.length > 0 && !this.done) this.on.acked(confirmed);
  }

  private finish(reason: string): void {
    if (this.done) return;
    this.done = true;
    for (const l of this.links) l.close();
    this.on.closed(reason);
  }
}
