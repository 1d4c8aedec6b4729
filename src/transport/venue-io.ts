/** What a connection needs from the running system for one exchange × market. */
import type { ClientSocket } from './ws-client.js';
import type { Subscription } from '../rx.js';
import type { ExchangeAdapter, Instrument } from '../exchanges/types.js';
import type { FrameRefusal } from '../ingest/frame-refusal.js';
import type { LinkBooks } from '../ingest/venue-books.js';
import type { ExchangeId, Market, MarketRecord } from '../records.js';

export type { FrameRefusal };

export interface VenueIo {
  adapter: ExchangeAdapter;
  wsUrl: string;
  /** the instrument behind a unified symbol, from the last market listing */
  instrument(symbol: string): Instrument | undefined;
  /**
   * every listed instrument (parsers map native ids back and read contract sizes): the same array
   * until the next listing, so the parsers of a venue's connections can share tables built from it
   */
  instruments(): readonly Instrument[];
  /** the data path: called once per frame with that frame's records */
  deliver(records: MarketRecord[], group: number): void;
  /** subscribe requests for these symbols are going out on a socket: their stream may have a gap */
  subscribing?(symbols: readonly string[], group: number): void;
  /** a frame that could not be read (counted and logged by the receiver, never thrown) */
  malformed?(reason: string, frame: string | Buffer, group: number): void;
  /**
   * a frame that gave no records for a reason worth keeping: unreadable (also reported to
   * `malformed`) or of a kind the parser does not know. Must return at once (the hot path).
   */
  quarantine?(frame: FrameRefusal): void;
  /** every frame as received, when raw frames are kept (`store.raw`); absent otherwise, so it costs nothing */
  raw?(frame: string | Buffer, receivedAt: number, connection: string): void;
  /** true while the store is behind: sockets stop reading until it is false again */
  pressure?: { subscribe(next: (paused: boolean) => void): Subscription };
  /** lifecycle notes for the log (never per tick) */
  note?(event: string, detail: Record<string, unknown>): void;
  /** the venue's books, when a connection carries the `book` channel (src/ingest/venue-books.ts) */
  books?: { open(connection: string, resubscribe: (symbol: string) => void): LinkBooks };
  /** levels per side the book channel asks for (venues with depth-named book channels) */
  bookDepth?: number;
  /** WebSocket factory (tests inject one) */
  openSocket?(url: string): ClientSocket;
}

export interface TransportEnv {
  venue(exchange: ExchangeId, market: Market): VenueIo;
}
