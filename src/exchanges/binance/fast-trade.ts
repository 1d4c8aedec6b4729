/**
 * The fast path of the Binance parser: a `trade` or `aggTrade` event — raw, or in the
 * combined-stream wrapper `{"stream":"…","data":{…}}` — read straight from the frame text into the
 * Trade record, with no JSON.parse and no intermediate object (the parse was the biggest single
 * cost per trade after GC, and most of that GC was the parsed object's fields).
 *
 * It takes only frames whose record it can build exactly as the JSON.parse path would, and returns
 * undefined for everything else, which the caller then reads the ordinary way: so errors, failure
 * reasons and every frame of another kind keep their one implementation. Taken: the event's keys
 * in any order; other keys with scalar values (skipped, though still checked to be JSON); ids as
 * digits (any length up to the JSON path's 40, ids past 2^53 included: the text is the id);
 * timestamps as up to 15 digits; prices and amounts as decimal strings (read by the same code as
 * the JSON path's, common.ts decimalIn). Left to JSON.parse: whitespace, escapes, nested values,
 * duplicated event keys, numbers where strings are expected and the reverse, other event types,
 * wrapper keys in another order or with more keys, and any text after the object.
 */
import type { Market, Trade } from '../../records.js';
import { decimalIn } from '../common.js';
import { CLOSE_BRACE, COLON, COMMA, OPEN_BRACE, QUOTE, integerIdEnd, ownSlice, positiveIntegerIn, scalarEnd, stringEnd } from '../scan/json-scan.js';

/** The JSON path keeps integer ids of at most 40 digits (common.ts integerId); longer ones it refuses. */
const MAX_ID_DIGITS = 40;

/** bits of the event keys seen, to leave a frame with a repeated one to JSON.parse (it keeps the last) */
const E = 1;
const S = 2;
const T_ID = 4;
const A_ID = 8;
const P = 16;
const Q = 32;
const T_TIME = 64;
const M = 128;

const KIND_TRADE = 1;
const KIND_AGG = 2;

const WRAPPER_HEAD = '{"stream":"';
const WRAPPER_DATA = ',"data":';

export type BinanceTradeScanner = (text: string, localTimestamp: number) => Trade | undefined;

export function createBinanceTradeScanner(market: Market, toSymbol: (nativeId: string) => string): BinanceTradeScanner {
  /** The event object from `start`, which must end exactly at `stop`; undefined unless it is a trade we take. */
  function event(text: string, start: number, stop: number, localTimestamp: number): Trade | undefined {
    if (text.charCodeAt(start) !== OPEN_BRACE) return undefined;
    let seen = 0;
    let kind = 0;
    let sStart = 0, sEnd = 0, tStart = 0, tEnd = 0, aStart = 0, aEnd = 0, pStart = 0, pEnd = 0, qStart = 0, qEnd = 0;
    let timestamp = -1;
    let buyerMaker = false;
    let i = start + 1;
    for (;;) {
      if (text.charCodeAt(i) !== QUOTE) return undefined;
      const keyEnd = stringEnd(text, i);
      if (keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON) return undefined;
      const v = keyEnd + 1;
      let end: number;
      // every key of a Binance trade event is one character; longer ones are skipped below
      const key = keyEnd - i === 3 ? text.charCodeAt(i + 1) : 0;
      let bit = 0;
      switch (key) {
        case 101: // e
          bit = E;
          if (text.startsWith('"trade"', v)) { kind = KIND_TRADE; end = v + 7; }
          else if (text.startsWith('"aggTrade"', v)) { kind = KIND_AGG; end = v + 10; }
          else return undefined;
          break;
        case 115: // s
          bit = S;
          if (text.charCodeAt(v) !== QUOTE) return undefined;
          end = stringEnd(text, v);
          sStart = v + 1;
          sEnd = end - 1;
          break;
        case 116: // t
          bit = T_ID;
          end = integerIdEnd(text, v, MAX_ID_DIGITS);
          tStart = v;
          tEnd = end;
          break;
        case 97: // a
          bit = A_ID;
          end = integerIdEnd(text, v, MAX_ID_DIGITS);
          aStart = v;
          aEnd = end;
          break;
        case 112: // p
          bit = P;
          if (text.charCodeAt(v) !== QUOTE) return undefined;
          end = stringEnd(text, v);
          pStart = v + 1;
          pEnd = end - 1;
          break;
        case 113: // q
          bit = Q;
          if (text.charCodeAt(v) !== QUOTE) return undefined;
          end = stringEnd(text, v);
          qStart = v + 1;
          qEnd = end - 1;
          break;
        case 84: // T
          bit = T_TIME;
          end = scalarEnd(text, v);
          if (end < 0) return undefined;
          timestamp = positiveIntegerIn(text, v, end);
          if (timestamp < 0) return undefined;
          break;
        case 109: // m
          bit = M;
          if (text.startsWith('true', v)) { buyerMaker = true; end = v + 4; }
          else if (text.startsWith('false', v)) { buyerMaker = false; end = v + 5; }
          else return undefined;
          break;
        default:
          // a `stream` key makes the JSON path read the frame as a combined-stream wrapper
          if (keyEnd - i === 8 && text.startsWith('"stream"', i)) return undefined;
          end = scalarEnd(text, v);
      }
      if (end < 0 || (seen & bit) !== 0) return undefined;
      seen |= bit;
      const next = text.charCodeAt(end);
      if (next === COMMA) { i = end + 1; continue; }
      if (next !== CLOSE_BRACE || end + 1 !== stop) return undefined;
      break;
    }
    const idBit = kind === KIND_TRADE ? T_ID : A_ID;
    const needed = E | S | idBit | P | Q | T_TIME | M;
    if ((seen & needed) !== needed || sEnd === sStart) return undefined;
    const price = decimalIn(text, pStart, pEnd);
    const amount = decimalIn(text, qStart, qEnd);
    if (!Number.isFinite(price) || !Number.isFinite(amount)) return undefined;
    let symbol: string;
    try {
      symbol = toSymbol(ownSlice(text, sStart, sEnd));
    } catch {
      // an id the mapper refuses: the JSON path refuses it with its own message
      return undefined;
    }
    return {
      type: 'trade',
      exchange: 'binance',
      market,
      symbol,
      id: kind === KIND_TRADE ? ownSlice(text, tStart, tEnd) : ownSlice(text, aStart, aEnd),
      price,
      amount,
      // m: the buyer is the maker, so the taker — whose side the trade carries — sold.
      side: buyerMaker ? 'sell' : 'buy',
      timestamp,
      localTimestamp,
    };
  }

  return (text, localTimestamp) => {
    if (!text.startsWith(WRAPPER_HEAD)) return event(text, 0, text.length, localTimestamp);
    // the combined-stream wrapper, exactly `{"stream":"…","data":{…}}`
    const streamEnd = stringEnd(text, WRAPPER_HEAD.length - 1);
    if (streamEnd < 0 || !text.startsWith(WRAPPER_DATA, streamEnd) || text.charCodeAt(text.length - 1) !== CLOSE_BRACE) return undefined;
    return event(text, streamEnd + WRAPPER_DATA.length, text.length - 1, localTimestamp);
  };
}
