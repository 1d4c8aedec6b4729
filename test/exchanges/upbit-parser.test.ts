import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { upbitAdapter } from '../../src/exchanges/upbit/index.js';
import type { Ticker, Trade } from '../../src/records.js';
import type { ControlMessage, Instrument } from '../../src/exchanges/types.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/upbit/${name}`, import.meta.url), 'utf8').trim();
/** Upbit sends JSON inside binary frames: the tests feed Buffers like the socket does. */
const binary = (name: string): Buffer => Buffer.from(fixture(name), 'utf8');

const LOCAL = 1_690_000_099_999;

const recordCases: { name: string; file: string; expected: Trade | Ticker }[] = [
  {
    name: 'trade SNAPSHOT with ask_bid BID is a taker buy; id is sequential_id as a string',
    file: 'trade-snapshot.json',
    expected: {
      type: 'trade', exchange: 'upbit', market: 'spot', symbol: 'BTC/KRW', id: '1690000020139000',
      price: 35120000, amount: 0.01234567, side: 'buy', timestamp: 1690000020139, localTimestamp: LOCAL,
    },
  },
  {
    name: 'trade REALTIME with ask_bid ASK is a taker sell; BTC-ETH is ETH/BTC',
    file: 'trade-realtime.json',
    expected: {
      type: 'trade', exchange: 'upbit', market: 'spot', symbol: 'ETH/BTC', id: '1690000021002001',
      price: 0.06321, amount: 2.5, side: 'sell', timestamp: 1690000021002, localTimestamp: LOCAL,
    },
  },
  {
    // high_price/low_price are the trading day's (since 00:00 UTC), not a rolling 24 h: never high24h/low24h
    name: 'ticker SNAPSHOT maps last, 24h volumes and the frame timestamp; no bid/ask, no 24 h high/low (day high/low are not)',
    file: 'ticker-snapshot.json',
    expected: {
      type: 'ticker', exchange: 'upbit', market: 'spot', symbol: 'BTC/KRW', timestamp: 1690000020201, localTimestamp: LOCAL,
      last: 35120000, volume24h: 2468.1357, quoteVolume24h: 86666666666.6,
    },
  },
  {
    name: 'ticker REALTIME on a USDT market',
    file: 'ticker-realtime.json',
    expected: {
      type: 'ticker', exchange: 'upbit', market: 'spot', symbol: 'XRP/USDT', timestamp: 1690000022050, localTimestamp: LOCAL,
      last: 0.7215, volume24h: 180000.25, quoteVolume24h: 129900.5,
    },
  },
];

describe('upbit parser: data frames', () => {
  for (const c of recordCases) {
    test(c.name, () => {
      const result = upbitAdapter('spot').createParser().parse(binary(c.file), LOCAL);
      assert.deepEqual(result.records, [c.expected]);
      assert.deepEqual(result.control, []);
    });
  }

  test('text frames parse like binary frames', () => {
    const parser = upbitAdapter('spot').createParser();
    assert.deepEqual(parser.parse(fixture('trade-snapshot.json'), LOCAL), parser.parse(binary('trade-snapshot.json'), LOCAL));
  });

  test('the instrument table wins over the guessed symbol', () => {
    const table: Instrument[] = [{ symbol: 'XBT/KRW', nativeId: 'KRW-BTC', base: 'XBT', quote: 'KRW', active: true }];
    const [t] = upbitAdapter('spot').createParser(table).parse(binary('trade-snapshot.json'), LOCAL).records;
    assert.equal(t?.symbol, 'XBT/KRW');
  });

  test('the SIMPLE format (ty, cd, tp…: Upbit\'s abbreviations) reads as DEFAULT does, a 17-digit sid included', () => {
    const parser = upbitAdapter('spot').createParser();
    // as cryptofeed recorded KRW-LAMB in 2021, the sid grown to today's 17 digits
    const simpleTrade = '{"ty":"trade","cd":"KRW-LAMB","tms":1618678263084,"td":"2021-04-17","ttm":"16:51:02","ttms":1618678262000,"tp":126.0,"tv":47.97601199,"ab":"ASK","pcp":123.00000000,"c":"RISE","cp":3.00000000,"sid":17618678262000004,"st":"REALTIME"}';
    assert.deepEqual(parser.parse(simpleTrade, LOCAL).records, [
      { type: 'trade', exchange: 'upbit', market: 'spot', symbol: 'LAMB/KRW', id: '17618678262000004', price: 126, amount: 47.97601199, side: 'sell', timestamp: 1618678262000, localTimestamp: LOCAL },
    ]);
    const simpleTicker = '{"ty":"ticker","cd":"KRW-BTC","op":1,"hp":2,"lp":0.5,"tp":1.5,"pcp":1,"tv":0.1,"atv":10,"atv24h":20.5,"atp":100,"atp24h":300.25,"tms":1690000020201,"st":"REALTIME"}';
    assert.deepEqual(parser.parse(simpleTicker, LOCAL).records, [
      { type: 'ticker', exchange: 'upbit', market: 'spot', symbol: 'BTC/KRW', timestamp: 1690000020201, localTimestamp: LOCAL, last: 1.5, volume24h: 20.5, quoteVolume24h: 300.25 },
    ]);
    assert.deepEqual(parser.parse('{"ty":"orderbook","cd":"KRW-BTC","tms":1}', LOCAL), { records: [], control: [{ kind: 'unknown', what: 'type orderbook' }] });
  });

  test('a ticker has no bid, ask or sizes at all', () => {
    const [t] = upbitAdapter('spot').createParser().parse(binary('ticker-snapshot.json'), LOCAL).records;
    for (const key of ['bid', 'ask', 'bidSize', 'askSize']) assert.equal(key in (t as object), false, key);
  });
});

const controlCases: { name: string; file: string; expected: ControlMessage }[] = [
  { name: '{"status":"UP"} → pong', file: 'status-up.json', expected: { kind: 'pong' } },
  { name: 'error frame → rejected with name and message', file: 'error.json', expected: { kind: 'rejected', reason: 'INVALID_PARAM: codes 필드가 비어 있습니다.' } },
  { name: 'WRONG_FORMAT error → rejected', file: 'error-wrong-format.json', expected: { kind: 'rejected', reason: 'WRONG_FORMAT: Format 이 맞지 않습니다.' } },
];

describe('upbit parser: control frames', () => {
  for (const c of controlCases) {
    test(c.name, () => {
      const result = upbitAdapter('spot').createParser().parse(binary(c.file), LOCAL);
      assert.deepEqual(result, { records: [], control: [c.expected] });
    });
  }

  test('a data type we did not ask for (orderbook) is no record: reported as unknown', () => {
    const result = upbitAdapter('spot').createParser().parse('{"type":"orderbook","code":"KRW-BTC","timestamp":1}', LOCAL);
    assert.deepEqual(result, { records: [], control: [{ kind: 'unknown', what: 'type orderbook' }] });
  });
});

const trade = JSON.parse(fixture('trade-snapshot.json')) as Record<string, unknown>;
const withField = (patch: Record<string, unknown>): string => JSON.stringify({ ...trade, ...patch });
const without = (field: string): string => {
  const copy = { ...trade };
  delete copy[field];
  return JSON.stringify(copy);
};

const malformedCases: { name: string; frame: string; reason: RegExp }[] = [
  { name: 'not JSON', frame: 'PONG?', reason: /not JSON/ },
  { name: 'a JSON array', frame: '[{"type":"trade"}]', reason: /not a JSON object/ },
  { name: 'no type, status or error', frame: '{"status":"DOWN"}', reason: /no type/ },
  { name: 'trade without sequential_id', frame: without('sequential_id'), reason: /sequential_id/ },
  { name: 'trade without trade_timestamp', frame: without('trade_timestamp'), reason: /trade_timestamp/ },
  { name: 'trade without code', frame: without('code'), reason: /field code/ },
  { name: 'trade with a non-numeric price', frame: withField({ trade_price: 'abc' }), reason: /trade_price is not a number/ },
  { name: 'trade with a null volume', frame: withField({ trade_volume: null }), reason: /trade_volume/ },
  { name: 'trade with an unknown ask_bid', frame: withField({ ask_bid: 'BUY' }), reason: /ask_bid/ },
  { name: 'ticker without trade_price', frame: '{"type":"ticker","code":"KRW-BTC","timestamp":1}', reason: /trade_price/ },
  { name: 'ticker with a non-numeric 24h volume', frame: '{"type":"ticker","code":"KRW-BTC","timestamp":1,"trade_price":1,"acc_trade_volume_24h":"v"}', reason: /acc_trade_volume_24h/ },
  { name: 'type that is not a string', frame: '{"type":7}', reason: /field type/ },
];

describe('upbit parser: malformed frames throw MalformedFrameError', () => {
  for (const c of malformedCases) {
    test(c.name, () => {
      const parser = upbitAdapter('spot').createParser();
      assert.throws(() => parser.parse(Buffer.from(c.frame), LOCAL), (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.equal((err as { code?: string }).code, 'TV_ERR_MALFORMED_FRAME');
        assert.match(err.message, c.reason);
        return true;
      });
    });
  }
});
