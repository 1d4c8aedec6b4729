/**
 * The fast path of the Binance parser: a `trade` or `aggTrade` event — raw, or in the
 * combined-stream wrapper `{"stream":"…","data":{…}}` — read straight from the frame's bytes into
 * a Trade the caller lends, with no JSON.parse, no decoded text and no intermediate object (the
 * parse and the garbage it made were the biggest costs per trade; docs/architecture.md#data-path).
 *
 * It takes only frames whose record it can build exactly as the JSON.parse path would, and returns
 * false for everything else, which the caller then reads the ordinary way: so errors, failure
 * reasons and every frame of another kind keep their one implementation. Taken: the event's keys
 * in any order; other keys with scalar values (skipped, though still checked to be JSON); ids as
 * digits (any length up to the JSON path's 40, ids past 2^53 included: the digits are the id);
 * timestamps as up to 15 digits; prices and amounts as decimal strings (read as the JSON path's
 * decimalIn reads them); the symbol in UTF-8 (checked well-formed). Left to JSON.parse: whitespace,
 * escapes, any other byte past ASCII, nested values, duplicated event keys, numbers where strings are expected and the reverse, other event
 * types, wrapper keys in another order or with more keys, and anything after the object.
 */
import type { Market, Trade } from '../../records.js';
import { decimalBytes } from '../common.js';
import type { TradeLender } from '../types.js';
import { CLOSE_BRACE, COLON, COMMA, OPEN_BRACE, QUOTE, digitsString, integerIdEnd, literal, literalAt, positiveIntegerIn, scalarEnd, stringEnd, utf8StringEnd } from '../scan/byte-scan.js';
import { NativeIdCache } from '../scan/native-id-cache.js';

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

const WRAPPER_HEAD = literal('{"stream":"');
const WRAPPER_DATA = literal(',"data":');
const STREAM_KEY = literal('"stream"');
const TRADE = literal('"trade"');
const AGG_TRADE = literal('"aggTrade"');
const TRUE = literal('true');
const FALSE = literal('false');

/** Reads one frame's bytes [start, end); the trade (one `lend` gave, filled) or undefined when not taken. */
export type BinanceTradeScanner = (bytes: Uint8Array, start: number, end: number, localTimestamp: number, lend: TradeLender) => Trade | undefined;

export function createBinanceTradeScanner(market: Market, toSymbol: (nativeId: string) => string): BinanceTradeScanner {
  const symbols = new NativeIdCache(toSymbol);

  /** The event object from `start`, which must end exactly at `stop`; undefined unless it is a trade we take. */
  function event(b: Uint8Array, start: number, stop: number, localTimestamp: number, lend: TradeLender): Trade | undefined {
    if (b[start] !== OPEN_BRACE) return undefined;
    let seen = 0;
    let kind = 0;
    let sStart = 0, sEnd = 0, tStart = 0, tEnd = 0, aStart = 0, aEnd = 0, pStart = 0, pEnd = 0, qStart = 0, qEnd = 0;
    let timestamp = -1;
    let buyerMaker = false;
    let i = start + 1;
    for (;;) {
      if (b[i] !== QUOTE) return undefined;
      const keyEnd = stringEnd(b, i, stop);
      if (keyEnd < 0 || b[keyEnd] !== COLON) return undefined;
      const v = keyEnd + 1;
      let end: number;
      // every key of a Binance trade event is one character; longer ones are skipped below
      const key = keyEnd - i === 3 ? (b[i + 1] as number) : 0;
      let bit = 0;
      switch (key) {
        case 101: // e
          bit = E;
          if (literalAt(b, v, stop, TRADE)) { kind = KIND_TRADE; end = v + TRADE.length; }
          else if (literalAt(b, v, stop, AGG_TRADE)) { kind = KIND_AGG; end = v + AGG_TRADE.length; }
          else return undefined;
          break;
        case 115: // s
          bit = S;
          if (b[v] !== QUOTE) return undefined;
          end = utf8StringEnd(b, v, stop);
          sStart = v + 1;
          sEnd = end - 1;
          break;
        case 116: // t
          bit = T_ID;
          end = integerIdEnd(b, v, stop, MAX_ID_DIGITS);
          tStart = v;
          tEnd = end;
          break;
        case 97: // a
          bit = A_ID;
          end = integerIdEnd(b, v, stop, MAX_ID_DIGITS);
          aStart = v;
          aEnd = end;
          break;
        case 112: // p
          bit = P;
          if (b[v] !== QUOTE) return undefined;
          end = stringEnd(b, v, stop);
          pStart = v + 1;
          pEnd = end - 1;
          break;
        case 113: // q
          bit = Q;
          if (b[v] !== QUOTE) return undefined;
          end = stringEnd(b, v, stop);
          qStart = v + 1;
          qEnd = end - 1;
          break;
        case 84: // T
          bit = T_TIME;
          end = scalarEnd(b, v, stop);
          if (end < 0) return undefined;
          timestamp = positiveIntegerIn(b, v, end);
          if (timestamp < 0) return undefined;
          break;
        case 109: // m
          bit = M;
          if (literalAt(b, v, stop, TRUE)) { buyerMaker = true; end = v + 4; }
          else if (literalAt(b, v, stop, FALSE)) { buyerMaker = false; end = v + 5; }
          else return undefined;
          break;
        default:
          // a `stream` key makes the JSON path read the frame as a combined-stream wrapper
          if (keyEnd - i === STREAM_KEY.length && literalAt(b, i, keyEnd, STREAM_KEY)) return undefined;
          end = scalarEnd(b, v, stop);
      }
      if (end < 0 || (seen & bit) !== 0) return undefined;
      seen |= bit;
      const next = b[end];
      if (next === COMMA) { i = end + 1; continue; }
      if (next !== CLOSE_BRACE || end + 1 !== stop) return undefined;
      break;
    }
    const idBit = kind === KIND_TRADE ? T_ID : A_ID;
    const needed = E | S | idBit | P | Q | T_TIME | M;
    if ((seen & needed) !== needed || sEnd === sStart) return undefined;
    const price = decimalBytes(b, pStart, pEnd);
    const amount = decimalBytes(b, qStart, qEnd);
    if (!Number.isFinite(price) || !Number.isFinite(amount)) return undefined;
    let symbol: string;
    try {
      symbol = symbols.symbolOf(b, sStart, sEnd);
    } catch {
      // an id the mapper refuses: the JSON path refuses it with its own message
      return undefined;
    }
    const t = lend();
    t.type = 'trade';
    t.exchange = 'binance';
    t.market = market;
    t.symbol = symbol;
    t.id = kind === KIND_TRADE ? digitsString(b, tStart, tEnd) : digitsString(b, aStart, aEnd);
    t.price = price;
    t.amount = amount;
    // m: the buyer is the maker, so the taker — whose side the trade carries — sold.
    t.side = buyerMaker ? 'sell' : 'buy';
    t.timestamp = timestamp;
    t.localTimestamp = localTimestamp;
    return t;
  }

  return (b, start, stop, localTimestamp, lend) => {
    if (!literalAt(b, start, stop, WRAPPER_HEAD)) return event(b, start, stop, localTimestamp, lend);
    // the combined-stream wrapper, exactly `{"stream":"…","data":{…}}`
    const streamEnd = stringEnd(b, start + WRAPPER_HEAD.length - 1, stop);
    if (streamEnd < 0 || !literalAt(b, streamEnd, stop, WRAPPER_DATA) || b[stop - 1] !== CLOSE_BRACE) return undefined;
    return event(b, streamEnd + WRAPPER_DATA.length, stop - 1, localTimestamp, lend);
  };
}
