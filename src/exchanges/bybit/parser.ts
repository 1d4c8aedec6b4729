/**
 * Bybit v5 public frames → normalized records. One parser per connection: it keeps the last full
 * ticker per symbol, because linear `tickers` send one snapshot and then deltas of changed fields.
 *
 * Hot path: one JSON.parse per frame, prefix checks instead of regexes, no per-field try/catch.
 */
import type { Market, MarketRecord, Ticker, Trade } from '../../records.js';
import { frameText, isRecord, num, optNum, parseJsonFrame, str } from '../common.js';
import { MalformedFrameError, type FrameParser, type Instrument, type ParseResult } from '../types.js';
import { bybitControl } from './control.js';
import { bybitSymbolMapper } from './symbols.js';

const TRADE_PREFIX = 'publicTrade.';
const TICKER_PREFIX = 'tickers.';

/** Bybit `S` (taker side) → ours; anything else is unreadable. */
export function bybitSide(value: unknown): 'buy' | 'sell' {
  if (value === 'Buy') return 'buy';
  if (value === 'Sell') return 'sell';
  throw new MalformedFrameError(`field S is not Buy/Sell: ${String(value)}`);
}

export function createBybitParser(market: Market, instruments?: readonly Instrument[]): FrameParser {
  const toUnified = bybitSymbolMapper(market, instruments);
  /** last full ticker fields per native id (the snapshot object itself, deltas assigned into it) */
  const tickerState = new Map<string, Record<string, unknown>>();

  function trades(msg: Record<string, unknown>, nativeId: string, localTimestamp: number): ParseResult {
    const data = msg.data;
    if (!Array.isArray(data)) throw new MalformedFrameError('publicTrade data is not an array');
    const symbol = toUnified(nativeId);
    const records: MarketRecord[] = new Array(data.length);
    for (let k = 0; k < data.length; k++) {
      const t: unknown = data[k];
      if (!isRecord(t)) throw new MalformedFrameError('trade entry is not an object');
      const trade: Trade = {
        type: 'trade',
        exchange: 'bybit',
        market,
        symbol,
        id: str(t.i, 'i'),
        price: num(t.p, 'p'),
        amount: num(t.v, 'v'),
        side: bybitSide(t.S),
        timestamp: num(t.T, 'T'),
        localTimestamp,
      };
      records[k] = trade;
    }
    return { records, control: [] };
  }

  function ticker(msg: Record<string, unknown>, nativeId: string, localTimestamp: number): ParseResult {
    const data = msg.data;
    if (!isRecord(data)) throw new MalformedFrameError('tickers data is not an object');
    let state: Record<string, unknown>;
    if (msg.type === 'snapshot') {
      state = data;
    } else if (msg.type === 'delta') {
      const last = tickerState.get(nativeId);
      // A delta holds only changed fields: without the snapshot it belongs to, a full ticker
      // cannot be built. The frame itself is well-formed, so it is not counted as malformed;
      // it is skipped until the next snapshot (Bybit sends one on every (re)subscribe).
      if (last === undefined) return { records: [], control: [{ kind: 'ignored' }] };
      // merged into a copy, committed only once it reads as a valid ticker: one bad delta
      // must not poison every later ticker of the symbol
      state = Object.assign({}, last, data);
    } else {
      throw new MalformedFrameError(`tickers type is neither snapshot nor delta: ${String(msg.type)}`);
    }
    const record: Ticker = {
      type: 'ticker',
      exchange: 'bybit',
      market,
      symbol: toUnified(nativeId),
      timestamp: num(msg.ts, 'ts'),
      localTimestamp,
      last: num(state.lastPrice, 'lastPrice'),
    };
    // spot tickers carry no bid/ask: optNum leaves those fields absent
    const bid = optNum(state.bid1Price, 'bid1Price');
    if (bid !== undefined) record.bid = bid;
    const bidSize = optNum(state.bid1Size, 'bid1Size');
    if (bidSize !== undefined) record.bidSize = bidSize;
    const ask = optNum(state.ask1Price, 'ask1Price');
    if (ask !== undefined) record.ask = ask;
    const askSize = optNum(state.ask1Size, 'ask1Size');
    if (askSize !== undefined) record.askSize = askSize;
    const high = optNum(state.highPrice24h, 'highPrice24h');
    if (high !== undefined) record.high24h = high;
    const low = optNum(state.lowPrice24h, 'lowPrice24h');
    if (low !== undefined) record.low24h = low;
    const volume = optNum(state.volume24h, 'volume24h');
    if (volume !== undefined) record.volume24h = volume;
    const turnover = optNum(state.turnover24h, 'turnover24h');
    if (turnover !== undefined) record.quoteVolume24h = turnover;
    tickerState.set(nativeId, state);
    return { records: [record], control: [] };
  }

  return {
    parse(frame: string | Buffer, localTimestamp: number): ParseResult {
      const msg = parseJsonFrame(frameText(frame));
      if (!isRecord(msg)) throw new MalformedFrameError('frame is not a JSON object');
      const topic = msg.topic;
      if (typeof topic === 'string') {
        if (topic.endsWith('.')) throw new MalformedFrameError(`topic without symbol: ${topic}`);
        if (topic.startsWith(TRADE_PREFIX)) return trades(msg, topic.slice(TRADE_PREFIX.length), localTimestamp);
        if (topic.startsWith(TICKER_PREFIX)) return ticker(msg, topic.slice(TICKER_PREFIX.length), localTimestamp);
        return { records: [], control: [{ kind: 'ignored' }] };
      }
      return { records: [], control: [bybitControl(msg, toUnified)] };
    },
  };
}
