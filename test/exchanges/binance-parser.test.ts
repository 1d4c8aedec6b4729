import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { binanceAdapter } from '../../src/exchanges/binance/index.js';
import type { Market, Ticker, Trade } from '../../src/records.js';
import type { ControlMessage, Instrument } from '../../src/exchanges/types.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/binance/${name}`, import.meta.url), 'utf8').trim();

const LOCAL = 1_690_000_099_999;

const spotSellTrade: Trade = {
  type: 'trade', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', id: '28457001',
  price: 26150.4, amount: 0.0015, side: 'sell', timestamp: 1690000000120, localTimestamp: LOCAL,
};
const spotTicker: Ticker = {
  type: 'ticker', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', timestamp: 1690000020000,
  localTimestamp: LOCAL, last: 26150.4, bid: 26150.39, bidSize: 3.21, ask: 26150.4, askSize: 0.512,
  high24h: 26400, low24h: 26010, volume24h: 21345.678, quoteVolume24h: 559034123.45,
};

const recordCases: { name: string; market: Market; file: string; expected: Trade | Ticker }[] = [
  { name: 'spot trade with m:true is a taker sell', market: 'spot', file: 'spot-trade-taker-sell.json', expected: spotSellTrade },
  {
    name: 'spot trade with m:false is a taker buy, BTC-quoted pair split by the guess',
    market: 'spot', file: 'spot-trade-taker-buy.json',
    expected: {
      type: 'trade', exchange: 'binance', market: 'spot', symbol: 'ETH/BTC', id: '4110002',
      price: 0.06321, amount: 1.25, side: 'buy', timestamp: 1690000000450, localTimestamp: LOCAL,
    },
  },
  {
    name: 'futures aggTrade takes its id from a and its symbol as a linear perpetual',
    market: 'futures', file: 'futures-aggtrade.json',
    expected: {
      type: 'trade', exchange: 'binance', market: 'futures', symbol: 'BTC/USDT:USDT', id: '77310045',
      price: 26160.2, amount: 0.25, side: 'buy', timestamp: 1690000010095, localTimestamp: LOCAL,
    },
  },
  { name: 'spot 24hrTicker maps every field', market: 'spot', file: 'spot-ticker.json', expected: spotTicker },
  {
    name: 'futures 24hrTicker has no bid/ask, and they stay absent',
    market: 'futures', file: 'futures-ticker.json',
    expected: {
      type: 'ticker', exchange: 'binance', market: 'futures', symbol: 'BTC/USDT:USDT', timestamp: 1690000030000,
      localTimestamp: LOCAL, last: 26160.2, high24h: 26410, low24h: 26020.1, volume24h: 198765.432, quoteVolume24h: 5208123456.78,
    },
  },
  { name: 'combined-stream trade is unwrapped', market: 'spot', file: 'combined-trade.json', expected: spotSellTrade },
  { name: 'combined-stream ticker is unwrapped', market: 'spot', file: 'combined-ticker.json', expected: spotTicker },
];

describe('binance parser: data frames', () => {
  for (const c of recordCases) {
    test(c.name, () => {
      const result = binanceAdapter(c.market).createParser().parse(fixture(c.file), LOCAL);
      assert.deepEqual(result.records, [c.expected]);
      assert.deepEqual(result.control, []);
    });
  }

  test('futures ticker record has no bid, ask, bidSize or askSize keys at all', () => {
    const [t] = binanceAdapter('futures').createParser().parse(fixture('futures-ticker.json'), LOCAL).records;
    for (const key of ['bid', 'ask', 'bidSize', 'askSize']) assert.equal(key in (t as object), false, key);
  });

  test('binary frames parse like text frames', () => {
    const parser = binanceAdapter('spot').createParser();
    assert.deepEqual(parser.parse(Buffer.from(fixture('spot-trade-taker-sell.json')), LOCAL).records, [spotSellTrade]);
  });

  test('the instrument table wins over the guessed symbol', () => {
    const instruments: Instrument[] = [
      { symbol: 'BTC/USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', active: true },
      { symbol: 'ETH/BTC-TABLE', nativeId: 'ETHBTC', base: 'ETH', quote: 'BTC', active: true },
    ];
    const parser = binanceAdapter('spot').createParser(instruments);
    const [t] = parser.parse(fixture('spot-trade-taker-buy.json'), LOCAL).records;
    assert.equal(t?.symbol, 'ETH/BTC-TABLE');
  });

  test('an id no known quote ends is kept upper-cased as the symbol', () => {
    const frame = JSON.stringify({ e: 'trade', E: 1, s: 'FOOBAR', t: 1, p: '1', q: '1', T: 1, m: false });
    const [t] = binanceAdapter('spot').createParser().parse(frame, LOCAL).records;
    assert.equal(t?.symbol, 'FOOBAR');
  });
});

const controlCases: { name: string; file: string; expected: ControlMessage }[] = [
  { name: 'subscribe ack {result:null,id:1} → subscribed with the id as a string', file: 'subscribe-ack.json', expected: { kind: 'subscribed', requestId: '1' } },
  { name: 'error {code,msg,id} → rejected with the id and the message', file: 'error.json', expected: { kind: 'rejected', requestId: '1', reason: 'code 2: Invalid request: invalid stream name' } },
  { name: 'error with id:null → rejected without a request id', file: 'error-without-id.json', expected: { kind: 'rejected', requestId: undefined, reason: 'code 3: Invalid JSON: expected value at line 1 column 1' } },
  { name: 'LIST_SUBSCRIPTIONS answer (non-null result) → ignored', file: 'list-subscriptions.json', expected: { kind: 'ignored' } },
];

describe('binance parser: control frames', () => {
  for (const c of controlCases) {
    test(c.name, () => {
      const result = binanceAdapter('spot').createParser().parse(fixture(c.file), LOCAL);
      assert.deepEqual(result.records, []);
      assert.deepEqual(result.control, [c.expected]);
    });
  }

  test('an unmapped event type (serverShutdown) is no record and no error: reported as unknown', () => {
    const result = binanceAdapter('spot').createParser().parse('{"e":"serverShutdown","E":1690000000000}', LOCAL);
    assert.deepEqual(result, { records: [], control: [{ kind: 'unknown', what: 'event serverShutdown' }] });
  });

  test('events without `e` of streams we do not map (bookTicker, partial depth) are unknown, not malformed; a shapeless frame still is', () => {
    const parser = binanceAdapter('spot').createParser();
    const combined = '{"stream":"btcusdt@bookTicker","data":{"u":1127645101,"s":"BTCUSDT","b":"8010.00000000","B":"0.14245900","a":"8012.15000000","A":"0.03120100"}}';
    assert.deepEqual(parser.parse(combined, LOCAL), { records: [], control: [{ kind: 'unknown', what: 'stream btcusdt@bookTicker' }] });
    const bare = '{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}';
    assert.deepEqual(parser.parse(bare, LOCAL), { records: [], control: [{ kind: 'unknown', what: 'bookTicker' }] });
    const depth = '{"stream":"btcusdt@depth5","data":{"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}}';
    assert.deepEqual(parser.parse(depth, LOCAL), { records: [], control: [{ kind: 'unknown', what: 'stream btcusdt@depth5' }] });
    assert.throws(() => parser.parse('{"u":1,"s":"BTCUSDT"}', LOCAL), /neither an event type nor a request id/);
  });
});

const trade = JSON.parse(fixture('spot-trade-taker-sell.json')) as Record<string, unknown>;
const withField = (patch: Record<string, unknown>): string => JSON.stringify({ ...trade, ...patch });
const without = (field: string): string => {
  const copy = { ...trade };
  delete copy[field];
  return JSON.stringify(copy);
};

const malformedCases: { name: string; frame: string; reason: RegExp }[] = [
  { name: 'not JSON', frame: 'hello', reason: /not JSON/ },
  { name: 'a JSON array', frame: '[1,2]', reason: /not a JSON object/ },
  { name: 'neither event nor request id', frame: '{"foo":1}', reason: /neither/ },
  { name: 'trade without price', frame: without('p'), reason: /field p/ },
  { name: 'trade without id', frame: without('t'), reason: /field t/ },
  { name: 'trade without time', frame: without('T'), reason: /field T/ },
  { name: 'trade without symbol', frame: without('s'), reason: /field s/ },
  { name: 'trade with a non-numeric price', frame: withField({ p: 'abc' }), reason: /field p is not a number/ },
  { name: 'trade with an empty quantity', frame: withField({ q: '' }), reason: /field q/ },
  { name: 'trade without the maker flag', frame: without('m'), reason: /field m/ },
  { name: 'trade with a string maker flag', frame: withField({ m: 'true' }), reason: /field m/ },
  { name: 'ticker with a non-numeric last price', frame: '{"e":"24hrTicker","E":1,"s":"BTCUSDT","c":"x"}', reason: /field c/ },
  { name: 'ticker with a non-numeric bid', frame: '{"e":"24hrTicker","E":1,"s":"BTCUSDT","c":"1","b":"?"}', reason: /field b/ },
  { name: 'combined frame whose data is not an object', frame: '{"stream":"btcusdt@trade","data":"x"}', reason: /combined-stream/ },
  { name: 'event type that is not a string', frame: '{"e":5}', reason: /field e/ },
];

describe('binance parser: malformed frames throw MalformedFrameError', () => {
  for (const c of malformedCases) {
    test(c.name, () => {
      const parser = binanceAdapter('spot').createParser();
      assert.throws(() => parser.parse(c.frame, LOCAL), (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.equal((err as { code?: string }).code, 'TV_ERR_MALFORMED_FRAME');
        assert.match(err.message, c.reason);
        return true;
      });
    });
  }
});
