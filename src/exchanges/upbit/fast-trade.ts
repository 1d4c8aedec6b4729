/**
 * The fast path of the Upbit parser: a `trade` frame (DEFAULT format) —
 * `{"type":"trade","code":"KRW-BTC","timestamp":…,"trade_date":"2023-02-21","trade_time":"07:40:20","trade_timestamp":1676965220395,"trade_price":32292000,"trade_volume":0.03096742,"ask_bid":"BID",…,"sequential_id":1676965220395000,"stream_type":"SNAPSHOT"}`
 * — read straight from the text into the Trade record, with no JSON.parse and no intermediate object.
 *
 * As for the other venues (their fast-trade.ts), it takes only frames whose record it can build
 * exactly as the JSON.parse path would, and returns undefined for everything else, which the
 * caller then reads the ordinary way. Taken: keys in any order, other keys with scalar values;
 * prices and volumes as JSON numbers or decimal strings — a JSON number read by common.ts
 * decimalIn is the same double JSON.parse gives, both being the correctly rounded value of the
 * same decimal; `sequential_id` as digits (17 of them past 2^53: the text is the id, as the JSON
 * path reads it from the text); timestamps as up to 15 digits. Left to JSON.parse: whitespace,
 * escapes, nested values, repeated keys, other types, text after the object.
 */
import type { Trade } from '../../records.js';
import { decimalIn } from '../common.js';
import { CLOSE_BRACE, COLON, COMMA, OPEN_BRACE, QUOTE, integerIdEnd, isKey, ownSlice, positiveIntegerIn, scalarEnd, stringEnd } from '../scan/json-scan.js';

/** The JSON path keeps integer ids of at most 40 digits (common.ts integerId); longer ones it refuses. */
const MAX_ID_DIGITS = 40;

/** bits of the keys read, to leave a repeated one to JSON.parse */
const TYPE = 1;
const CODE = 2;
const ID = 4;
const PRICE = 8;
const VOLUME = 16;
const SIDE = 32;
const TIME = 64;
const NEEDED = TYPE | CODE | ID | PRICE | VOLUME | SIDE | TIME;

export type UpbitTradeScanner = (text: string, localTimestamp: number) => Trade | undefined;

/**
 * The range of a numeric value at `v` — a JSON number, or the inside of a string — into `range`;
 * the index past the value, or -1.
 */
function numericValue(text: string, v: number, range: [number, number]): number {
  if (text.charCodeAt(v) === QUOTE) {
    const end = stringEnd(text, v);
    range[0] = v + 1;
    range[1] = end - 1;
    return end;
  }
  const end = scalarEnd(text, v);
  range[0] = v;
  range[1] = end;
  return end;
}

export function createUpbitTradeScanner(toSymbol: (code: string) => string): UpbitTradeScanner {
  // reused per frame: the scanner runs synchronously, one frame at a time
  const range: [number, number] = [0, 0];
  return (text, localTimestamp) => {
    if (text.charCodeAt(0) !== OPEN_BRACE) return undefined;
    let seen = 0;
    let codeS = 0, codeE = 0, idS = 0, idE = 0;
    let price = NaN;
    let volume = NaN;
    let timestamp = -1;
    let buy = false;
    let i = 1;
    for (;;) {
      if (text.charCodeAt(i) !== QUOTE) return undefined;
      const keyEnd = stringEnd(text, i);
      if (keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON) return undefined;
      const v = keyEnd + 1;
      let end = -1;
      let bit = 0;
      if (isKey(text, i, keyEnd, '"type"')) {
        bit = TYPE;
        if (text.startsWith('"trade"', v)) end = v + 7;
        else return undefined;
      } else if (isKey(text, i, keyEnd, '"code"')) {
        bit = CODE;
        if (text.charCodeAt(v) !== QUOTE) return undefined;
        end = stringEnd(text, v);
        codeS = v + 1;
        codeE = end - 1;
      } else if (isKey(text, i, keyEnd, '"sequential_id"')) {
        bit = ID;
        end = integerIdEnd(text, v, MAX_ID_DIGITS);
        idS = v;
        idE = end;
      } else if (isKey(text, i, keyEnd, '"trade_price"')) {
        bit = PRICE;
        end = numericValue(text, v, range);
        if (end >= 0) price = decimalIn(text, range[0], range[1]);
      } else if (isKey(text, i, keyEnd, '"trade_volume"')) {
        bit = VOLUME;
        end = numericValue(text, v, range);
        if (end >= 0) volume = decimalIn(text, range[0], range[1]);
      } else if (isKey(text, i, keyEnd, '"ask_bid"')) {
        bit = SIDE;
        if (text.startsWith('"BID"', v)) { buy = true; end = v + 5; }
        else if (text.startsWith('"ASK"', v)) { buy = false; end = v + 5; }
        else return undefined;
      } else if (isKey(text, i, keyEnd, '"trade_timestamp"')) {
        bit = TIME;
        end = numericValue(text, v, range);
        if (end >= 0) timestamp = positiveIntegerIn(text, range[0], range[1]);
        if (timestamp < 0) return undefined;
      } else {
        end = scalarEnd(text, v);
      }
      if (end < 0 || (seen & bit) !== 0) return undefined;
      seen |= bit;
      const next = text.charCodeAt(end);
      if (next === COMMA) { i = end + 1; continue; }
      if (next !== CLOSE_BRACE || end + 1 !== text.length) return undefined;
      break;
    }
    if ((seen & NEEDED) !== NEEDED || codeE === codeS || !Number.isFinite(price) || !Number.isFinite(volume)) return undefined;
    let symbol: string;
    try {
      symbol = toSymbol(ownSlice(text, codeS, codeE));
    } catch {
      return undefined; // a code the mapper refuses: the JSON path refuses it with its own message
    }
    return {
      type: 'trade',
      exchange: 'upbit',
      market: 'spot',
      symbol,
      id: ownSlice(text, idS, idE),
      price,
      amount: volume,
      side: buy ? 'buy' : 'sell',
      timestamp,
      localTimestamp,
    };
  };
}
