/**
 * Bybit v5 public frames → normalized records. One parser per connection: it keeps the last full
 * ticker per symbol, because linear `tickers` send one snapshot and then deltas of changed fields.
 *
 * Hot path: one JSON.parse per frame, prefix checks instead of regexes, no per-field try/catch.
 * Field reading (numbers as strings and back, ids, timestamps, frame size) follows common.ts.
 */
import type { Market, MarketRecord, Ticker, Trade } from '../../records.js';
import { NO_CONTROL, MAX_GUESSED_SYMBOLS, frameText, isRecord, notAnObject, num, optNum, parseJsonFrame, preview, timestampMs, tradeId } from '../common.js';
import { MalformedFrameError, type FrameParser, type Instrument, type ParseResult } from '../types.js';
import { bybitControl } from './control.js';
import { bybitSymbolMapper } from './symbols.js';

const TRADE_PREFIX = 'publicTrade.';
const TICKER_PREFIX = 'tickers.';

/** Bybit `S` (taker side) → ours; anything else is unreadable. */
export function bybitSide(value: unknown): 'buy' | 'sell' {
  if (value === 'Buy') return 'buy';
  if (value === 'Sell') return 'sell';
  throw new MalformedFrameError(`field S is not Buy/Sell: ${preview(value)}`);
}

/** Optional ticker fields: Bybit's wire name → ours. Required `lastPrice` is read apart. */
const OPTIONAL_TICKER_FIELDS: ReadonlyArray<readonly [wire: string, ours: OptionalTickerField]> = [
  ['bid1Price', 'bid'],
  ['bid1Size', 'bidSize'],
  ['ask1Price', 'ask'],
  ['ask1Size', 'askSize'],
  ['highPrice24h', 'high24h'],
  ['lowPrice24h', 'low24h'],
  ['volume24h', 'volume24h'],
  ['turnover24h', 'quoteVolume24h'],
];
type OptionalTickerField = 'bid' | 'bidSize' | 'ask' | 'askSize' | 'high24h' | 'low24h' | 'volume24h' | 'quoteVolume24h';

/** An entry's own `s`/`symbol` (when sent) must name the topic's instrument: a frame that disagrees with itself is unreadable. */
function checkSameInstrument(value: unknown, nativeId: string): void {
  if (value !== undefined && value !== nativeId) {
    throw new MalformedFrameError(`entry for ${preview(value)} in a frame for ${preview(nativeId)}`);
  }
}

export function createBybitParser(market: Market, instruments?: readonly Instrument[]): FrameParser {
  const toUnified = bybitSymbolMapper(market, instruments);
  /**
   * The last full ticker per native id, already normalized. Deltas are applied field by field to a
   * copy of it — never Object.assign of a frame object: a `__proto__` key in a frame would become
   * the merged object's prototype and lend it fields the exchange never sent.
   */
  const tickerState = new Map<string, Ticker>();

  function trades(msg: Record<string, unknown>, nativeId: string, localTimestamp: number): ParseResult {
    const data = msg.data;
    if (!Array.isArray(data)) throw new MalformedFrameError('publicTrade data is not an array');
    const symbol = toUnified(nativeId);
    const records: MarketRecord[] = new Array(data.length);
    for (let k = 0; k < data.length; k++) {
      const t: unknown = data[k];
      if (!isRecord(t)) throw new MalformedFrameError('trade entry is not an object');
      checkSameInstrument(t.s, nativeId);
      const trade: Trade = {
        type: 'trade',
        exchange: 'bybit',
        market,
        symbol,
        id: tradeId(t.i, 'i'),
        price: num(t.p, 'p'),
        amount: num(t.v, 'v'),
        side: bybitSide(t.S),
        timestamp: timestampMs(t.T, 'T'),
        localTimestamp,
      };
      records[k] = trade;
    }
    return { records, control: NO_CONTROL };
  }

  function ticker(msg: Record<string, unknown>, nativeId: string, localTimestamp: number): ParseResult {
    const data = msg.data;
    if (!isRecord(data)) throw new MalformedFrameError('tickers data is not an object');
    checkSameInstrument(data.symbol, nativeId);
    const timestamp = timestampMs(msg.ts, 'ts');
    let record: Ticker;
    if (msg.type === 'snapshot') {
      record = {
        type: 'ticker',
        exchange: 'bybit',
        market,
        symbol: toUnified(nativeId),
        timestamp,
        localTimestamp,
        last: num(data.lastPrice, 'lastPrice'),
      };
      // spot tickers carry no bid/ask: optNum leaves those fields absent
      for (const [wire, ours] of OPTIONAL_TICKER_FIELDS) {
        const value = optNum(data[wire], wire);
        if (value !== undefined) record[ours] = value;
      }
    } else if (msg.type === 'delta') {
      const last = tickerState.get(nativeId);
      // A delta holds only changed fields: without the snapshot it belongs to, a full ticker
      // cannot be built. The frame itself is well-formed, so it is not counted as malformed;
      // it is skipped until the next snapshot (Bybit sends one on every (re)subscribe).
      if (last === undefined) return { records: [], control: [{ kind: 'ignored' }] };
      // built on a copy and committed only once every field read: one bad delta must not
      // poison every later ticker of the symbol
      record = { ...last, timestamp, localTimestamp };
      if (data.lastPrice !== undefined) record.last = num(data.lastPrice, 'lastPrice');
      for (const [wire, ours] of OPTIONAL_TICKER_FIELDS) {
        const raw = data[wire];
        if (raw === undefined) continue; // unchanged
        const value = optNum(raw, wire);
        // an empty value clears the field (e.g. the book side emptied), as in a snapshot
        if (value === undefined) delete record[ours];
        else record[ours] = value;
      }
    } else {
      throw new MalformedFrameError(`tickers type is neither snapshot nor delta: ${preview(msg.type)}`);
    }
    // the state keeps its own copy: whoever receives the record may do as they like with it.
    // Bounded like the symbol guesses: a connection carries at most a few hundred instruments.
    if (tickerState.size < MAX_GUESSED_SYMBOLS || tickerState.has(nativeId)) tickerState.set(nativeId, { ...record });
    return { records: [record], control: NO_CONTROL };
  }

  return {
    parse(frame: string | Buffer, localTimestamp: number): ParseResult {
      const msg = parseJsonFrame(frameText(frame));
      if (!isRecord(msg)) throw notAnObject();
      const topic = msg.topic;
      if (typeof topic === 'string') {
        if (topic.endsWith('.')) throw new MalformedFrameError(`topic without symbol: ${preview(topic)}`);
        if (topic.startsWith(TRADE_PREFIX)) return trades(msg, topic.slice(TRADE_PREFIX.length), localTimestamp);
        if (topic.startsWith(TICKER_PREFIX)) return ticker(msg, topic.slice(TICKER_PREFIX.length), localTimestamp);
        // a well-formed frame of a topic we do not map is never a record; reported as unknown,
        // named by the topic's kind (the part before the symbol)
        const dot = topic.indexOf('.');
        return { records: [], control: [{ kind: 'unknown', what: `topic ${preview(dot > 0 ? topic.slice(0, dot) : topic)}` }] };
      }
      if (topic !== undefined) throw new MalformedFrameError(`field topic is not a string: ${preview(topic)}`);
      return { records: [], control: [bybitControl(msg, toUnified)] };
    },
  };
}
