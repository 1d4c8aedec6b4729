/**
 * Upbit order books (`orderbook`): every frame is the whole top-N book of its code (30 units by
 * default since 2025-07, 15 before), so each frame replaces the book; there is nothing to chain.
 * Both wire formats are read: DEFAULT (`type`, `code`, `orderbook_units` of `ask_price`…) and
 * SIMPLE (`ty`, `cd`, `obu` of `ap`…). Numbers are JSON numbers, sometimes in exponent form
 * (`1.16539E8`); `timestamp` was once sent in microseconds.
 */
import type { BookFrame, BookSync, BookVenue, SyncOutcome } from '../../books/types.js';
import { APPLIED } from '../../books/types.js';
import { OrderBook, type BookLevel } from '../../books/order-book.js';
import type { Market } from '../../records.js';
import { bookLevel, MAX_LEVELS_PER_FRAME } from '../book-levels.js';
import { frameText, isRecord, notAnObject, parseJsonFrame, preview, str, timestampMs } from '../common.js';
import type { Instrument } from '../types.js';
import { MalformedFrameError } from '../types.js';
import { upbitSymbol } from './symbols.js';

/** a timestamp past this is in microseconds (ms reach it in the year 5138) */
const MICROSECONDS_FROM = 1e14;

function createFrameParser(): (text: string) => BookFrame[] {
  return (raw) => {
    const msg = parseJsonFrame(frameText(raw));
    if (!isRecord(msg)) throw notAnObject();
    const simple = msg.ty === 'orderbook';
    if (!simple && msg.type !== 'orderbook') return [];
    const code = str(simple ? msg.cd : msg.code, simple ? 'cd' : 'code');
    const units = simple ? msg.obu : msg.orderbook_units;
    if (!Array.isArray(units) || units.length > MAX_LEVELS_PER_FRAME) throw new MalformedFrameError(`field orderbook_units is not an array of units: ${preview(units)}`);
    const bids: BookLevel[] = [];
    const asks: BookLevel[] = [];
    for (const u of units) {
      if (!isRecord(u)) throw new MalformedFrameError(`orderbook unit is not an object: ${preview(u)}`);
      asks.push(bookLevel(simple ? u.ap : u.ask_price, simple ? u.as : u.ask_size, 'ask'));
      bids.push(bookLevel(simple ? u.bp : u.bid_price, simple ? u.bs : u.bid_size, 'bid'));
    }
    let timestamp = timestampMs(simple ? msg.tms : msg.timestamp, simple ? 'tms' : 'timestamp');
    if (timestamp >= MICROSECONDS_FROM) timestamp = Math.floor(timestamp / 1000);
    return [{ nativeId: code, symbol: upbitSymbol(code), kind: 'snapshot', bids, asks, timestamp }];
  };
}

class UpbitSync implements BookSync {
  readonly book = new OrderBook();
  private have = false;

  get synced(): boolean {
    return this.have;
  }

  seed(snapshot: BookFrame): SyncOutcome {
    this.book.replace(snapshot.bids, snapshot.asks, snapshot.timestamp);
    this.have = true;
    return APPLIED;
  }

  apply(f: BookFrame): SyncOutcome {
    return this.seed(f);
  }
}

export function upbitBookVenue(market: Market): BookVenue {
  return {
    exchange: 'upbit',
    market,
    needsSnapshot: false,
    // DEFAULT format says "type":"orderbook", SIMPLE "ty":"orderbook"; frames may come as bytes
    mayBeBookFrame: (frame) => frame.includes('"orderbook"'),
    createFrameParser: (_instruments?: readonly Instrument[]) => createFrameParser(),
    parseSnapshot: () => {
      throw new MalformedFrameError('Upbit books are whole in every frame; there is no REST snapshot to read');
    },
    createSync: () => new UpbitSync(),
  };
}
