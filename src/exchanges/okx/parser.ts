/**
 * OKX v5 public frames → normalized records. One parser per connection; it holds the instrument
 * table (unified symbols, SWAP contract sizes).
 *
 * Numbers and timestamps arrive as strings. The keep-alive answer is the bare text `pong`, which
 * is checked before JSON.parse. Hot path: one JSON.parse per frame, no regexes, no try/catch per field.
 * Field reading (numbers as strings and back, ids, timestamps, frame size) follows common.ts.
 */
import type { Market, MarketRecord, Ticker } from '../../records.js';
import { NO_CONTROL, frameText, isRecord, notAnObject, num, optNum, parseJsonFrame, preview, str, timestampMs } from '../common.js';
import { MalformedFrameError, newTrade, type FrameParser, type Instrument, type ParseResult } from '../types.js';
import { okxControl } from './control.js';
import { okxSymbolMapper } from './symbols.js';
import { contractsToBase, type ScaledDecimal } from './contracts.js';
import { createOkxTradeScanner } from './fast-trade.js';
import { scannableBytes } from '../scan/byte-scan.js';
import { checkSameInstId, contractTable, okxTrade } from './trades.js';

export interface OkxParserOptions {
  /** read trades frames with the hand-written scanner first (default); false: JSON.parse only (tests, benches compare the two) */
  fastPath?: boolean;
}

export function createOkxParser(market: Market, instruments?: readonly Instrument[], options?: OkxParserOptions): FrameParser {
  const toUnified = okxSymbolMapper(instruments);
  const contracts = contractTable(instruments);
  const scanTrades = options?.fastPath === false ? undefined : createOkxTradeScanner(market, toUnified, contracts);

  function trades(data: unknown[], instId: string, localTimestamp: number): ParseResult {
    const symbol = toUnified(instId);
    const contract = contracts.get(instId);
    const records: MarketRecord[] = new Array(data.length);
    for (let k = 0; k < data.length; k++) records[k] = okxTrade(data[k], market, symbol, contract, localTimestamp, instId);
    return { records, control: NO_CONTROL };
  }

  /**
   * A ticker size: base units as sent on SPOT; on SWAP `bidSz`/`askSz` are contracts, so × ctVal,
   * the same rule as trade amounts. A SWAP size of an instrument whose ctVal is unknown is left
   * absent: contracts stored as base units would be wrong, and the prices are still worth keeping.
   */
  function tickerSize(value: unknown, field: string, contract: ScaledDecimal | undefined): number | undefined {
    if (market === 'spot') return optNum(value, field);
    if (value === undefined || value === null || value === '' || contract === undefined) return undefined;
    return contractsToBase(value, contract, field);
  }

  function tickers(data: unknown[], instId: string, localTimestamp: number): ParseResult {
    const symbol = toUnified(instId);
    const contract = contracts.get(instId);
    const records: MarketRecord[] = new Array(data.length);
    for (let k = 0; k < data.length; k++) {
      const t: unknown = data[k];
      if (!isRecord(t)) throw new MalformedFrameError('ticker entry is not an object');
      checkSameInstId(t.instId, instId);
      const record: Ticker = {
        type: 'ticker',
        exchange: 'okx',
        market,
        symbol,
        timestamp: timestampMs(t.ts, 'ts'),
        localTimestamp,
        last: num(t.last, 'last'),
      };
      // empty strings (no bid, no ask) leave the fields absent
      const bid = optNum(t.bidPx, 'bidPx');
      if (bid !== undefined) record.bid = bid;
      const bidSize = tickerSize(t.bidSz, 'bidSz', contract);
      if (bidSize !== undefined) record.bidSize = bidSize;
      const ask = optNum(t.askPx, 'askPx');
      if (ask !== undefined) record.ask = ask;
      const askSize = tickerSize(t.askSz, 'askSz', contract);
      if (askSize !== undefined) record.askSize = askSize;
      const high = optNum(t.high24h, 'high24h');
      if (high !== undefined) record.high24h = high;
      const low = optNum(t.low24h, 'low24h');
      if (low !== undefined) record.low24h = low;
      if (market === 'spot') {
        // SPOT: vol24h is base, volCcy24h is quote
        const volume = optNum(t.vol24h, 'vol24h');
        if (volume !== undefined) record.volume24h = volume;
        const quoteVolume = optNum(t.volCcy24h, 'volCcy24h');
        if (quoteVolume !== undefined) record.quoteVolume24h = quoteVolume;
      } else {
        // SWAP: vol24h is contracts, volCcy24h is base; no exact quote volume is sent
        const volume = optNum(t.volCcy24h, 'volCcy24h');
        if (volume !== undefined) record.volume24h = volume;
      }
      records[k] = record;
    }
    return { records, control: NO_CONTROL };
  }

  /** the scanner's reading of a frame given as text (scannableBytes) */
  function scanText(text: string, localTimestamp: number): ParseResult | undefined {
    if (scanTrades === undefined) return undefined;
    const bytes = scannableBytes(text);
    if (bytes === undefined) return undefined;
    const records: MarketRecord[] = [];
    return scanTrades(bytes, 0, bytes.length, localTimestamp, records, newTrade) ? { records, control: NO_CONTROL } : undefined;
  }

  return {
    ...(scanTrades !== undefined ? { scanBytes: scanTrades } : {}),
    parse(frame: string | Buffer, localTimestamp: number): ParseResult {
      const text = frameText(frame);
      if (text === 'pong') return { records: [], control: [{ kind: 'pong' }] };
      // trades frames are most frames: the scanner reads those without JSON.parse, and leaves the
      // rest (and any trades frame it cannot read exactly as below) to the JSON path
      const fast = scanText(text, localTimestamp);
      if (fast !== undefined) return fast;
      const msg = parseJsonFrame(text);
      if (!isRecord(msg)) throw notAnObject();
      const data = msg.data;
      if (data === undefined) return { records: [], control: [okxControl(msg, toUnified)] };
      if (!Array.isArray(data)) throw new MalformedFrameError('data is not an array');
      const arg = msg.arg;
      if (!isRecord(arg)) throw new MalformedFrameError('data frame without arg');
      const channel = arg.channel;
      if (channel === 'trades') return trades(data, str(arg.instId, 'arg.instId'), localTimestamp);
      if (channel === 'tickers') return tickers(data, str(arg.instId, 'arg.instId'), localTimestamp);
      if (typeof channel !== 'string') throw new MalformedFrameError(`field arg.channel is not a string: ${preview(channel)}`);
      // a well-formed frame of a channel we do not map is never a record; reported as unknown
      return { records: [], control: [{ kind: 'unknown', what: `channel ${preview(channel)}` }] };
    },
  };
}
