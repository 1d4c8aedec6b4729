/**
 * The fast path of the OKX parser: a `trades` channel frame —
 * `{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"130639474","px":"42219.9","sz":"0.12060306","side":"buy","ts":"1630048897897","count":"3"},…]}`
 * — read straight from the frame's bytes into Trade records the caller lends, with no decoded text,
 * no JSON.parse and no intermediate objects (docs/architecture.md#trades-from-bytes).
 *
 * As for Binance (binance/fast-trade.ts), it takes only frames whose records it can build
 * exactly as the JSON.parse path (okx/trades.ts okxTrade) would, and returns false (with nothing
 * appended) for everything else, which the caller then reads the ordinary way. Taken: keys in any order, except
 * that `arg` must come before `data` (as OKX sends them); other keys with scalar values; ids as
 * strings; timestamps as up to 15 digits (string or number); prices and sizes as decimal strings
 * (SWAP sizes through the same contractsToBase as the JSON path); the instrument id in UTF-8
 * (checked well-formed). Left to JSON.parse: whitespace, escapes, any other byte past ASCII, nested values where none are expected, repeated keys, other channels, a SWAP whose
 * contract size is unknown, text after the object.
 */
import type { Market, MarketRecord } from '../../records.js';
import { MAX_ID_LENGTH, decimalBytes } from '../common.js';
import type { TradeLender } from '../types.js';
import {
  CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE, asciiString, isKey, literal, literalAt, positiveIntegerIn, sameBytes, scalarEnd, stringEnd,
  utf8StringEnd,
} from '../scan/byte-scan.js';
import { NativeIdCache, type KnownId } from '../scan/native-id-cache.js';
import { contractsToBase, type ScaledDecimal } from './contracts.js';

/** bits of the entry keys seen, to leave a repeated one to JSON.parse */
const INST = 1;
const ID = 2;
const K_PX = 4;
const K_SZ = 8;
const SIDE = 16;
const TS = 32;
const NEEDED = ID | K_PX | K_SZ | SIDE | TS;

const PX = literal('"px"');
const SZ_KEY = literal('"sz"');
const TRADE_ID = literal('"tradeId"');
const TS_KEY = literal('"ts"');
const SIDE_KEY = literal('"side"');
const INST_ID = literal('"instId"');
const CHANNEL = literal('"channel"');
const TRADES = literal('"trades"');
const ARG = literal('"arg"');
const DATA = literal('"data"');
const BUY = literal('"buy"');
const SELL = literal('"sell"');

/**
 * Reads one frame's bytes [start, end): true with its trades appended to `out` (objects `lend`
 * gave), false with nothing appended when it is not a frame this path takes.
 */
export type OkxTradeScanner = (bytes: Uint8Array, start: number, end: number, localTimestamp: number, out: MarketRecord[], lend: TradeLender) => boolean;

export function createOkxTradeScanner(
  market: Market,
  toUnified: (instId: string) => string,
  contracts: ReadonlyMap<string, ScaledDecimal>,
): OkxTradeScanner {
  const instruments = new NativeIdCache(toUnified);

  /**
   * One row from `start` (its `{`) of the instrument `b[idStart, idEnd)`, pushed to `out` with the
   * frame's symbol; the index past its `}`, or -1 unless it is one we take. `contract`: the SWAP's ctVal.
   */
  function row(b: Uint8Array, start: number, stop: number, idStart: number, idEnd: number, symbol: string, contract: ScaledDecimal | undefined, localTimestamp: number, out: MarketRecord[], lend: TradeLender): number {
    if (b[start] !== OPEN_BRACE) return -1;
    let seen = 0;
    let timestamp = -1;
    let buy = false;
    let idS = 0, idE = 0, pxS = 0, pxE = 0, szS = 0, szE = 0;
    let i = start + 1;
    for (;;) {
      if (b[i] !== QUOTE) return -1;
      const keyEnd = stringEnd(b, i, stop);
      if (keyEnd < 0 || b[keyEnd] !== COLON) return -1;
      const v = keyEnd + 1;
      let end: number;
      let bit = 0;
      if (isKey(b, i, keyEnd, PX) || isKey(b, i, keyEnd, SZ_KEY) || isKey(b, i, keyEnd, TRADE_ID)) {
        if (b[v] !== QUOTE) return -1;
        end = stringEnd(b, v, stop);
        const c = b[i + 1];
        if (c === 112 /* p */) { bit = K_PX; pxS = v + 1; pxE = end - 1; }
        else if (c === 115 /* s */) { bit = K_SZ; szS = v + 1; szE = end - 1; }
        else { bit = ID; idS = v + 1; idE = end - 1; }
      } else if (isKey(b, i, keyEnd, TS_KEY)) {
        bit = TS;
        // a string (as OKX sends it) or a number: the JSON path takes both
        const quoted = b[v] === QUOTE;
        end = quoted ? stringEnd(b, v, stop) : scalarEnd(b, v, stop);
        if (end < 0) return -1;
        timestamp = quoted ? positiveIntegerIn(b, v + 1, end - 1) : positiveIntegerIn(b, v, end);
        if (timestamp < 0) return -1;
      } else if (isKey(b, i, keyEnd, SIDE_KEY)) {
        bit = SIDE;
        if (literalAt(b, v, stop, BUY)) { buy = true; end = v + BUY.length; }
        else if (literalAt(b, v, stop, SELL)) { buy = false; end = v + SELL.length; }
        else return -1;
      } else if (isKey(b, i, keyEnd, INST_ID)) {
        // when sent, the frame's own instrument
        bit = INST;
        if (b[v] !== QUOTE) return -1;
        end = utf8StringEnd(b, v, stop);
        if (end < 0 || end - v - 2 !== idEnd - idStart || !sameBytes(b, v + 1, idStart, idEnd - idStart)) return -1;
      } else {
        end = scalarEnd(b, v, stop);
      }
      if (end < 0 || (seen & bit) !== 0) return -1;
      seen |= bit;
      const next = b[end];
      if (next === COMMA) { i = end + 1; continue; }
      if (next !== CLOSE_BRACE) return -1;
      i = end + 1;
      break;
    }
    if ((seen & NEEDED) !== NEEDED || idE === idS || idE - idS > MAX_ID_LENGTH) return -1;
    const price = decimalBytes(b, pxS, pxE);
    if (!Number.isFinite(price)) return -1;
    let amount: number;
    if (contract === undefined) amount = decimalBytes(b, szS, szE);
    else {
      try {
        amount = contractsToBase(asciiString(b, szS, szE), contract);
      } catch {
        return -1; // the JSON path refuses it with its own message
      }
    }
    if (!Number.isFinite(amount)) return -1;
    const t = lend();
    t.type = 'trade';
    t.exchange = 'okx';
    t.market = market;
    t.symbol = symbol;
    t.id = asciiString(b, idS, idE);
    t.price = price;
    t.amount = amount;
    t.side = buy ? 'buy' : 'sell';
    t.timestamp = timestamp;
    t.localTimestamp = localTimestamp;
    out.push(t);
    return i;
  }

  /** `{"channel":"trades","instId":"…"}` from `start`: the index past it, the instId's range in `range`; -1 otherwise */
  function arg(b: Uint8Array, start: number, stop: number, range: [number, number]): number {
    if (b[start] !== OPEN_BRACE) return -1;
    let channel = false;
    let i = start + 1;
    for (;;) {
      if (b[i] !== QUOTE) return -1;
      const keyEnd = stringEnd(b, i, stop);
      if (keyEnd < 0 || b[keyEnd] !== COLON) return -1;
      const v = keyEnd + 1;
      let end: number;
      if (isKey(b, i, keyEnd, CHANNEL)) {
        if (channel || !literalAt(b, v, stop, TRADES)) return -1;
        channel = true;
        end = v + TRADES.length;
      } else if (isKey(b, i, keyEnd, INST_ID)) {
        if (range[0] >= 0 || b[v] !== QUOTE) return -1;
        end = utf8StringEnd(b, v, stop);
        range[0] = v + 1;
        range[1] = end - 1;
      } else end = scalarEnd(b, v, stop);
      if (end < 0) return -1;
      const next = b[end];
      if (next === COMMA) { i = end + 1; continue; }
      if (next !== CLOSE_BRACE) return -1;
      return channel && range[0] >= 0 && range[1] > range[0] ? end + 1 : -1;
    }
  }

  /** the instrument of `b[start, end)` and its symbol; undefined when the mapper refuses it (the JSON path refuses it with its own message) */
  function instrumentOf(b: Uint8Array, start: number, end: number): KnownId | undefined {
    try {
      return instruments.lookup(b, start, end);
    } catch {
      return undefined;
    }
  }

  /** the frame from `start` to `stop`: its trades appended to `out`, or nothing and -1 */
  function frame(b: Uint8Array, start: number, stop: number, localTimestamp: number, out: MarketRecord[], lend: TradeLender): boolean {
    if (b[start] !== OPEN_BRACE) return false;
    const range: [number, number] = [-1, -1];
    let instrument: KnownId | undefined;
    let contract: ScaledDecimal | undefined;
    let read = false;
    let i = start + 1;
    for (;;) {
      if (b[i] !== QUOTE) return false;
      const keyEnd = stringEnd(b, i, stop);
      if (keyEnd < 0 || b[keyEnd] !== COLON) return false;
      const v = keyEnd + 1;
      let end: number;
      if (isKey(b, i, keyEnd, ARG)) {
        if (instrument !== undefined) return false;
        end = arg(b, v, stop, range);
        if (end < 0) return false;
        instrument = instrumentOf(b, range[0], range[1]);
        if (instrument === undefined) return false;
        // SPOT sizes are base units: no contract, even if the table had one (as okxTrade)
        contract = market === 'spot' ? undefined : contracts.get(instrument.nativeId);
        // a SWAP without a known contract size: the JSON path refuses it (unknown-instrument)
        if (market !== 'spot' && contract === undefined) return false;
      } else if (isKey(b, i, keyEnd, DATA)) {
        if (instrument === undefined || read || b[v] !== OPEN_BRACKET) return false;
        read = true;
        end = v + 1;
        if (b[end] === CLOSE_BRACKET) end++;
        else {
          for (;;) {
            end = row(b, end, stop, range[0], range[1], instrument.symbol, contract, localTimestamp, out, lend);
            if (end < 0) return false;
            const next = b[end];
            if (next === COMMA) { end++; continue; }
            if (next !== CLOSE_BRACKET) return false;
            end++;
            break;
          }
        }
      } else {
        end = scalarEnd(b, v, stop);
        if (end < 0) return false;
      }
      const next = b[end];
      if (next === COMMA) { i = end + 1; continue; }
      return next === CLOSE_BRACE && end + 1 === stop && read;
    }
  }

  return (b, start, stop, localTimestamp, out, lend) => {
    const from = out.length;
    if (frame(b, start, stop, localTimestamp, out, lend)) return true;
    out.length = from; // rows read before the frame was found not to be one this path takes
    return false;
  };
}
