import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bybitAdapter } from '../../src/exchanges/bybit/index.js';
import { MalformedFrameError, type Instrument } from '../../src/exchanges/types.js';
import type { Ticker, Trade } from '../../src/records.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/bybit/${name}`, import.meta.url), 'utf8').trim();

const LOCAL = 1_700_000_000_000;
const spot = bybitAdapter('spot');
const linear = bybitAdapter('futures');
const linearInstruments: Instrument[] = [
  { symbol: 'BTC/USDT:USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true },
];

describe('bybit parser: trades', () => {
  test('a publicTrade frame with many trades yields one record per trade, every field mapped', () => {
    const { records, control } = spot.createParser().parse(fixture('spot-trade-multi.json'), LOCAL);
    assert.deepEqual(control, []);
    const expected: Trade[] = [
      { type: 'trade', exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT', id: '20f43950-d8dd-5b31-9112-a178eb6023af', price: 26170, amount: 0.001, side: 'buy', timestamp: 1690000030865, localTimestamp: LOCAL },
      { type: 'trade', exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT', id: '2290000000071553262', price: 26169.5, amount: 0.25, side: 'sell', timestamp: 1690000030866, localTimestamp: LOCAL },
      { type: 'trade', exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT', id: '2290000000071553263', price: 26169, amount: 1.5, side: 'sell', timestamp: 1690000030866, localTimestamp: LOCAL },
    ];
    assert.deepEqual(records, expected);
  });

  test('linear trades get the perpetual unified symbol even without an instrument table', () => {
    const { records } = linear.createParser().parse(Buffer.from(fixture('linear-trade.json')), LOCAL);
    assert.equal(records.length, 1);
    const t = records[0] as Trade;
    assert.equal(t.symbol, 'ETH/USDT:USDT');
    assert.equal(t.market, 'futures');
    assert.equal(t.side, 'buy');
    assert.equal(t.amount, 12.34);
    assert.equal(t.price, 1850.25);
  });

  test('without an instrument table an inverse contract (quoted in USD) settles in its base; a dated one keeps its id', () => {
    const parser = linear.createParser();
    const frame = (symbol: string) => JSON.stringify({ topic: `publicTrade.${symbol}`, type: 'snapshot', ts: 1, data: [{ T: 1, s: symbol, S: 'Buy', v: '100', p: '28560.5', L: 'PlusTick', i: 'a1b2c3d4-0000-4000-8000-000000000001', BT: false }] });
    assert.equal((parser.parse(frame('BTCUSD'), LOCAL).records[0] as Trade).symbol, 'BTC/USD:BTC');
    assert.equal((parser.parse(frame('BTCUSDT'), LOCAL).records[0] as Trade).symbol, 'BTC/USDT:USDT');
    assert.equal((parser.parse(frame('BTCUSDU23'), LOCAL).records[0] as Trade).symbol, 'BTCUSDU23');
  });

  test('the instrument table wins over the guess', () => {
    const odd: Instrument[] = [{ symbol: 'ODD/NAME:USDT', nativeId: 'ETHUSDT', base: 'ODD', quote: 'NAME', active: true }];
    const { records } = linear.createParser(odd).parse(fixture('linear-trade.json'), LOCAL);
    assert.equal((records[0] as Trade).symbol, 'ODD/NAME:USDT');
  });
});

describe('bybit parser: tickers', () => {
  test('a spot ticker maps last, high, low, volumes and leaves bid/ask absent', () => {
    const { records } = spot.createParser().parse(fixture('spot-ticker.json'), LOCAL);
    const expected: Ticker = {
      type: 'ticker', exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT', timestamp: 1673853746003, localTimestamp: LOCAL,
      last: 21109.77, high24h: 21426.99, low24h: 20575, volume24h: 6780.866843, quoteVolume24h: 141946527.22907118,
    };
    assert.deepEqual(records, [expected]);
    const t = records[0] as Ticker;
    assert.ok(!('bid' in t) && !('ask' in t) && !('bidSize' in t) && !('askSize' in t));
  });

  test('a linear snapshot maps every field, timestamp from the frame ts', () => {
    const { records } = linear.createParser(linearInstruments).parse(fixture('linear-ticker-snapshot.json'), LOCAL);
    const expected: Ticker = {
      type: 'ticker', exchange: 'bybit', market: 'futures', symbol: 'BTC/USDT:USDT', timestamp: 1673272861686, localTimestamp: LOCAL,
      last: 17216, bid: 17215.5, bidSize: 84.489, ask: 17216, askSize: 83.02, high24h: 17281.5, low24h: 16915,
      volume24h: 91705.276, quoteVolume24h: 1570383121.943499,
    };
    assert.deepEqual(records, [expected]);
  });

  test('deltas merge into the last snapshot and emit the merged full ticker', () => {
    const parser = linear.createParser(linearInstruments);
    parser.parse(fixture('linear-ticker-snapshot.json'), LOCAL);
    const first = parser.parse(fixture('linear-ticker-delta-1.json'), LOCAL + 1).records[0] as Ticker;
    // changed: bid, bidSize; everything else carried over from the snapshot
    assert.deepEqual(first, {
      type: 'ticker', exchange: 'bybit', market: 'futures', symbol: 'BTC/USDT:USDT', timestamp: 1673272861786, localTimestamp: LOCAL + 1,
      last: 17216, bid: 17215, bidSize: 12.5, ask: 17216, askSize: 83.02, high24h: 17281.5, low24h: 16915,
      volume24h: 91705.276, quoteVolume24h: 1570383121.943499,
    });
    const second = parser.parse(fixture('linear-ticker-delta-2.json'), LOCAL + 2).records[0] as Ticker;
    // changed: last, ask, askSize, volumes; bid from delta 1 persists
    assert.deepEqual(second, {
      type: 'ticker', exchange: 'bybit', market: 'futures', symbol: 'BTC/USDT:USDT', timestamp: 1673272861886, localTimestamp: LOCAL + 2,
      last: 17220.5, bid: 17215, bidSize: 12.5, ask: 17221, askSize: 4.1, high24h: 17281.5, low24h: 16915,
      volume24h: 91710.001, quoteVolume24h: 1570464530.118,
    });
  });

  test('a delta before any snapshot of its symbol emits no ticker (ignored, not malformed)', () => {
    const parser = linear.createParser(linearInstruments);
    parser.parse(fixture('linear-ticker-snapshot.json'), LOCAL); // BTCUSDT only
    const result = parser.parse(fixture('linear-ticker-delta-eth.json'), LOCAL);
    assert.deepEqual(result, { records: [], control: [{ kind: 'ignored' }] });
  });

  test('ticker state is per parser (per connection)', () => {
    const a = linear.createParser();
    a.parse(fixture('linear-ticker-snapshot.json'), LOCAL);
    const b = linear.createParser();
    assert.equal(b.parse(fixture('linear-ticker-delta-1.json'), LOCAL).records.length, 0);
    assert.equal(a.parse(fixture('linear-ticker-delta-1.json'), LOCAL).records.length, 1);
  });

  test('a bad delta is malformed and does not poison the stored snapshot', () => {
    const parser = linear.createParser();
    parser.parse(fixture('linear-ticker-snapshot.json'), LOCAL);
    const bad = '{"topic":"tickers.BTCUSDT","type":"delta","data":{"lastPrice":"abc"},"cs":1,"ts":1673272861790}';
    assert.throws(() => parser.parse(bad, LOCAL), MalformedFrameError);
    const next = parser.parse(fixture('linear-ticker-delta-1.json'), LOCAL).records[0] as Ticker;
    assert.equal(next.last, 17216);
  });
});

describe('bybit parser: control frames', () => {
  const cases: { name: string; file: string; expected: unknown; linearExpected?: unknown }[] = [
    { name: 'subscribe ack → subscribed with req_id', file: 'subscribe-ack.json', expected: { kind: 'subscribed', requestId: '10' } },
    { name: 'unsubscribe ack → unsubscribed', file: 'unsubscribe-ack.json', expected: { kind: 'unsubscribed', requestId: '13' } },
    {
      name: 'rejection naming a topic → rejected with that symbol',
      file: 'subscribe-reject.json',
      expected: { kind: 'rejected', requestId: '11', reason: 'Invalid symbol :[publicTrade.XYZUSDT]', symbols: ['XYZ/USDT'] },
      linearExpected: { kind: 'rejected', requestId: '11', reason: 'Invalid symbol :[publicTrade.XYZUSDT]', symbols: ['XYZ/USDT:USDT'] },
    },
    {
      name: 'rejection naming no topic → rejected for the whole request',
      file: 'subscribe-reject-params.json',
      expected: { kind: 'rejected', requestId: '12', reason: 'Params Error' },
    },
    { name: 'spot pong shape (op ping, ret_msg pong)', file: 'pong-spot.json', expected: { kind: 'pong' } },
    { name: 'linear/private pong shape (op pong)', file: 'pong-linear.json', expected: { kind: 'pong' } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(spot.createParser().parse(fixture(c.file), LOCAL), { records: [], control: [c.expected] });
      const linearExpected = c.linearExpected ?? c.expected;
      assert.deepEqual(linear.createParser().parse(fixture(c.file), LOCAL), { records: [], control: [linearExpected] });
    });
  }

  test('an unknown topic or op is reported as unknown, named by its kind', () => {
    const p = spot.createParser();
    assert.deepEqual(p.parse('{"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":1,"data":{}}', LOCAL).control, [{ kind: 'unknown', what: 'topic orderbook' }]);
    assert.deepEqual(p.parse('{"success":true,"ret_msg":"","op":"auth","conn_id":"x"}', LOCAL).control, [{ kind: 'unknown', what: 'op auth' }]);
  });
});

describe('bybit parser: malformed frames', () => {
  const cases: { name: string; frame: string }[] = [
    { name: 'not JSON', frame: 'hello{' },
    { name: 'JSON but not an object', frame: '[1,2,3]' },
    { name: 'neither topic nor op', frame: '{"foo":1}' },
    { name: 'trade data not an array', frame: '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":{}}' },
    { name: 'trade missing price', frame: '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"S":"Buy","v":"1","i":"a"}]}' },
    { name: 'trade price not numeric', frame: '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"S":"Buy","v":"1","p":"x1","i":"a"}]}' },
    { name: 'trade missing id', frame: '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"S":"Buy","v":"1","p":"1"}]}' },
    { name: 'trade side unknown', frame: '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"S":"buy","v":"1","p":"1","i":"a"}]}' },
    { name: 'ticker without lastPrice', frame: '{"topic":"tickers.BTCUSDT","type":"snapshot","ts":1,"data":{"symbol":"BTCUSDT"}}' },
    { name: 'ticker without ts', frame: '{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"lastPrice":"1"}}' },
    { name: 'ticker of unknown type', frame: '{"topic":"tickers.BTCUSDT","type":"weird","ts":1,"data":{"lastPrice":"1"}}' },
    { name: 'topic without symbol', frame: '{"topic":"publicTrade.","type":"snapshot","ts":1,"data":[]}' },
    { name: 'subscribe answer without success flag', frame: '{"op":"subscribe","req_id":"1"}' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(() => linear.createParser().parse(c.frame, LOCAL), (err: unknown) => {
        assert.ok(err instanceof MalformedFrameError);
        assert.equal(err.code, 'TV_ERR_MALFORMED_FRAME');
        return true;
      });
    });
  }
});
