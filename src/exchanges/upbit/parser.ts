/**
 * Upbit frame parser. Frames arrive binary (JSON text inside) in the DEFAULT format we request.
 * Hot path: one JSON.parse per frame, plain property reads, no per-frame closures or regexes.
 *
 * Frames handled: `trade` and `ticker` (SNAPSHOT and REALTIME alike), `{"status":"UP"}` (the
 * answer to our text PING), and `{"error":{"name":…,"message":…}}`. The SIMPLE format (`ty`,
 * `cd`, `tp`… in place of `type`, `code`, `trade_price`…; Upbit's documented abbreviations) is
 * read too: we ask for DEFAULT, but recorded streams (`tickvisor parse`) hold both.
 * Field reading (numbers as strings and back, ids, timestamps, frame size) follows common.ts.
 */
import type { MarketRecord, Ticker, Trade } from '../../records.js';
import {
  MAX_REASON_LENGTH, NO_CONTROL, frameText, integerId, isRecord, needsRawDigits, notAnObject, num, optNum, parseJsonFrame, preview, rawIntegerField, str,
  symbolMapper, timestampMs,
} from '../common.js';
import type { FrameParser, Instrument, ParseResult } from '../types.js';
import { MalformedFrameError } from '../types.js';
import { upbitSymbol } from './symbols.js';

type Json = Record<string, unknown>;

/** the fields read, by their name in each format (the SIMPLE names are Upbit's documented abbreviations) */
interface FieldNames {
  code: string;
  sequentialId: string;
  tradePrice: string;
  tradeVolume: string;
  askBid: string;
  tradeTimestamp: string;
  timestamp: string;
  volume24h: string;
  quoteVolume24h: string;
}

const DEFAULT_FIELDS: FieldNames = {
  code: 'code', sequentialId: 'sequential_id', tradePrice: 'trade_price', tradeVolume: 'trade_volume', askBid: 'ask_bid',
  tradeTimestamp: 'trade_timestamp', timestamp: 'timestamp', volume24h: 'acc_trade_volume_24h', quoteVolume24h: 'acc_trade_price_24h',
};

const SIMPLE_FIELDS: FieldNames = {
  code: 'cd', sequentialId: 'sid', tradePrice: 'tp', tradeVolume: 'tv', askBid: 'ab',
  tradeTimestamp: 'ttms', timestamp: 'tms', volume24h: 'atv24h', quoteVolume24h: 'atp24h',
};

/** `ask_bid` names the taker's order: ASK = the taker sold into the bids, BID = the taker bought. */
export function upbitSide(askBid: unknown): 'buy' | 'sell' {
  if (askBid === 'ASK') return 'sell';
  if (askBid === 'BID') return 'buy';
  throw new MalformedFrameError(`field ask_bid is not ASK or BID: ${preview(askBid)}`);
}

export function createUpbitParser(instruments?: readonly Instrument[]): FrameParser {
  const toSymbol = symbolMapper(instruments, upbitSymbol);

  function trade(d: Json, text: string, localTimestamp: number, f: FieldNames): Trade {
    const sequentialId = d[f.sequentialId];
    return {
      type: 'trade',
      exchange: 'upbit',
      market: 'spot',
      symbol: toSymbol(str(d[f.code], f.code)),
      // unique and increasing, not dense: gaps are found by time, not by id. 17 digits since 2024,
      // above 2^53: JSON.parse rounds it, so its digits are read from the frame's text (only then)
      id: integerId(sequentialId, f.sequentialId, needsRawDigits(sequentialId) ? rawIntegerField(text, f.sequentialId) : undefined),
      price: num(d[f.tradePrice], f.tradePrice),
      amount: num(d[f.tradeVolume], f.tradeVolume),
      side: upbitSide(d[f.askBid]),
      timestamp: timestampMs(d[f.tradeTimestamp], f.tradeTimestamp),
      localTimestamp,
    };
  }

  function ticker(d: Json, localTimestamp: number, f: FieldNames): Ticker {
    // Upbit's ticker has no best bid/ask: those fields stay absent. Its high_price/low_price are
    // the trading day's (reset at the day's start), not a rolling 24 h: high24h/low24h stay absent.
    const t: Ticker = {
      type: 'ticker',
      exchange: 'upbit',
      market: 'spot',
      symbol: toSymbol(str(d[f.code], f.code)),
      timestamp: timestampMs(d[f.timestamp], f.timestamp),
      localTimestamp,
      last: num(d[f.tradePrice], f.tradePrice),
    };
    const volume = optNum(d[f.volume24h], f.volume24h);
    if (volume !== undefined) t.volume24h = volume;
    const quoteVolume = optNum(d[f.quoteVolume24h], f.quoteVolume24h);
    if (quoteVolume !== undefined) t.quoteVolume24h = quoteVolume;
    return t;
  }

  function parse(frame: string | Buffer, localTimestamp: number): ParseResult {
    const text = frameText(frame);
    const msg = parseJsonFrame(text);
    if (!isRecord(msg)) throw notAnObject();
    const records: MarketRecord[] = [];
    switch (msg.type) {
      case 'trade':
        records.push(trade(msg, text, localTimestamp, DEFAULT_FIELDS));
        return { records, control: NO_CONTROL };
      case 'ticker':
        records.push(ticker(msg, localTimestamp, DEFAULT_FIELDS));
        return { records, control: NO_CONTROL };
      case undefined:
        if (msg.ty === 'trade') {
          records.push(trade(msg, text, localTimestamp, SIMPLE_FIELDS));
          return { records, control: NO_CONTROL };
        }
        if (msg.ty === 'ticker') {
          records.push(ticker(msg, localTimestamp, SIMPLE_FIELDS));
          return { records, control: NO_CONTROL };
        }
        if (typeof msg.ty === 'string') return { records, control: [{ kind: 'unknown', what: `type ${preview(msg.ty)}` }] };
        if (msg.status === 'UP') return { records, control: [{ kind: 'pong' }] };
        if (isRecord(msg.error)) {
          const { name, message } = msg.error;
          // Upbit names no request or code: the rejection concerns the last subscription frame.
          return { records, control: [{ kind: 'rejected', reason: `${preview(name)}: ${preview(message, MAX_REASON_LENGTH)}` }] };
        }
        throw new MalformedFrameError('frame has no type, status or error', { reason: 'unknown-kind' });
      default:
        // Another data type (orderbook, candle…) we did not ask for: a well-formed frame of a kind
        // we do not map is never turned into a record, and is reported as unknown.
        if (typeof msg.type !== 'string') throw new MalformedFrameError('field type is not a string');
        return { records, control: [{ kind: 'unknown', what: `type ${preview(msg.type)}` }] };
    }
  }

  return { parse };
}
