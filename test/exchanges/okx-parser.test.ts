import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { okxAdapter } from '../../src/exchanges/okx/index.js';
import { contractsToBase, scaledDecimal } from '../../src/exchanges/okx/contracts.js';
import { MalformedFrameError, type Instrument } from '../../src/exchanges/types.js';
import type { Ticker, Trade } from '../../src/records.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/okx/${name}`, import.meta.url), 'utf8').trim();

const LOCAL = 1_700_000_000_000;
const spot = okxAdapter('spot');
const swap = okxAdapter('futures');
const swapInstruments: Instrument[] = [
  { symbol: 'BTC/USDT:USDT', nativeId: 'BTC-USDT-SWAP', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true, contractSize: 0.01 },
  { symbol: 'ETH/USDT:USDT', nativeId: 'ETH-USDT-SWAP', base: 'ETH', quote: 'USDT', settle: 'USDT', active: true, contractSize: 0.1 },
];

describe('okx parser: trades', () => {
  test('spot trades: every field, strings to numbers, taker side as sent', () => {
    const { records, control } = spot.createParser().parse(fixture('trades-spot.json'), LOCAL);
    assert.deepEqual(control, []);
    const expected: Trade[] = [
      { type: 'trade', exchange: 'okx', market: 'spot', symbol: 'BTC/USDT', id: '130639474', price: 42219.9, amount: 0.12060306, side: 'buy', timestamp: 1630048897897, localTimestamp: LOCAL },
      { type: 'trade', exchange: 'okx', market: 'spot', symbol: 'BTC/USDT', id: '130639475', price: 42219.8, amount: 0.001, side: 'sell', timestamp: 1630048897899, localTimestamp: LOCAL },
    ];
    assert.deepEqual(records, expected);
  });

  test('swap trades: contracts × ctVal in base, exact in decimal', () => {
    const { records } = swap.createParser(swapInstruments).parse(Buffer.from(fixture('trades-swap.json')), LOCAL);
    assert.deepEqual(
      records.map((r) => [(r as Trade).symbol, (r as Trade).amount, (r as Trade).side, (r as Trade).price]),
      [
        ['BTC/USDT:USDT', 0.03, 'buy', 26180.3], // 3 × 0.01
        ['BTC/USDT:USDT', 0.007, 'sell', 26180.1], // 0.7 × 0.01
      ],
    );
  });

  test('swap trade of an instrument with unknown ctVal is malformed, never stored as contracts', () => {
    assert.throws(() => swap.createParser(swapInstruments).parse(fixture('trades-swap-unknown.json'), LOCAL), MalformedFrameError);
    assert.throws(() => swap.createParser().parse(fixture('trades-swap.json'), LOCAL), /contract size/);
  });

  test('decimal contract conversion avoids binary float artefacts', () => {
    const c = (v: string) => scaledDecimal(v) ?? assert.fail(v);
    assert.equal(contractsToBase('3', c('0.1')), 0.3);
    assert.equal(contractsToBase('0.7', c('0.01')), 0.007);
    assert.equal(contractsToBase('12345', c('0.0001')), 1.2345);
    assert.equal(contractsToBase('1', c('10')), 10);
    assert.throws(() => contractsToBase('abc', c('0.1')), MalformedFrameError);
    assert.throws(() => contractsToBase('', c('0.1')), MalformedFrameError);
  });
});

describe('okx parser: tickers', () => {
  test('spot ticker: bid/ask and sizes, vol24h base, volCcy24h quote', () => {
    const { records } = spot.createParser().parse(fixture('tickers-spot.json'), LOCAL);
    const expected: Ticker = {
      type: 'ticker', exchange: 'okx', market: 'spot', symbol: 'BTC/USDT', timestamp: 1597026383085, localTimestamp: LOCAL,
      last: 9999.99, bid: 8888.88, bidSize: 5, ask: 9999.99, askSize: 11, high24h: 10000, low24h: 8888.88,
      volume24h: 2222, quoteVolume24h: 22220000,
    };
    assert.deepEqual(records, [expected]);
  });

  test('swap ticker: sizes are contracts × ctVal, volume24h from volCcy24h (base), no quote volume (not sent exactly)', () => {
    const { records } = swap.createParser(swapInstruments).parse(fixture('tickers-swap.json'), LOCAL);
    const expected: Ticker = {
      type: 'ticker', exchange: 'okx', market: 'futures', symbol: 'BTC/USDT:USDT', timestamp: 1690000040950, localTimestamp: LOCAL,
      // bidSz 42, askSz 150 are contracts: × ctVal 0.01 BTC
      last: 26180.3, bid: 26180.3, bidSize: 0.42, ask: 26180.4, askSize: 1.5, high24h: 26300, low24h: 25850.5,
      volume24h: 95123.45,
    };
    assert.deepEqual(records, [expected]);
  });

  test('swap ticker sizes equal contracts × ctVal for each instrument; unknown ctVal leaves the sizes absent, prices kept', () => {
    const frame = (instId: string, bidSz: string, askSz: string) =>
      JSON.stringify({
        arg: { channel: 'tickers', instId },
        data: [{ instType: 'SWAP', instId, last: '1800.5', askPx: '1800.6', askSz, bidPx: '1800.4', bidSz, volCcy24h: '12.3', ts: '1690000040950' }],
      });
    const parser = swap.createParser(swapInstruments);
    const eth = parser.parse(frame('ETH-USDT-SWAP', '7', '3'), LOCAL).records[0] as Ticker;
    // 7 × 0.1 and 3 × 0.1 in decimal: 0.7 and 0.3, not 0.30000000000000004
    assert.deepEqual([eth.bidSize, eth.askSize], [0.7, 0.3]);
    const btc = parser.parse(frame('BTC-USDT-SWAP', '431', '12'), LOCAL).records[0] as Ticker;
    assert.deepEqual([btc.bidSize, btc.askSize], [4.31, 0.12]);
    const unknown = parser.parse(frame('DOGE-USDT-SWAP', '5', '6'), LOCAL).records[0] as Ticker;
    assert.deepEqual([unknown.bid, unknown.ask, unknown.bidSize, unknown.askSize], [1800.4, 1800.6, undefined, undefined]);
    assert.throws(() => parser.parse(frame('ETH-USDT-SWAP', '-1', '3'), LOCAL), /bidSz/);
  });

  test('empty bid/ask strings leave the fields absent', () => {
    const t = spot.createParser().parse(fixture('tickers-empty-book.json'), LOCAL).records[0] as Ticker;
    assert.equal(t.symbol, 'NEW/USDT');
    assert.equal(t.last, 1.2);
    assert.ok(!('bid' in t) && !('ask' in t) && !('bidSize' in t) && !('askSize' in t));
  });
});

describe('okx parser: control frames', () => {
  const cases: { name: string; file: string; parser: 'spot' | 'swap'; expected: unknown }[] = [
    { name: 'text pong (not JSON) → pong', file: 'pong.txt', parser: 'spot', expected: { kind: 'pong' } },
    { name: 'per-stream subscribe ack → subscribed for that symbol, with the echoed id', file: 'subscribe-ack.json', parser: 'spot', expected: { kind: 'subscribed', requestId: '7', symbols: ['BTC/USDT'] } },
    { name: 'ack without id', file: 'subscribe-ack-no-id.json', parser: 'swap', expected: { kind: 'subscribed', symbols: ['BTC/USDT:USDT'] } },
    { name: 'unsubscribe ack', file: 'unsubscribe-ack.json', parser: 'spot', expected: { kind: 'unsubscribed', requestId: '9', symbols: ['ETH/USDT'] } },
    {
      name: '60018 error names the instId → rejected for that symbol',
      file: 'error-60018.json',
      parser: 'spot',
      expected: {
        kind: 'rejected', requestId: '8', symbols: ['XYZ/USDT'],
        reason: "60018: Wrong URL or channel:trades,instId:XYZ-USDT doesn't exist. Please use the correct URL, channel and parameters referring to API document.",
      },
    },
    {
      name: '60012 error quoting the request JSON still yields the instId',
      file: 'error-60012.json',
      parser: 'spot',
      expected: {
        kind: 'rejected', symbols: ['LTC-USD-200327'],
        reason: '60012: Invalid request: {"op": "subscribe", "argss":[{ "channel" : "tickers", "instId" : "LTC-USD-200327"}]}',
      },
    },
    { name: 'error naming no instrument → rejected without symbols', file: 'error-60014.json', parser: 'spot', expected: { kind: 'rejected', reason: '60014: Requests too frequent.' } },
    { name: 'notice (service upgrade) → ignored', file: 'notice-64008.json', parser: 'spot', expected: { kind: 'ignored' } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const parser = c.parser === 'spot' ? spot.createParser() : swap.createParser(swapInstruments);
      assert.deepEqual(parser.parse(fixture(c.file), LOCAL), { records: [], control: [c.expected] });
    });
  }

  test('data of a channel we did not ask for is no record: reported as unknown', () => {
    const frame = '{"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[{"asks":[],"bids":[],"ts":"1"}]}';
    assert.deepEqual(spot.createParser().parse(frame, LOCAL), { records: [], control: [{ kind: 'unknown', what: 'channel books5' }] });
  });
});

describe('okx parser: malformed frames', () => {
  const cases: { name: string; frame: string }[] = [
    { name: 'not JSON (and not pong)', frame: 'pongg' },
    { name: 'JSON but not an object', frame: '"pong"' },
    { name: 'neither data nor event', frame: '{"arg":{"channel":"trades","instId":"BTC-USDT"}}' },
    { name: 'data not an array', frame: '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":{}}' },
    { name: 'data without arg', frame: '{"data":[]}' },
    { name: 'arg without instId', frame: '{"arg":{"channel":"trades"},"data":[]}' },
    { name: 'trade missing px', frame: '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"tradeId":"1","sz":"1","side":"buy","ts":"1"}]}' },
    { name: 'trade px not numeric', frame: '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"tradeId":"1","px":"1,5","sz":"1","side":"buy","ts":"1"}]}' },
    { name: 'trade ts not numeric', frame: '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"tradeId":"1","px":"1","sz":"1","side":"buy","ts":"soon"}]}' },
    { name: 'trade side unknown', frame: '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"tradeId":"1","px":"1","sz":"1","side":"BUY","ts":"1"}]}' },
    { name: 'trade missing tradeId', frame: '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"px":"1","sz":"1","side":"buy","ts":"1"}]}' },
    { name: 'ticker missing last', frame: '{"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"ts":"1","bidPx":"1"}]}' },
    { name: 'ticker bid not numeric', frame: '{"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"last":"1","ts":"1","bidPx":"n/a"}]}' },
    { name: 'subscribe ack without arg', frame: '{"event":"subscribe","connId":"x"}' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(() => spot.createParser().parse(c.frame, LOCAL), (err: unknown) => {
        assert.ok(err instanceof MalformedFrameError);
        assert.equal(err.code, 'TV_ERR_MALFORMED_FRAME');
        return true;
      });
    });
  }
});
