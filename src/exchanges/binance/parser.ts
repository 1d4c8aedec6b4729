/**
 * Binance frame parser (spot and USDⓈ-M futures). Hot path: one JSON.parse per frame, plain
 * property reads, no closures or regexes per frame; anything unreadable is a MalformedFrameError.
 *
 * Frames handled: raw events (`trade`, `aggTrade`, `24hrTicker`), the combined-stream wrapper
 * `{"stream":…,"data":…}`, request answers `{"result":null,"id":1}` and errors `{"code":2,"msg":…,"id":1}`.
 * Field reading (numbers as strings and back, ids, timestamps, frame size) follows common.ts.
 */
import type { Market, MarketRecord, Ticker, Trade } from '../../records.js';
import {
  MAX_REASON_LENGTH, NO_CONTROL, frameText, integerId, isRecord, needsRawDigits, notAnObject, num, optNum, parseJsonFrame, preview, rawIntegerField, str,
  symbolMapper, timestampMs,
} from '../common.js';
import type { ControlMessage, FrameParser, Instrument, ParseResult, TradeLender } from '../types.js';
import { MalformedFrameError, newTrade } from '../types.js';
import { createBinanceTradeScanner } from './fast-trade.js';
import { scannableBytes } from '../scan/byte-scan.js';
import { guessSymbol } from './symbols.js';

type Json = Record<string, unknown>;

export interface BinanceParserOptions {
  /** read trade frames with the hand-written scanner first (default); false: JSON.parse only (tests, benches compare the two) */
  fastPath?: boolean;
}

export function createBinanceParser(market: Market, instruments?: readonly Instrument[], options?: BinanceParserOptions): FrameParser {
  const toSymbol = symbolMapper(instruments, (nativeId) => guessSymbol(market, nativeId));
  const scanTrade = options?.fastPath === false ? undefined : createBinanceTradeScanner(market, toSymbol);

  function trade(d: Json, idField: 't' | 'a', text: string, localTimestamp: number): Trade {
    const m = d.m;
    const rawId = d[idField];
    if (typeof m !== 'boolean') throw new MalformedFrameError('field m is missing or not a boolean');
    return {
      type: 'trade',
      exchange: 'binance',
      market,
      symbol: toSymbol(str(d.s, 's')),
      // ids are far below 2^53 today; past it JSON.parse rounds them, and the digits come from the text
      id: integerId(rawId, idField, needsRawDigits(rawId) ? rawIntegerField(text, idField) : undefined),
      price: num(d.p, 'p'),
      amount: num(d.q, 'q'),
      // m: the buyer is the maker, so the taker — whose side the trade carries — sold.
      side: m ? 'sell' : 'buy',
      timestamp: timestampMs(d.T, 'T'),
      localTimestamp,
    };
  }

  function ticker(d: Json, localTimestamp: number): Ticker {
    const t: Ticker = {
      type: 'ticker',
      exchange: 'binance',
      market,
      symbol: toSymbol(str(d.s, 's')),
      timestamp: timestampMs(d.E, 'E'),
      localTimestamp,
      last: num(d.c, 'c'),
    };
    // Futures tickers carry no best bid/ask: such fields stay absent, never invented.
    const bid = optNum(d.b, 'b');
    if (bid !== undefined) t.bid = bid;
    const bidSize = optNum(d.B, 'B');
    if (bidSize !== undefined) t.bidSize = bidSize;
    const ask = optNum(d.a, 'a');
    if (ask !== undefined) t.ask = ask;
    const askSize = optNum(d.A, 'A');
    if (askSize !== undefined) t.askSize = askSize;
    const high = optNum(d.h, 'h');
    if (high !== undefined) t.high24h = high;
    const low = optNum(d.l, 'l');
    if (low !== undefined) t.low24h = low;
    const volume = optNum(d.v, 'v');
    if (volume !== undefined) t.volume24h = volume;
    const quoteVolume = optNum(d.q, 'q');
    if (quoteVolume !== undefined) t.quoteVolume24h = quoteVolume;
    return t;
  }

  /** `{"result":…,"id":…}`, `{"code":…,"msg":…,"id":…}` or `{"error":{"code":…,"msg":…},"id":…}`; undefined otherwise. */
  function answer(msg: Json): ControlMessage | undefined {
    const id = msg.id;
    const requestId = typeof id === 'number' || (typeof id === 'string' && id !== '') ? String(id) : undefined;
    // own keys only: what the prototype chain holds is not part of the frame
    if (Object.hasOwn(msg, 'result')) {
      // SUBSCRIBE and UNSUBSCRIBE both answer `result: null`; the connection knows which id was which.
      // A non-null result answers LIST_SUBSCRIPTIONS / GET_PROPERTY, which we do not act on.
      return msg.result === null ? { kind: 'subscribed', requestId } : { kind: 'ignored' };
    }
    if (Object.hasOwn(msg, 'code') && Object.hasOwn(msg, 'msg')) {
      return { kind: 'rejected', requestId, reason: `code ${preview(msg.code)}: ${preview(msg.msg, MAX_REASON_LENGTH)}` };
    }
    // the stream servers also nest it: `{"error":{"code":2,"msg":"Invalid request: invalid stream"},"id":1}`
    const error = msg.error;
    if (isRecord(error) && Object.hasOwn(error, 'code') && Object.hasOwn(error, 'msg')) {
      return { kind: 'rejected', requestId, reason: `code ${preview(error.code)}: ${preview(error.msg, MAX_REASON_LENGTH)}` };
    }
    return undefined;
  }

  /** the scanner's reading of a frame given as text (scannableBytes) */
  function scanText(text: string, localTimestamp: number): Trade | undefined {
    if (scanTrade === undefined) return undefined;
    const bytes = scannableBytes(text);
    return bytes === undefined ? undefined : scanTrade(bytes, 0, bytes.length, localTimestamp, newTrade);
  }

  function parse(frame: string | Buffer, localTimestamp: number): ParseResult {
    const text = frameText(frame);
    // most frames are trades: the scanner reads those without JSON.parse, and leaves the rest
    // (and any trade it cannot read exactly as below) to the JSON path
    const fast = scanText(text, localTimestamp);
    if (fast !== undefined) return { records: [fast], control: NO_CONTROL };
    return parseJson(text, localTimestamp);
  }

  /** the JSON.parse path: any frame, the reference for what the scanner reads */
  function parseJson(text: string, localTimestamp: number): ParseResult {
    const msg = parseJsonFrame(text);
    if (!isRecord(msg)) throw notAnObject();

    // Combined streams wrap the event: {"stream":"btcusdt@trade","data":{…}}.
    let event: Json = msg;
    if (typeof msg.stream === 'string') {
      if (!isRecord(msg.data)) throw new MalformedFrameError('combined-stream frame without an object in data');
      event = msg.data;
    }

    const records: MarketRecord[] = [];
    switch (event.e) {
      case 'trade':
        records.push(trade(event, 't', text, localTimestamp));
        return { records, control: NO_CONTROL };
      case 'aggTrade':
        records.push(trade(event, 'a', text, localTimestamp));
        return { records, control: NO_CONTROL };
      case '24hrTicker':
        records.push(ticker(event, localTimestamp));
        return { records, control: NO_CONTROL };
      case undefined: {
        const control = answer(event);
        if (control !== undefined) return { records, control: [control] };
        // Streams whose events carry no `e` (bookTicker, partial depth `@depth20`): a well-formed
        // frame of a kind we do not map, named by its combined stream or, bare, by its shape
        if (typeof msg.stream === 'string') return { records, control: [{ kind: 'unknown', what: `stream ${preview(msg.stream)}` }] };
        if (isBookTicker(event)) return { records, control: [{ kind: 'unknown', what: 'bookTicker' }] };
        throw new MalformedFrameError('frame has neither an event type nor a request id', { reason: 'unknown-kind' });
      }
      default:
        // Another event type (e.g. serverShutdown, followed by the server closing): a well-formed
        // frame of a kind we do not map is never turned into a record, and is reported as
        // unknown so a new event type shows in the quarantine instead of vanishing.
        if (typeof event.e !== 'string') throw new MalformedFrameError('field e is not a string');
        return { records, control: [{ kind: 'unknown', what: `event ${preview(event.e)}` }] };
    }
  }

  function parseInto(frame: string | Buffer, localTimestamp: number, out: MarketRecord[]): readonly ControlMessage[] {
    const text = frameText(frame);
    const fast = scanText(text, localTimestamp);
    if (fast !== undefined) {
      out.push(fast);
      return NO_CONTROL;
    }
    const result = parseJson(text, localTimestamp);
    for (const r of result.records) out.push(r);
    return result.control;
  }

  function scanBytes(bytes: Uint8Array, start: number, end: number, localTimestamp: number, out: MarketRecord[], lend: TradeLender): boolean {
    const fast = scanTrade?.(bytes, start, end, localTimestamp, lend);
    if (fast === undefined) return false;
    out.push(fast);
    return true;
  }

  return scanTrade === undefined ? { parse, parseInto } : { parse, parseInto, scanBytes };
}

/** a bare `<symbol>@bookTicker` event: update id, symbol, best bid and ask with their sizes, no `e` */
function isBookTicker(event: Record<string, unknown>): boolean {
  return typeof event.u === 'number' && typeof event.s === 'string' && typeof event.b === 'string' && typeof event.B === 'string' && typeof event.a === 'string' && typeof event.A === 'string';
}
