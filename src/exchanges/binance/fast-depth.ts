/**
 * The fast path of the Binance book parser: a `depthUpdate` event — raw, or in the combined-stream
 * wrapper `{"stream":"…","data":{…}}` — read straight from the frame text into the BookFrame, with
 * no JSON.parse and no parsed arrays of strings in between (per update, JSON.parse and the garbage
 * of its level arrays were the biggest costs of a book update after the book itself).
 *
 * Like fast-trade.ts, it takes only frames whose BookFrame it can build exactly as the JSON.parse
 * path would, and returns undefined for everything else, which the caller then reads the ordinary
 * way: errors and their messages keep their one implementation. Taken: the event's keys in any
 * order; other keys with scalar values (skipped); ids and times as plain digits (at most 15: exact);
 * levels as `["price","size"]` pairs of decimal strings (read into `[price, amount]`, no text kept). Left to JSON.parse: whitespace, escapes,
 * nested values elsewhere, repeated keys, numbers where strings are expected and the reverse, a
 * level with a third element, negative or zero prices, U after u, too many levels, other event
 * types, wrapper keys in another order or with more keys, and any text after the object.
 */
import type { BookLevel } from '../../books/order-book.js';
import type { BookFrame } from '../../books/types.js';
import type { Market } from '../../records.js';
import { MAX_LEVELS_PER_FRAME } from '../book-levels.js';
import { decimalIn } from '../common.js';
import { CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE, ownSlice, scalarEnd, stringEnd } from '../scan/json-scan.js';

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

const WRAPPER_HEAD = '{"stream":"';
const WRAPPER_DATA = ',"data":';
const DEPTH_UPDATE = '"depthUpdate"';

export type BinanceDepthScanner = (text: string) => BookFrame | undefined;

/** where the last idAt / quotedDecimal read ended (-1: not a value this path takes); saves an object per value */
let endAt = 0;

/**
 * The plain unsigned integer at `v` in one pass — `0` or digits without a leading zero, at most
 * `maxDigits`, a whole JSON number (no fraction or exponent follows) — with endAt past it; endAt
 * -1 for anything else (a sign, a fraction, too many digits, not a number: the JSON path's).
 */
function digitsAt(text: string, v: number, maxDigits: number): number {
  let i = v;
  let n = 0;
  for (;;) {
    const c = text.charCodeAt(i);
    // (written so that NaN, past the end of the text, stops too)
    if (!(c >= 48 && c <= 57)) break;
    n = n * 10 + (c - 48);
    i++;
  }
  const next = text.charCodeAt(i);
  const digits = i - v;
  endAt = digits === 0 || digits > maxDigits || (digits > 1 && text.charCodeAt(v) === 48) || next === 46 || next === 101 || next === 69 /* . e E */ ? -1 : i;
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
function quotedDecimal(text: string, q: number): number {
  let i = q + 1;
  let m = 0;
  let digits = 0;
  let dot = -1;
  for (;; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 && dot < 0) dot = i;
    else break;
  }
  if (text.charCodeAt(i) === QUOTE && digits > 0 && digits <= EXACT_DIGITS && dot !== i - 1 && dot !== q + 1) {
    endAt = i + 1;
    return dot < 0 ? m : m / (POW10[i - 1 - dot] as number);
  }
  const end = stringEnd(text, q);
  endAt = end;
  return end < 0 ? NaN : decimalIn(text, q + 1, end - 1);
}

/**
 * `[["p","s"],…]` from `start` into `out`; the index past the closing bracket, or -1 when it is not
 * a level array this path takes (including any level the JSON path would refuse).
 */
function levelsAt(text: string, start: number, out: BookLevel[]): number {
  if (text.charCodeAt(start) !== OPEN_BRACKET) return -1;
  let i = start + 1;
  if (text.charCodeAt(i) === CLOSE_BRACKET) return i + 1;
  for (;;) {
    if (text.charCodeAt(i) !== OPEN_BRACKET || text.charCodeAt(i + 1) !== QUOTE) return -1;
    const price = quotedDecimal(text, i + 1);
    const pEnd = endAt;
    if (pEnd < 0 || text.charCodeAt(pEnd) !== COMMA || text.charCodeAt(pEnd + 1) !== QUOTE) return -1;
    const amount = quotedDecimal(text, pEnd + 1);
    const sEnd = endAt;
    if (sEnd < 0 || text.charCodeAt(sEnd) !== CLOSE_BRACKET) return -1;
    // NaN and Infinity (`1e999`) are the JSON path's refusals, with its messages
    if (!(price > 0 && price < Infinity) || !(amount >= 0 && amount < Infinity) || out.length >= MAX_LEVELS_PER_FRAME) return -1;
    out.push([price, amount]);
    const next = text.charCodeAt(sEnd + 1);
    if (next === CLOSE_BRACKET) return sEnd + 2;
    if (next !== COMMA) return -1;
    i = sEnd + 2;
  }
}

/** native ids a scanner remembers (a connection carries at most a few hundred books) */
const MAX_KNOWN_IDS = 4096;

interface KnownId {
  nativeId: string;
  symbol: string;
}

export function createBinanceDepthScanner(market: Market, toSymbol: (nativeId: string) => string): BinanceDepthScanner {
  const futures = market === 'futures';
  /** native ids read before, by a hash of their characters: a frame's id costs no slice and no map lookup by string */
  const known = new Map<number, KnownId>();

  /** the id from `start` to `end` and its symbol; undefined when the mapper refuses it */
  function idOf(text: string, start: number, end: number): KnownId | undefined {
    let h = end - start;
    for (let i = start; i < end; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
    const hit = known.get(h);
    if (hit !== undefined && hit.nativeId.length === end - start && text.startsWith(hit.nativeId, start)) return hit;
    const nativeId = ownSlice(text, start, end);
    let symbol: string;
    try {
      symbol = toSymbol(nativeId);
    } catch {
      // an id the mapper refuses: the JSON path refuses it with its own message
      return undefined;
    }
    if (known.size >= MAX_KNOWN_IDS) known.clear();
    const id = { nativeId, symbol };
    known.set(h, id);
    return id;
  }

  /** the event object from `start`, which must end exactly at `stop`; undefined unless it is one this path takes */
  function event(text: string, start: number, stop: number): BookFrame | undefined {
    if (text.charCodeAt(start) !== OPEN_BRACE) return undefined;
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
      if (text.charCodeAt(i) !== QUOTE) return undefined;
      const k1 = text.charCodeAt(i + 1);
      // a one-character key (most of them) without a scan; an empty key, an escape or a control character is stringEnd's
      const keyEnd = text.charCodeAt(i + 2) === QUOTE && k1 !== QUOTE && k1 !== 92 && k1 >= 0x20 ? i + 3 : stringEnd(text, i);
      if (keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON) return undefined;
      const v = keyEnd + 1;
      const keyLength = keyEnd - i - 2;
      const c0 = text.charCodeAt(i + 1);
      let end: number;
      let bit = 0;
      if (keyLength === 1) {
        switch (c0) {
          case 101: // e
            bit = K_E;
            if (!text.startsWith(DEPTH_UPDATE, v)) return undefined;
            end = v + DEPTH_UPDATE.length;
            break;
          case 69: // E
          case 84: { // T
            bit = c0 === 69 ? K_EVENT_TIME : K_T;
            // a time as the JSON path's timestampMs takes it from a plain number: positive, exact
            const t = digitsAt(text, v, MAX_TIME_DIGITS);
            end = endAt;
            if (!(t > 0)) return undefined;
            if (c0 === 69) eventTime = t;
            else tradeTime = t;
            break;
          }
          case 115: // s
            bit = K_S;
            if (text.charCodeAt(v) !== QUOTE) return undefined;
            end = stringEnd(text, v);
            sStart = v + 1;
            sEnd = end - 1;
            break;
          case 85: // U
          case 117: { // u
            bit = c0 === 85 ? K_FIRST : K_LAST;
            const id = digitsAt(text, v, MAX_ID_DIGITS);
            end = endAt;
            if (c0 === 85) firstId = id;
            else lastId = id;
            break;
          }
          case 98: // b
            bit = K_BIDS;
            end = levelsAt(text, v, bids);
            break;
          case 97: // a
            bit = K_ASKS;
            end = levelsAt(text, v, asks);
            break;
          default:
            end = scalarEnd(text, v);
        }
      } else if (keyLength === 2 && c0 === 112 && text.charCodeAt(i + 2) === 117) {
        // pu
        bit = K_PREV;
        prevId = digitsAt(text, v, MAX_ID_DIGITS);
        end = endAt;
      } else {
        // a `stream` key makes the JSON path read the frame as a combined-stream wrapper
        if (keyLength === 6 && text.startsWith('"stream"', i)) return undefined;
        end = scalarEnd(text, v);
      }
      if (end < 0 || (seen & bit) !== 0) return undefined;
      seen |= bit;
      const next = text.charCodeAt(end);
      if (next === COMMA) {
        i = end + 1;
        continue;
      }
      if (next !== CLOSE_BRACE || end + 1 !== stop) return undefined;
      break;
    }
    const needed = K_E | K_S | K_FIRST | K_LAST | K_BIDS | K_ASKS | (futures ? K_PREV : 0) | ((seen & K_T) !== 0 ? 0 : K_EVENT_TIME);
    if ((seen & needed) !== needed || sEnd === sStart || firstId > lastId) return undefined;
    const id = idOf(text, sStart, sEnd);
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

  return (text) => {
    if (!text.startsWith(WRAPPER_HEAD)) return event(text, 0, text.length);
    // the combined-stream wrapper, exactly `{"stream":"…","data":{…}}`
    const streamEnd = stringEnd(text, WRAPPER_HEAD.length - 1);
    if (streamEnd < 0 || !text.startsWith(WRAPPER_DATA, streamEnd) || text.charCodeAt(text.length - 1) !== CLOSE_BRACE) return undefined;
    return event(text, streamEnd + WRAPPER_DATA.length, text.length - 1);
  };
}
