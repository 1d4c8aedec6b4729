/**
 * The fast path of the Binance book parser: a `depthUpdate` event — raw, or in the combined-stream
 * wrapper `{"stream":"…","data":{…}}` — read straight from the frame's bytes into the BookFrame,
 * with no decoded text, no JSON.parse and no parsed arrays of strings in between (per update,
 * JSON.parse and the garbage of its level arrays were the biggest costs of a book update after the
 * book itself; the text, the next: docs/architecture.md#trades-from-bytes).
 *
 * Like fast-trade.ts, it takes only frames whose BookFrame it can build exactly as the JSON.parse
 * path would, and returns undefined for everything else, which the caller then reads the ordinary
 * way: errors and their messages keep their one implementation. Taken: the event's keys in any
 * order; other keys with scalar values (skipped); ids and times as plain digits (at most 15: exact);
 * levels as `["price","size"]` pairs of decimal strings (read into `[price, amount]`, no text kept);
 * the symbol in UTF-8 (checked well-formed). Left to JSON.parse: whitespace, escapes, any other byte
 * past ASCII, nested values elsewhere, repeated keys, numbers where strings are expected and the reverse, a
 * level with a third element, negative or zero prices, U after u, too many levels, other event
 * types, wrapper keys in another order or with more keys, and any text after the object.
 */
import type { BookLevel } from '../../books/order-book.js';
import type { BookFrame } from '../../books/types.js';
import type { Market } from '../../records.js';
import { MAX_LEVELS_PER_FRAME } from '../book-levels.js';
import { decimalBytes } from '../common.js';
import { CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE, literal, literalAt, scalarEnd, stringEnd, utf8StringEnd } from '../scan/byte-scan.js';
import { NativeIdCache, type KnownId } from '../scan/native-id-cache.js';

/** ids of at most 15 digits are exact numbers (10^15 < 2^53); longer ones go to the JSON path's checks */
const MAX_ID_DIGITS = 15;
/** times likewise (as the trade scanners' positiveIntegerIn) */
const MAX_TIME_DIGITS = 15;

/** bits of the event keys seen, to leave a frame with a repeated one to JSON.parse (it keeps the last) */
const K_E = 1;
const K_EVENT_TIME = 2;
const K_T = 4;
const K_S = 8;
const K_FIRST = 16;
const K_LAST = 32;
const K_PREV = 64;
const K_BIDS = 128;
const K_ASKS = 256;

const WRAPPER_HEAD = literal('{"stream":"');
const WRAPPER_DATA = literal(',"data":');
const DEPTH_UPDATE = literal('"depthUpdate"');
const STREAM_KEY = literal('"stream"');

/** Reads one frame's bytes [start, end); its BookFrame, or undefined when not taken. */
export type BinanceDepthScanner = (bytes: Uint8Array, start: number, end: number) => BookFrame | undefined;

/** where the last idAt / quotedDecimal read ended (-1: not a value this path takes); saves an object per value */
let endAt = 0;

/**
 * The plain unsigned integer at `v` in one pass — `0` or digits without a leading zero, at most
 * `maxDigits`, a whole JSON number (no fraction or exponent follows) — with endAt past it; endAt
 * -1 for anything else (a sign, a fraction, too many digits, not a number: the JSON path's).
 */
function digitsAt(b: Uint8Array, v: number, maxDigits: number): number {
  let i = v;
  let n = 0;
  for (;;) {
    const c = b[i] as number;
    // (written so that undefined, past the end of the bytes, stops too)
    if (!(c >= 48 && c <= 57)) break;
    n = n * 10 + (c - 48);
    i++;
  }
  const next = b[i];
  const digits = i - v;
  endAt = digits === 0 || digits > maxDigits || (digits > 1 && b[v] === 48) || next === 46 || next === 101 || next === 69 /* . e E */ ? -1 : i;
  return n;
}

/** 10^n for the decimals of an exact decimal (as common.ts decimalIn) */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
/** at most this many digits make a mantissa read exactly (as common.ts decimalIn) */
const EXACT_DIGITS = 15;

/**
 * The decimal string whose opening quote is at `q`, read in one pass: its value (NaN: not a number
 * the JSON path reads) and, in endAt, the index past its closing quote (-1: not a string this path
 * takes). The common form (digits, one dot, at most 15 digits) is computed here exactly as
 * decimalIn's exact branch computes it; anything else goes to decimalIn itself.
 */
function quotedDecimal(b: Uint8Array, q: number, stop: number): number {
  let i = q + 1;
  let m = 0;
  let digits = 0;
  let dot = -1;
  for (;; i++) {
    const c = b[i] as number;
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 && dot < 0) dot = i;
    else break;
  }
  if (b[i] === QUOTE && digits > 0 && digits <= EXACT_DIGITS && dot !== i - 1 && dot !== q + 1) {
    endAt = i + 1;
    return dot < 0 ? m : m / (POW10[i - 1 - dot] as number);
  }
  const end = stringEnd(b, q, stop);
  endAt = end;
  return end < 0 ? NaN : decimalBytes(b, q + 1, end - 1);
}

/**
 * `[["p","s"],…]` from `start` into `out`; the index past the closing bracket, or -1 when it is not
 * a level array this path takes (including any level the JSON path would refuse).
 */
function levelsAt(b: Uint8Array, start: number, stop: number, out: BookLevel[]): number {
  if (b[start] !== OPEN_BRACKET) return -1;
  let i = start + 1;
  if (b[i] === CLOSE_BRACKET) return i + 1;
  for (;;) {
    if (b[i] !== OPEN_BRACKET || b[i + 1] !== QUOTE) return -1;
    const price = quotedDecimal(b, i + 1, stop);
    const pEnd = endAt;
    if (pEnd < 0 || b[pEnd] !== COMMA || b[pEnd + 1] !== QUOTE) return -1;
    const amount = quotedDecimal(b, pEnd + 1, stop);
    const sEnd = endAt;
    if (sEnd < 0 || b[sEnd] !== CLOSE_BRACKET) return -1;
    // NaN and Infinity (`1e999`) are the JSON path's refusals, with its messages
    if (!(price > 0 && price < Infinity) || !(amount >= 0 && amount < Infinity) || out.length >= MAX_LEVELS_PER_FRAME) return -1;
    out.push([price, amount]);
    const next = b[sEnd + 1];
    if (next === CLOSE_BRACKET) return sEnd + 2;
    if (next !== COMMA) return -1;
    i = sEnd + 2;
  }
}

export function createBinanceDepthScanner(market: Market, toSymbol: (nativeId: string) => string): BinanceDepthScanner {
  const futures = market === 'futures';
  /** native ids read before, by their bytes: a frame's id costs no string and no map lookup by string */
  const known = new NativeIdCache(toSymbol);

  /** the id from `start` to `end` and its symbol; undefined when the mapper refuses it */
  function idOf(b: Uint8Array, start: number, end: number): KnownId | undefined {
    try {
      return known.lookup(b, start, end);
    } catch {
      // an id the mapper refuses: the JSON path refuses it with its own message
      return undefined;
    }
  }

  /** the event object from `start`, which must end exactly at `stop`; undefined unless it is one this path takes */
  function event(b: Uint8Array, start: number, stop: number): BookFrame | undefined {
    if (b[start] !== OPEN_BRACE) return undefined;
    let seen = 0;
    let eventTime = -1;
    let tradeTime = -1;
    let sStart = 0;
    let sEnd = 0;
    let firstId = -1;
    let lastId = -1;
    let prevId = -1;
    const bids: BookLevel[] = [];
    const asks: BookLevel[] = [];
    let i = start + 1;
    for (;;) {
      if (b[i] !== QUOTE) return undefined;
      const k1 = b[i + 1] as number;
      // a one-character key (most of them) without a scan; an empty key, an escape or a control character is stringEnd's
      const keyEnd = b[i + 2] === QUOTE && k1 !== QUOTE && k1 !== 92 && k1 >= 0x20 && k1 < 0x80 ? i + 3 : stringEnd(b, i, stop);
      if (keyEnd < 0 || b[keyEnd] !== COLON) return undefined;
      const v = keyEnd + 1;
      const keyLength = keyEnd - i - 2;
      const c0 = b[i + 1] as number;
      let end: number;
      let bit = 0;
      if (keyLength === 1) {
        switch (c0) {
          case 101: // e
            bit = K_E;
            if (!literalAt(b, v, stop, DEPTH_UPDATE)) return undefined;
            end = v + DEPTH_UPDATE.length;
            break;
          case 69: // E
          case 84: { // T
            bit = c0 === 69 ? K_EVENT_TIME : K_T;
            // a time as the JSON path's timestampMs takes it from a plain number: positive, exact
            const t = digitsAt(b, v, MAX_TIME_DIGITS);
            end = endAt;
            if (!(t > 0)) return undefined;
            if (c0 === 69) eventTime = t;
            else tradeTime = t;
            break;
          }
          case 115: // s
            bit = K_S;
            if (b[v] !== QUOTE) return undefined;
            end = utf8StringEnd(b, v, stop);
            sStart = v + 1;
            sEnd = end - 1;
            break;
          case 85: // U
          case 117: { // u
            bit = c0 === 85 ? K_FIRST : K_LAST;
            const id = digitsAt(b, v, MAX_ID_DIGITS);
            end = endAt;
            if (c0 === 85) firstId = id;
            else lastId = id;
            break;
          }
          case 98: // b
            bit = K_BIDS;
            end = levelsAt(b, v, stop, bids);
            break;
          case 97: // a
            bit = K_ASKS;
            end = levelsAt(b, v, stop, asks);
            break;
          default:
            end = scalarEnd(b, v, stop);
        }
      } else if (keyLength === 2 && c0 === 112 && b[i + 2] === 117) {
        // pu
        bit = K_PREV;
        prevId = digitsAt(b, v, MAX_ID_DIGITS);
        end = endAt;
      } else {
        // a `stream` key makes the JSON path read the frame as a combined-stream wrapper
        if (keyLength === 6 && literalAt(b, i, keyEnd, STREAM_KEY)) return undefined;
        end = scalarEnd(b, v, stop);
      }
      if (end < 0 || (seen & bit) !== 0) return undefined;
      seen |= bit;
      const next = b[end];
      if (next === COMMA) {
        i = end + 1;
        continue;
      }
      if (next !== CLOSE_BRACE || end + 1 !== stop) return undefined;
      break;
    }
    const needed = K_E | K_S | K_FIRST | K_LAST | K_BIDS | K_ASKS | (futures ? K_PREV : 0) | ((seen & K_T) !== 0 ? 0 : K_EVENT_TIME);
    if ((seen & needed) !== needed || sEnd === sStart || firstId > lastId) return undefined;
    const id = idOf(b, sStart, sEnd);
    if (id === undefined) return undefined;
    const frame: BookFrame = {
      nativeId: id.nativeId,
      symbol: id.symbol,
      kind: 'delta',
      bids,
      asks,
      // futures events carry the transaction time T; spot only the event time E
      timestamp: (seen & K_T) !== 0 ? tradeTime : eventTime,
      firstId,
      lastId,
    };
    if (futures) frame.prevId = prevId;
    return frame;
  }

  return (b, start, stop) => {
    if (!literalAt(b, start, stop, WRAPPER_HEAD)) return event(b, start, stop);
    // the combined-stream wrapper, exactly `{"stream":"…","data":{…}}`
    const streamEnd = stringEnd(b, start + WRAPPER_HEAD.length - 1, stop);
    if (streamEnd < 0 || !literalAt(b, streamEnd, stop, WRAPPER_DATA) || b[stop - 1] !== CLOSE_BRACE) return undefined;
    return event(b, streamEnd + WRAPPER_DATA.length, stop - 1);
  };
}
