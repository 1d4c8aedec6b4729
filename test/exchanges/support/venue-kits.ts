/**
 * One kit per exchange × market: frames in the exchange's documented form (trade, ticker, acks,
 * errors, pongs), the records they must map to, and which wire field carries which value and in
 * which documented JSON type. The shared hostile-frame suite (malformed.test.ts) runs every case
 * against every kit.
 */
import type { ControlMessage, Instrument } from '../../../src/exchanges/types.js';
import type { ExchangeId, Market, Ticker, Trade } from '../../../src/records.js';

export const LOCAL = 1_700_000_000_000;

export type Json = Record<string, unknown>;
/** how the exchange documents a field: as a JSON number, a (numeric) string, or a boolean */
export type WireType = 'number' | 'string' | 'boolean';

export interface FieldSpec {
  key: string;
  type: WireType;
}

export interface VenueKit {
  name: string;
  exchange: ExchangeId;
  market: Market;
  instruments?: Instrument[];
  /** Upbit sends JSON inside binary frames; the others send text */
  binary: boolean;
  /** the object that holds one trade's fields, in documented form */
  tradeEntry: Json;
  /** a whole frame around a trade entry (the entry itself for Binance and Upbit) */
  tradeFrame(entry: Json): Json;
  expectedTrade: Trade;
  /** where each trade value is on the wire; `id.integer`: a sequential integer id (Binance, Upbit) */
  fields: { price: FieldSpec; amount: FieldSpec; timestamp: FieldSpec; id: FieldSpec & { integer: boolean }; side: FieldSpec; symbol?: FieldSpec };
  tickerEntry: Json;
  tickerFrame(entry: Json): Json;
  expectedTicker: Ticker;
  /** the ticker's last price field */
  tickerLast: FieldSpec;
  /** acks, errors and pongs, as sent */
  controls: { name: string; frame: string; expected: ControlMessage }[];
  /** well-formed frames of a kind the parser does not map (other streams, topics, channels, events) */
  unknownKinds: string[];
}

const binanceSpot: VenueKit = {
  name: 'binance spot',
  exchange: 'binance',
  market: 'spot',
  binary: false,
  tradeEntry: { e: 'trade', E: 1690000000123, s: 'BTCUSDT', t: 28457001, p: '26150.40', q: '0.0015', T: 1690000000120, m: true, M: true },
  tradeFrame: (entry) => entry,
  expectedTrade: {
    type: 'trade', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', id: '28457001', price: 26150.4, amount: 0.0015,
    side: 'sell', timestamp: 1690000000120, localTimestamp: LOCAL,
  },
  fields: {
    price: { key: 'p', type: 'string' }, amount: { key: 'q', type: 'string' }, timestamp: { key: 'T', type: 'number' },
    id: { key: 't', type: 'number', integer: true }, side: { key: 'm', type: 'boolean' }, symbol: { key: 's', type: 'string' },
  },
  tickerEntry: {
    e: '24hrTicker', E: 1690000020000, s: 'BTCUSDT', p: '120.40', P: '0.462', w: '26180.1', x: '26030.00', c: '26150.40', Q: '0.0015',
    b: '26150.39', B: '3.21', a: '26150.40', A: '0.512', o: '26030.00', h: '26400.00', l: '26010.00', v: '21345.678', q: '559034123.45',
    O: 1689913620000, C: 1690000020000, F: 28400000, L: 28457001, n: 57002,
  },
  tickerFrame: (entry) => entry,
  expectedTicker: {
    type: 'ticker', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', timestamp: 1690000020000, localTimestamp: LOCAL,
    last: 26150.4, bid: 26150.39, bidSize: 3.21, ask: 26150.4, askSize: 0.512, high24h: 26400, low24h: 26010,
    volume24h: 21345.678, quoteVolume24h: 559034123.45,
  },
  tickerLast: { key: 'c', type: 'string' },
  controls: [
    { name: 'subscribe answer', frame: '{"result":null,"id":1}', expected: { kind: 'subscribed', requestId: '1' } },
    {
      name: 'error answer', frame: '{"code":2,"msg":"Invalid request: invalid stream name","id":1}',
      expected: { kind: 'rejected', requestId: '1', reason: 'code 2: Invalid request: invalid stream name' },
    },
  ],
  unknownKinds: [
    '{"e":"depthUpdate","E":1690000000123,"s":"BTCUSDT","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}',
    '{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1690000000123,"s":"BTCUSDT","k":{"t":1690000000000}}}',
    '{"e":"serverShutdown","E":1690000000000}',
  ],
};

const binanceFutures: VenueKit = {
  ...binanceSpot,
  name: 'binance futures',
  market: 'futures',
  tradeEntry: { e: 'aggTrade', E: 1690000010100, s: 'BTCUSDT', a: 77310045, p: '26160.20', q: '0.250', f: 201000301, l: 201000305, T: 1690000010095, m: false },
  expectedTrade: {
    type: 'trade', exchange: 'binance', market: 'futures', symbol: 'BTC/USDT:USDT', id: '77310045', price: 26160.2, amount: 0.25,
    side: 'buy', timestamp: 1690000010095, localTimestamp: LOCAL,
  },
  fields: { ...binanceSpot.fields, id: { key: 'a', type: 'number', integer: true } },
  tickerEntry: {
    e: '24hrTicker', E: 1690000030000, s: 'BTCUSDT', p: '100.1', P: '0.384', w: '26150.3', c: '26160.20', Q: '0.250', o: '26060.10',
    h: '26410.00', l: '26020.10', v: '198765.432', q: '5208123456.78', O: 1689943620000, C: 1690000030000, F: 201000000, L: 201000305, n: 306,
  },
  expectedTicker: {
    type: 'ticker', exchange: 'binance', market: 'futures', symbol: 'BTC/USDT:USDT', timestamp: 1690000030000, localTimestamp: LOCAL,
    last: 26160.2, high24h: 26410, low24h: 26020.1, volume24h: 198765.432, quoteVolume24h: 5208123456.78,
  },
};

const upbitSpot: VenueKit = {
  name: 'upbit spot',
  exchange: 'upbit',
  market: 'spot',
  binary: true,
  tradeEntry: {
    type: 'trade', code: 'KRW-BTC', timestamp: 1690000020145, trade_date: '2023-07-22', trade_time: '04:27:00', trade_timestamp: 1690000020139,
    trade_price: 35120000.0, trade_volume: 0.01234567, ask_bid: 'BID', prev_closing_price: 35000000.0, change: 'RISE', change_price: 120000.0,
    sequential_id: 1690000020139000, stream_type: 'REALTIME',
  },
  tradeFrame: (entry) => entry,
  expectedTrade: {
    type: 'trade', exchange: 'upbit', market: 'spot', symbol: 'BTC/KRW', id: '1690000020139000', price: 35120000, amount: 0.01234567,
    side: 'buy', timestamp: 1690000020139, localTimestamp: LOCAL,
  },
  fields: {
    price: { key: 'trade_price', type: 'number' }, amount: { key: 'trade_volume', type: 'number' },
    timestamp: { key: 'trade_timestamp', type: 'number' }, id: { key: 'sequential_id', type: 'number', integer: true },
    side: { key: 'ask_bid', type: 'string' }, symbol: { key: 'code', type: 'string' },
  },
  tickerEntry: {
    type: 'ticker', code: 'KRW-BTC', opening_price: 35000000.0, high_price: 35250000.0, low_price: 34900000.0, trade_price: 35120000.0,
    prev_closing_price: 35000000.0, change: 'RISE', acc_trade_volume_24h: 2468.1357, acc_trade_price_24h: 86666666666.6,
    trade_timestamp: 1690000020139, timestamp: 1690000020201, stream_type: 'SNAPSHOT',
  },
  tickerFrame: (entry) => entry,
  expectedTicker: {
    type: 'ticker', exchange: 'upbit', market: 'spot', symbol: 'BTC/KRW', timestamp: 1690000020201, localTimestamp: LOCAL,
    // high_price/low_price are the trading day's, not 24 h: not mapped
    last: 35120000, volume24h: 2468.1357, quoteVolume24h: 86666666666.6,
  },
  tickerLast: { key: 'trade_price', type: 'number' },
  controls: [
    { name: 'PING answer', frame: '{"status":"UP"}', expected: { kind: 'pong' } },
    {
      name: 'error', frame: '{"error":{"name":"INVALID_PARAM","message":"codes 필드가 비어 있습니다."}}',
      expected: { kind: 'rejected', reason: 'INVALID_PARAM: codes 필드가 비어 있습니다.' },
    },
  ],
  unknownKinds: [
    '{"type":"orderbook","code":"KRW-BTC","timestamp":1690000020201,"total_ask_size":1.5,"total_bid_size":2.5,"orderbook_units":[]}',
    '{"type":"candle.1s","code":"KRW-BTC","candle_date_time_utc":"2023-07-22T04:27:00","timestamp":1690000020201}',
  ],
};

const bybitSpot: VenueKit = {
  name: 'bybit spot',
  exchange: 'bybit',
  market: 'spot',
  binary: false,
  tradeEntry: { T: 1690000030865, s: 'BTCUSDT', S: 'Buy', v: '0.001', p: '26170.00', L: 'PlusTick', i: '20f43950-d8dd-5b31-9112-a178eb6023af', BT: false },
  tradeFrame: (entry) => ({ topic: 'publicTrade.BTCUSDT', type: 'snapshot', ts: 1690000030870, data: [entry] }),
  expectedTrade: {
    type: 'trade', exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT', id: '20f43950-d8dd-5b31-9112-a178eb6023af', price: 26170,
    amount: 0.001, side: 'buy', timestamp: 1690000030865, localTimestamp: LOCAL,
  },
  fields: {
    price: { key: 'p', type: 'string' }, amount: { key: 'v', type: 'string' }, timestamp: { key: 'T', type: 'number' },
    id: { key: 'i', type: 'string', integer: false }, side: { key: 'S', type: 'string' }, symbol: { key: 's', type: 'string' },
  },
  tickerEntry: {
    symbol: 'BTCUSDT', lastPrice: '21109.77', highPrice24h: '21426.99', lowPrice24h: '20575', prevPrice24h: '20704.93',
    volume24h: '6780.866843', turnover24h: '141946527.22907118', price24hPcnt: '0.0196', usdIndexPrice: '21120.2400136',
  },
  tickerFrame: (entry) => ({ topic: 'tickers.BTCUSDT', ts: 1673853746003, type: 'snapshot', cs: 2588407389, data: entry }),
  expectedTicker: {
    type: 'ticker', exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT', timestamp: 1673853746003, localTimestamp: LOCAL,
    last: 21109.77, high24h: 21426.99, low24h: 20575, volume24h: 6780.866843, quoteVolume24h: 141946527.22907118,
  },
  tickerLast: { key: 'lastPrice', type: 'string' },
  controls: [
    {
      name: 'subscribe ack', frame: '{"success":true,"ret_msg":"","conn_id":"2324d924-aa4d-45b0-a858-7b8be29ab52b","req_id":"10","op":"subscribe"}',
      expected: { kind: 'subscribed', requestId: '10' },
    },
    {
      name: 'subscribe error', frame: '{"success":false,"ret_msg":"Invalid symbol :[publicTrade.XYZUSDT]","conn_id":"2324d924","req_id":"11","op":"subscribe"}',
      expected: { kind: 'rejected', requestId: '11', reason: 'Invalid symbol :[publicTrade.XYZUSDT]', symbols: ['XYZ/USDT'] },
    },
    { name: 'pong (spot form)', frame: '{"success":true,"ret_msg":"pong","conn_id":"0970e817-426e-429a-a679-ff7f55e0b16a","op":"ping"}', expected: { kind: 'pong' } },
  ],
  unknownKinds: [
    '{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1672304484978,"data":{"s":"BTCUSDT","b":[["16493.50","0.006"]],"a":[],"u":18521288,"seq":7961638724}}',
    '{"topic":"kline.1.BTCUSDT","type":"snapshot","ts":1672324988882,"data":[{"start":1672324800000,"confirm":false}]}',
    '{"success":true,"ret_msg":"","op":"auth","conn_id":"cejreassvfrsfvb9v1a0-2m"}',
  ],
};

const bybitLinear: VenueKit = {
  ...bybitSpot,
  name: 'bybit futures',
  market: 'futures',
  instruments: [{ symbol: 'BTC/USDT:USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true }],
  expectedTrade: { ...bybitSpot.expectedTrade, market: 'futures', symbol: 'BTC/USDT:USDT' },
  tickerEntry: {
    symbol: 'BTCUSDT', tickDirection: 'PlusTick', price24hPcnt: '0.017103', lastPrice: '17216.00', prevPrice24h: '16926.50',
    highPrice24h: '17281.50', lowPrice24h: '16915.00', markPrice: '17217.33', indexPrice: '17227.36', openInterest: '68744.761',
    turnover24h: '1570383121.943499', volume24h: '91705.276', fundingRate: '-0.000212',
    bid1Price: '17215.50', bid1Size: '84.489', ask1Price: '17216.00', ask1Size: '83.020',
  },
  tickerFrame: (entry) => ({ topic: 'tickers.BTCUSDT', type: 'snapshot', data: entry, cs: 24987956059, ts: 1673272861686 }),
  expectedTicker: {
    type: 'ticker', exchange: 'bybit', market: 'futures', symbol: 'BTC/USDT:USDT', timestamp: 1673272861686, localTimestamp: LOCAL,
    last: 17216, bid: 17215.5, bidSize: 84.489, ask: 17216, askSize: 83.02, high24h: 17281.5, low24h: 16915,
    volume24h: 91705.276, quoteVolume24h: 1570383121.943499,
  },
  controls: [
    bybitSpot.controls[0]!,
    {
      name: 'subscribe error', frame: '{"success":false,"ret_msg":"Invalid symbol :[publicTrade.XYZUSDT]","conn_id":"2324d924","req_id":"11","op":"subscribe"}',
      expected: { kind: 'rejected', requestId: '11', reason: 'Invalid symbol :[publicTrade.XYZUSDT]', symbols: ['XYZ/USDT:USDT'] },
    },
    { name: 'pong (linear form)', frame: '{"req_id":"100001","op":"pong","args":["1675418560633"],"conn_id":"cfcb4ocsvfriu23r3er0-1b"}', expected: { kind: 'pong' } },
  ],
};

const okxSpot: VenueKit = {
  name: 'okx spot',
  exchange: 'okx',
  market: 'spot',
  binary: false,
  tradeEntry: { instId: 'BTC-USDT', tradeId: '130639474', px: '42219.9', sz: '0.12060306', side: 'buy', ts: '1630048897897', count: '3' },
  tradeFrame: (entry) => ({ arg: { channel: 'trades', instId: 'BTC-USDT' }, data: [entry] }),
  expectedTrade: {
    type: 'trade', exchange: 'okx', market: 'spot', symbol: 'BTC/USDT', id: '130639474', price: 42219.9, amount: 0.12060306,
    side: 'buy', timestamp: 1630048897897, localTimestamp: LOCAL,
  },
  fields: {
    price: { key: 'px', type: 'string' }, amount: { key: 'sz', type: 'string' }, timestamp: { key: 'ts', type: 'string' },
    id: { key: 'tradeId', type: 'string', integer: false }, side: { key: 'side', type: 'string' }, symbol: { key: 'instId', type: 'string' },
  },
  tickerEntry: {
    instType: 'SPOT', instId: 'BTC-USDT', last: '9999.99', lastSz: '0.1', askPx: '9999.99', askSz: '11', bidPx: '8888.88', bidSz: '5',
    open24h: '9000', high24h: '10000', low24h: '8888.88', volCcy24h: '22220000', vol24h: '2222', sodUtc0: '2222', sodUtc8: '2222', ts: '1597026383085',
  },
  tickerFrame: (entry) => ({ arg: { channel: 'tickers', instId: 'BTC-USDT' }, data: [entry] }),
  expectedTicker: {
    type: 'ticker', exchange: 'okx', market: 'spot', symbol: 'BTC/USDT', timestamp: 1597026383085, localTimestamp: LOCAL,
    last: 9999.99, bid: 8888.88, bidSize: 5, ask: 9999.99, askSize: 11, high24h: 10000, low24h: 8888.88, volume24h: 2222, quoteVolume24h: 22220000,
  },
  tickerLast: { key: 'last', type: 'string' },
  controls: [
    { name: 'subscribe ack', frame: '{"id":"7","event":"subscribe","arg":{"channel":"trades","instId":"BTC-USDT"},"connId":"a4d3ae55"}', expected: { kind: 'subscribed', requestId: '7', symbols: ['BTC/USDT'] } },
    {
      name: 'error', frame: '{"id":"8","event":"error","code":"60018","msg":"Wrong URL or channel:trades,instId:XYZ-USDT doesn\'t exist.","connId":"a4d3ae55"}',
      expected: { kind: 'rejected', requestId: '8', symbols: ['XYZ/USDT'], reason: "60018: Wrong URL or channel:trades,instId:XYZ-USDT doesn't exist." },
    },
    { name: 'pong (bare text)', frame: 'pong', expected: { kind: 'pong' } },
    // documented and informational: a known kind, not drift
    {
      name: 'notice', frame: '{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade. Please reconnect.","connId":"a4d3ae55"}',
      expected: { kind: 'ignored' },
    },
  ],
  unknownKinds: [
    '{"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[{"asks":[["8476.98","415","0","13"]],"bids":[],"instId":"BTC-USDT","ts":"1597026383085","seqId":123}]}',
    '{"arg":{"channel":"candle1m","instId":"BTC-USDT"},"data":[["1597026383085","8533.02","8553.74","8527.17","8548.26","45247","529.5858","529.5858","0"]]}',
    '{"event":"login","code":"0","msg":"","connId":"a4d3ae55"}',
  ],
};

const okxSwap: VenueKit = {
  ...okxSpot,
  name: 'okx futures',
  market: 'futures',
  instruments: [
    { symbol: 'BTC/USDT:USDT', nativeId: 'BTC-USDT-SWAP', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true, contractSize: 0.01 },
  ],
  tradeEntry: { instId: 'BTC-USDT-SWAP', tradeId: '88123001', px: '26180.3', sz: '3', side: 'sell', ts: '1690000040897', count: '2' },
  tradeFrame: (entry) => ({ arg: { channel: 'trades', instId: 'BTC-USDT-SWAP' }, data: [entry] }),
  expectedTrade: {
    // 3 contracts × ctVal 0.01 BTC
    type: 'trade', exchange: 'okx', market: 'futures', symbol: 'BTC/USDT:USDT', id: '88123001', price: 26180.3, amount: 0.03,
    side: 'sell', timestamp: 1690000040897, localTimestamp: LOCAL,
  },
  tickerEntry: {
    instType: 'SWAP', instId: 'BTC-USDT-SWAP', last: '26180.3', lastSz: '3', askPx: '26180.4', askSz: '150', bidPx: '26180.3', bidSz: '42',
    open24h: '25900.1', high24h: '26300', low24h: '25850.5', volCcy24h: '95123.45', vol24h: '9512345', sodUtc0: '26001', sodUtc8: '26010', ts: '1690000040950',
  },
  tickerFrame: (entry) => ({ arg: { channel: 'tickers', instId: 'BTC-USDT-SWAP' }, data: [entry] }),
  expectedTicker: {
    type: 'ticker', exchange: 'okx', market: 'futures', symbol: 'BTC/USDT:USDT', timestamp: 1690000040950, localTimestamp: LOCAL,
    // bidSz 42 and askSz 150 contracts × ctVal 0.01 BTC
    last: 26180.3, bid: 26180.3, bidSize: 0.42, ask: 26180.4, askSize: 1.5, high24h: 26300, low24h: 25850.5, volume24h: 95123.45,
  },
  controls: [
    { name: 'subscribe ack', frame: '{"event":"subscribe","arg":{"channel":"tickers","instId":"BTC-USDT-SWAP"},"connId":"a4d3ae55"}', expected: { kind: 'subscribed', symbols: ['BTC/USDT:USDT'] } },
    { name: 'error naming no instrument', frame: '{"event":"error","code":"60014","msg":"Requests too frequent.","connId":"a4d3ae55"}', expected: { kind: 'rejected', reason: '60014: Requests too frequent.' } },
    { name: 'pong (bare text)', frame: 'pong', expected: { kind: 'pong' } },
  ],
};

export const VENUE_KITS: readonly VenueKit[] = [binanceSpot, binanceFutures, upbitSpot, bybitSpot, bybitLinear, okxSpot, okxSwap];

/** JSON text of a frame; a value `{ [RAW]: text }` is written as raw JSON text (1e999, 2^64…), which JSON.stringify cannot produce. */
export const RAW = '$raw';
export function frameJson(frame: Json): string {
  const raws: string[] = [];
  const text = JSON.stringify(frame, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && RAW in value) {
      raws.push(String((value as Record<string, unknown>)[RAW]));
      return `\u0000RAW${raws.length - 1}\u0000`;
    }
    return value;
  });
  return text.replace(/"\\u0000RAW(\d+)\\u0000"/g, (_m, k: string) => raws[Number(k)] as string);
}

/** the entry with one field set (or removed, for undefined) */
export function withField(entry: Json, key: string, value: unknown): Json {
  const copy: Json = { ...entry };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy;
}

/** the object with an own key (`__proto__` included) — what JSON.parse makes of `{"__proto__":…}` */
export function withOwnKey(entry: Json, key: string, value: unknown): Json {
  const copy: Json = { ...entry };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}
