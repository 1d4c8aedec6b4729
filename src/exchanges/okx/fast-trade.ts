/**
 * The fast path of the OKX parser: a `trades` channel frame —
 * `{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"130639474","px":"42219.9","sz":"0.12060306","side":"buy","ts":"1630048897897","count":"3"},…]}`
 * — read straight from the text into Trade records, with no JSON.parse and no intermediate objects.
 *
 * As for Binance and Bybit (their fast-trade.ts), it takes only frames whose records it can build
 * exactly as the JSON.parse path (okx/trades.ts okxTrade) would, and returns undefined for
 * everything else, which the caller then reads the ordinary way. Taken: keys in any order, except
 * that `arg` must come before `data` (as OKX sends them); other keys with scalar values; ids as
 * strings; timestamps as up to 15 digits (string or number); prices and sizes as decimal strings
 * (SWAP sizes through the same contractsToBase as the JSON path). Left to JSON.parse: whitespace,
 * escapes, nested values where none are expected, repeated keys, other channels, a SWAP whose
 * contract size is unknown, text after the object.
 */
import type { Market, MarketRecord, Trade } from '../../records.js';
import { MAX_ID_LENGTH, NO_CONTROL, decimalIn } from '../common.js';
import type { ParseResult } from '../types.js';
import {
  CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE, isKey, ownSlice, positiveIntegerIn, sameText, scalarEnd, stringEnd,
} from '../scan/json-scan.js';
import { contractsToBase, type ScaledDecimal } from './contracts.js';

/** bits of the entry keys seen, to leave a repeated one to JSON.parse */
const INST = 1;
const ID = 2;
const PX = 4;
const SZ = 8;
const SIDE = 16;
const TS = 32;
const NEEDED = ID | PX | SZ | SIDE | TS;

export type OkxTradeScanner = (text: string, localTimestamp: number) => ParseResult | undefined;

export function createOkxTradeScanner(
  market: Market,
  toUnified: (instId: string) => string,
  contracts: ReadonlyMap<string, ScaledDecimal>,
): OkxTradeScanner {
  /**
   * One row from `start` (its `{`) of the instrument `text[idStart, idEnd)`, pushed to `out`; the
   * index past its `}`, or -1 unless it is one we take. `contract`: the SWAP's ctVal.
   */
  function row(text: string, start: number, idStart: number, idEnd: number, contract: ScaledDecimal | undefined, localTimestamp: number, out: MarketRecord[]): number {
    if (text.charCodeAt(start) !== OPEN_BRACE) return -1;
    let seen = 0;
    let timestamp = -1;
    let buy = false;
    let idS = 0, idE = 0, pxS = 0, pxE = 0, szS = 0, szE = 0;
    let i = start + 1;
    for (;;) {
      if (text.charCodeAt(i) !== QUOTE) return -1;
      const keyEnd = stringEnd(text, i);
      if (keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON) return -1;
      const v = keyEnd + 1;
      let end: number;
      let bit = 0;
      if (isKey(text, i, keyEnd, '"px"') || isKey(text, i, keyEnd, '"sz"') || isKey(text, i, keyEnd, '"tradeId"')) {
        if (text.charCodeAt(v) !== QUOTE) return -1;
        end = stringEnd(text, v);
        const c = text.charCodeAt(i + 1);
        if (c === 112 /* p */) { bit = PX; pxS = v + 1; pxE = end - 1; }
        else if (c === 115 /* s */) { bit = SZ; szS = v + 1; szE = end - 1; }
        else { bit = ID; idS = v + 1; idE = end - 1; }
      } else if (isKey(text, i, keyEnd, '"ts"')) {
        bit = TS;
        // a string (as OKX sends it) or a number: the JSON path takes both
        const quoted = text.charCodeAt(v) === QUOTE;
        end = quoted ? stringEnd(text, v) : scalarEnd(text, v);
        if (end < 0) return -1;
        timestamp = quoted ? positiveIntegerIn(text, v + 1, end - 1) : positiveIntegerIn(text, v, end);
        if (timestamp < 0) return -1;
      } else if (isKey(text, i, keyEnd, '"side"')) {
        bit = SIDE;
        if (text.startsWith('"buy"', v)) { buy = true; end = v + 5; }
        else if (text.startsWith('"sell"', v)) { buy = false; end = v + 6; }
        else return -1;
      } else if (isKey(text, i, keyEnd, '"instId"')) {
        // when sent, the frame's own instrument
        bit = INST;
        if (text.charCodeAt(v) !== QUOTE) return -1;
        end = stringEnd(text, v);
        if (end < 0 || end - v - 2 !== idEnd - idStart || !sameText(text, v + 1, idStart, idEnd - idStart)) return -1;
      } else {
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
    if ((seen & NEEDED) !== NEEDED || idE === idS || idE - idS > MAX_ID_LENGTH) return -1;
    const price = decimalIn(text, pxS, pxE);
    if (!Number.isFinite(price)) return -1;
    let amount: number;
    if (contract === undefined) amount = decimalIn(text, szS, szE);
    else {
      try {
        amount = contractsToBase(text.slice(szS, szE), contract);
      } catch {
        return -1; // the JSON path refuses it with its own message
      }
    }
    if (!Number.isFinite(amount)) return -1;
    const trade: Trade = {
      type: 'trade',
      exchange: 'okx',
      market,
      symbol: '', // set once the whole frame is read and its instrument mapped
      id: ownSlice(text, idS, idE),
      price,
      amount,
      side: buy ? 'buy' : 'sell',
      timestamp,
      localTimestamp,
    };
    out.push(trade);
    return i;
  }

  /** `{"channel":"trades","instId":"…"}` from `start`: the index past it, the instId's range in `range`; -1 otherwise */
  function arg(text: string, start: number, range: [number, number]): number {
    if (text.charCodeAt(start) !== OPEN_BRACE) return -1;
    let channel = false;
    let i = start + 1;
    for (;;) {
      if (text.charCodeAt(i) !== QUOTE) return -1;
      const keyEnd = stringEnd(text, i);
      if (keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON) return -1;
      const v = keyEnd + 1;
      let end: number;
      if (isKey(text, i, keyEnd, '"channel"')) {
        if (channel || !text.startsWith('"trades"', v)) return -1;
        channel = true;
        end = v + 8;
      } else if (isKey(text, i, keyEnd, '"instId"')) {
        if (range[0] >= 0 || text.charCodeAt(v) !== QUOTE) return -1;
        end = stringEnd(text, v);
        range[0] = v + 1;
        range[1] = end - 1;
      } else end = scalarEnd(text, v);
      if (end < 0) return -1;
      const next = text.charCodeAt(end);
      if (next === COMMA) { i = end + 1; continue; }
      if (next !== CLOSE_BRACE) return -1;
      return channel && range[0] >= 0 && range[1] > range[0] ? end + 1 : -1;
    }
  }

  return (text, localTimestamp) => {
    if (text.charCodeAt(0) !== OPEN_BRACE) return undefined;
    const range: [number, number] = [-1, -1];
    let instId: string | undefined;
    let contract: ScaledDecimal | undefined;
    let records: MarketRecord[] | undefined;
    let i = 1;
    for (;;) {
      if (text.charCodeAt(i) !== QUOTE) return undefined;
      const keyEnd = stringEnd(text, i);
      if (keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON) return undefined;
      const v = keyEnd + 1;
      let end: number;
      if (isKey(text, i, keyEnd, '"arg"')) {
        if (instId !== undefined) return undefined;
        end = arg(text, v, range);
        if (end < 0) return undefined;
        instId = ownSlice(text, range[0], range[1]);
        // SPOT sizes are base units: no contract, even if the table had one (as okxTrade)
        contract = market === 'spot' ? undefined : contracts.get(instId);
        // a SWAP without a known contract size: the JSON path refuses it (unknown-instrument)
        if (market !== 'spot' && contract === undefined) return undefined;
      } else if (isKey(text, i, keyEnd, '"data"')) {
        if (instId === undefined || records !== undefined || text.charCodeAt(v) !== OPEN_BRACKET) return undefined;
        records = [];
        end = v + 1;
        if (text.charCodeAt(end) === CLOSE_BRACKET) end++;
        else {
          for (;;) {
            end = row(text, end, range[0], range[1], contract, localTimestamp, records);
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
    if (records === undefined || instId === undefined) return undefined;
    let symbol: string;
    try {
      symbol = toUnified(instId);
    } catch {
      return undefined; // an id the mapper refuses: the JSON path refuses it with its own message
    }
    for (const r of records) r.symbol = symbol;
    return { records, control: NO_CONTROL };
  };
}
