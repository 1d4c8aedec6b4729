/**
 * Upbit frame parser. Frames arrive binary (JSON text inside) in the DEFAULT format we request.
 * Hot path: one JSON.parse per frame, plain property reads, no per-frame closures or regexes.
 *
 * Frames handled: `trade` and `ticker` (SNAPSHOT and REALTIME alike), `{"status":"UP"}` (the
 * answer to our text PING), and `{"error":{"name":…,"message":…}}`.
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

/** `ask_bid` names the taker's order: ASK = the taker sold into the bids, BID = the taker bought. */
export function upbitSide(askBid: unknown): 'buy' | 'sell' {
  if (askBid === 'ASK') return 'sell';
  if (askBid === 'BID') return 'buy';
  throw new MalformedFrameError(`field ask_bid is not ASK or BID: ${preview(askBid)}`);
}

export function createUpbitParser(instruments?: readonly Instrument[]): FrameParser {
  const toSymbol = symbolMapper(instruments, upbitSymbol);

  function trade(d: Json, text: string, localTimestamp: number): Trade {
    const sequentialId = d.sequential_id;
    return {
      type: 'trade',
      exchange: 'upbit',
      market: 'spot',
      symbol: toSymbol(str(d.code, 'code')),
      // unique and increasing, not dense: gaps are found by time, not by id. 17 digits since 2024,
      // above 2^53: JSON.parse rounds it, so its digits are read from the frame's text (only then)
      id: integerId(sequentialId, 'sequential_id', needsRawDigits(sequentialId) ? rawIntegerField(text, 'sequential_id') : undefined),
      price: num(d.trade_price, 'trade_price'),
      amount: num(d.trade_volume, 'trade_volume'),
      side: upbitSide(d.ask_bid),
      timestamp: timestampMs(d.trade_timestamp, 'trade_timestamp'),
      localTimestamp,
    };
  }

  function ticker(d: Json, localTimestamp: number): Ticker {
    // Upbit's ticker has no best bid/ask: those fields stay absent. Its high_price/low_price are
    // the trading day's (reset at the day's start), not a rolling 24 h: high24h/low24h stay absent.
    const t: Ticker = {
      type: 'ticker',
      exchange: 'upbit',
      market: 'spot',
      symbol: toSymbol(str(d.code, 'code')),
      timestamp: timestampMs(d.timestamp, 'timestamp'),
      localTimestamp,
      last: num(d.trade_price, 'trade_price'),
    };
    const volume = optNum(d.acc_trade_volume_24h, 'acc_trade_volume_24h');
    if (volume !== undefined) t.volume24h = volume;
    const quoteVolume = optNum(d.acc_trade_price_24h, 'acc_trade_price_24h');
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
        records.push(trade(msg, text, localTimestamp));
        return { records, control: NO_CONTROL };
      case 'ticker':
        records.push(ticker(msg, localTimestamp));
        return { records, control: NO_CONTROL };
      case undefined:
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
