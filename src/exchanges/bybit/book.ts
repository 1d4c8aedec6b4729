/**
 * Bybit order books (`orderbook.{1|50|200|…}.<symbol>`, v5): a `snapshot` replaces the book, a
 * `delta` sets levels (size "0" deletes). `u == 1` is a snapshot too (Bybit's service restarted).
 * Bybit documents `u` as a sequence and every captured stream steps it by one per frame, so a
 * delta whose `u` is not the previous one plus one means frames were missed: resync (resubscribe
 * for a fresh snapshot). A delta before any snapshot waits.
 */
import type { BookFrame, BookSync, BookVenue, SyncOutcome } from '../../books/types.js';
import { APPLIED, IGNORED, RESET, WAITING, broken } from '../../books/types.js';
import { OrderBook } from '../../books/order-book.js';
import type { Market } from '../../records.js';
import { bookId, bookLevels } from '../book-levels.js';
import { frameText, isRecord, notAnObject, parseJsonFrame, preview, str, timestampMs } from '../common.js';
import type { Instrument } from '../types.js';
import { MalformedFrameError } from '../types.js';
import { bybitSymbolMapper } from './symbols.js';

function createFrameParser(market: Market, instruments?: readonly Instrument[]): (text: string) => BookFrame[] {
  const toSymbol = bybitSymbolMapper(market, instruments);
  return (raw) => {
    const msg = parseJsonFrame(frameText(raw));
    if (!isRecord(msg)) throw notAnObject();
    if (typeof msg.topic !== 'string' || !msg.topic.startsWith('orderbook.')) return [];
    const d = msg.data;
    if (!isRecord(d)) throw new MalformedFrameError(`orderbook frame without a data object: ${preview(d)}`);
    if (msg.type !== 'snapshot' && msg.type !== 'delta') throw new MalformedFrameError(`orderbook frame of type ${preview(msg.type)}`);
    const nativeId = str(d.s, 's');
    return [{
      nativeId,
      symbol: toSymbol(nativeId),
      kind: msg.type,
      bids: bookLevels(d.b, 'b'),
      asks: bookLevels(d.a, 'a'),
      timestamp: timestampMs(msg.ts, 'ts'),
      lastId: bookId(d.u, 'u'),
    }];
  };
}

class BybitSync implements BookSync {
  readonly book = new OrderBook();
  private u: number | undefined;

  get synced(): boolean {
    return this.u !== undefined;
  }

  get sequence(): number | undefined {
    return this.u;
  }

  seed(snapshot: BookFrame): SyncOutcome {
    this.book.replace(snapshot.bids, snapshot.asks, snapshot.timestamp);
    this.u = snapshot.lastId;
    return APPLIED;
  }

  apply(f: BookFrame): SyncOutcome {
    const u = f.lastId as number;
    if (f.kind === 'snapshot' || u === 1) {
      this.seed(f);
      return RESET;
    }
    if (this.u === undefined) return WAITING;
    if (u <= this.u) return IGNORED;
    if (u !== this.u + 1) return broken(`u ${u} after ${this.u}: ${u - this.u - 1} update(s) missed`);
    this.book.apply(f.bids, f.asks, f.timestamp);
    this.u = u;
    return APPLIED;
  }
}

export function bybitBookVenue(market: Market): BookVenue {
  return {
    exchange: 'bybit',
    market,
    needsSnapshot: false,
    mayBeBookFrame: (frame) => frame.includes('orderbook.'),
    createFrameParser: (instruments) => createFrameParser(market, instruments),
    parseSnapshot: () => {
      throw new MalformedFrameError('Bybit books start from the WebSocket snapshot; there is no REST snapshot to read');
    },
    createSync: () => new BybitSync(),
  };
}
