/**
 * The fast path of the Bybit parser: a `publicTrade.<symbol>` frame —
 * `{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":…,"data":[{"T":…,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"…","BT":false,"seq":…},…]}`
 * — read straight from the text into Trade records, with no JSON.parse and no intermediate objects.
 *
 * As for Binance (binance/fast-trade.ts), it takes only frames whose records it can build exactly
 * as the JSON.parse path would and returns undefined for everything else, which the caller then
 * reads the ordinary way (errors and failure reasons keep their one implementation). Taken: keys
 * in any order, except that `topic` must come before `data` (as Bybit sends them); other keys with
 * scalar values; ids as strings; timestamps as up to 15 digits; prices and amounts as decimal
 * strings (common.ts decimalIn). Left to JSON.parse: whitespace, escapes, nested values where
 * none are expected, repeated keys, numbers where strings are expected and the reverse, other
 * topics, text after the object.
 */
import type { Market, MarketRecord, Trade } from '../../records.js';
import { MAX_ID_LENGTH, NO_CONTROL, decimalIn } from '../common.js';
import type { ParseResult } from '../types.js';
import {
  CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE, ownSlice, positiveIntegerIn, sameText, scalarEnd, stringEnd,
} from '../scan/json-scan.js';

const TOPIC_HEAD = '"publicTrade.';

/** bits of the entry keys seen, to leave a repeated one to JSON.parse */
const T_TIME = 1;
const SYMBOL = 2;
const SIDE = 4;
const V = 8;
const P = 16;
const ID = 32;
const NEEDED = T_TIME | SIDE | V | P | ID;

export type BybitTradeScanner = (text: string, localTimestamp: number) => ParseResult | undefined;

export function createBybitTradeScanner(market: Market, toUnified: (nativeId: string) => string): BybitTradeScanner {
  /**
   * One trade entry from `start` (its `{`), of the instrument whose id is `text[idStart, idEnd)`,
   * pushed to `out`; the index past its `}`, or -1 unless it is one we take.
   */
  function entry(text: string, start: number, idStart: number, idEnd: number, localTimestamp: number, out: MarketRecord[]): number {
    if (text.charCodeAt(start) !== OPEN_BRACE) return -1;
    let seen = 0;
    let timestamp = -1;
    let buy = false;
    let vStart = 0, vEnd = 0, pStart = 0, pEnd = 0, iStart = 0, iEnd = 0;
    let i = start + 1;
    for (;;) {
      if (text.charCodeAt(i) !== QUOTE) return -1;
      const keyEnd = stringEnd(text, i);
      if (keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON) return -1;
      const v = keyEnd + 1;
      let end: number;
      let bit = 0;
      // the entry keys we read are one character; longer ones (BT, seq, RPI) are skipped below
      switch (keyEnd - i === 3 ? text.charCodeAt(i + 1) : 0) {
        case 84: // T
          bit = T_TIME;
          end = scalarEnd(text, v);
          if (end < 0) return -1;
          timestamp = positiveIntegerIn(text, v, end);
          if (timestamp < 0) return -1;
          break;
        case 115: // s: when sent, the topic's instrument
          bit = SYMBOL;
          if (text.charCodeAt(v) !== QUOTE) return -1;
          end = stringEnd(text, v);
          if (end < 0 || end - v - 2 !== idEnd - idStart || !sameText(text, v + 1, idStart, idEnd - idStart)) return -1;
          break;
        case 83: // S
          bit = SIDE;
          if (text.startsWith('"Buy"', v)) { buy = true; end = v + 5; }
          else if (text.startsWith('"Sell"', v)) { buy = false; end = v + 6; }
          else return -1;
          break;
        case 118: // v
          bit = V;
          if (text.charCodeAt(v) !== QUOTE) return -1;
          end = stringEnd(text, v);
          vStart = v + 1;
          vEnd = end - 1;
          break;
        case 112: // p
          bit = P;
          if (text.charCodeAt(v) !== QUOTE) return -1;
          end = stringEnd(text, v);
          pStart = v + 1;
          pEnd = end - 1;
          break;
        case 105: // i
          bit = ID;
          if (text.charCodeAt(v) !== QUOTE) return -1;
          end = stringEnd(text, v);
          iStart = v + 1;
          iEnd = end - 1;
          break;
        default:
          end = scalarEnd(text, v);
      }
      if (end < 0 || (seen & bit) !== 0) return -1;
      seen |= bit;
      const next = text.charCodeAt(end);
      if (next === COMMA) { i = end + 1; continue; }
      if (next !== CLOSE_BRACE) return -1;
      i = end + 1;
      break;
    }
    if ((seen & NEEDED) !== NEEDED || iEnd === iStart || iEnd - iStart > MAX_ID_LENGTH) return -1;
    const price = decimalIn(text, pStart, pEnd);
    const amount = decimalIn(text, vStart, vEnd);
    if (!Number.isFinite(price) || !Number.isFinite(amount)) return -1;
    const trade: Trade = {
      type: 'trade',
      exchange: 'bybit',
      market,
      symbol: '', // set once the whole frame is read and its topic's symbol mapped
      id: ownSlice(text, iStart, iEnd),
      price,
      amount,
      side: buy ? 'buy' : 'sell',
      timestamp,
      localTimestamp,
    };
    out.push(trade);
    return i;
  }

  return (text, localTimestamp) => {
    if (text.charCodeAt(0) !== OPEN_BRACE) return undefined;
    let idStart = -1;
    let idEnd = -1;
    let records: MarketRecord[] | undefined;
    let i = 1;
    for (;;) {
      if (text.charCodeAt(i) !== QUOTE) return undefined;
      const keyEnd = stringEnd(text, i);
      if (keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON) return undefined;
      const v = keyEnd + 1;
      let end: number;
      if (keyEnd - i === 7 && text.startsWith('"topic"', i)) {
        if (idStart >= 0 || !text.startsWith(TOPIC_HEAD, v)) return undefined;
        end = stringEnd(text, v);
        idStart = v + TOPIC_HEAD.length;
        idEnd = end - 1;
        // `publicTrade.` alone, or any topic ending in '.': the JSON path refuses it
        if (end < 0 || idEnd === idStart || text.charCodeAt(idEnd - 1) === 46 /* . */) return undefined;
      } else if (keyEnd - i === 6 && text.startsWith('"data"', i)) {
        if (idStart < 0 || records !== undefined || text.charCodeAt(v) !== OPEN_BRACKET) return undefined;
        records = [];
        end = v + 1;
        if (text.charCodeAt(end) === CLOSE_BRACKET) end++;
        else {
          for (;;) {
            end = entry(text, end, idStart, idEnd, localTimestamp, records);
            if (end < 0) return undefined;
            const next = text.charCodeAt(end);
            if (next === COMMA) { end++; continue; }
            if (next !== CLOSE_BRACKET) return undefined;
            end++;
            break;
          }
        }
      } else {
        end = scalarEnd(text, v);
        if (end < 0) return undefined;
      }
      const next = text.charCodeAt(end);
      if (next === COMMA) { i = end + 1; continue; }
      if (next !== CLOSE_BRACE || end + 1 !== text.length) return undefined;
      break;
    }
    if (records === undefined) return undefined;
    let symbol: string;
    try {
      symbol = toUnified(ownSlice(text, idStart, idEnd));
    } catch {
      // an id the mapper refuses: the JSON path refuses it with its own message
      return undefined;
    }
    for (const r of records) r.symbol = symbol;
    return { records, control: NO_CONTROL };
  };
}
