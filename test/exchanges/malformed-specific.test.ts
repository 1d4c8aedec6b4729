/**
 * Hostile frames that only make sense for one exchange: Bybit's stateful ticker deltas, OKX's
 * text pong and contract sizes, Binance's request answers, Upbit's error frames.
 * The shared cases for every exchange × market are in malformed.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdapter } from '../../src/exchanges/index.js';
import { MalformedFrameError, type Instrument } from '../../src/exchanges/types.js';
import type { Ticker, Trade } from '../../src/records.js';

const LOCAL = 1_700_000_000_000;

function assertMalformed(run: () => unknown, what = 'frame'): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof MalformedFrameError, `${what}: threw ${String(err)}`);
    assert.equal(err.code, 'TV_ERR_MALFORMED_FRAME');
    return true;
  });
}

function assertNoPollution(): void {
  assert.equal((({}) as Record<string, unknown>).polluted, undefined);
  assert.equal((({}) as Record<string, unknown>).bid1Price, undefined);
}

describe('bybit: ticker deltas against hostile keys', () => {
  const spotSnapshot = '{"topic":"tickers.BTCUSDT","ts":1673853746003,"type":"snapshot","cs":1,"data":{"symbol":"BTCUSDT","lastPrice":"21109.77","highPrice24h":"21426.99","lowPrice24h":"20575","volume24h":"6780.866843","turnover24h":"141946527.22907118"}}';
  const delta = (data: string, ts = 1673853746103): string => `{"topic":"tickers.BTCUSDT","type":"delta","data":${data},"cs":2,"ts":${ts}}`;

  test('a __proto__ key in a delta does not lend the merged ticker fields the exchange never sent', () => {
    // merging with Object.assign would make {bid1Price:"1",…} the merged state's prototype
    const parser = createAdapter('bybit', 'futures').createParser();
    parser.parse(spotSnapshot, LOCAL); // no bid/ask in this snapshot
    const hostile = delta('{"symbol":"BTCUSDT","__proto__":{"bid1Price":"1","bid1Size":"2","ask1Price":"3","ask1Size":"4","polluted":"yes"},"lastPrice":"21110.00"}');
    const [t] = parser.parse(hostile, LOCAL + 1).records as Ticker[];
    assert.ok(t);
    assert.equal(t.last, 21110);
    for (const key of ['bid', 'bidSize', 'ask', 'askSize', 'polluted']) assert.equal(key in t, false, key);
    assert.equal(Object.getPrototypeOf(t), Object.prototype);
    // and the state it leaves behind is clean for the next delta too
    const [next] = parser.parse(delta('{"symbol":"BTCUSDT","volume24h":"6790"}', 1673853746203), LOCAL + 2).records as Ticker[];
    assert.ok(next);
    assert.equal('bid' in next, false);
    assert.equal(next.last, 21110);
    assert.equal(next.volume24h, 6790);
    assertNoPollution();
  });

  test('constructor and prototype keys in snapshot and delta are plain ignored keys', () => {
    const parser = createAdapter('bybit', 'futures').createParser();
    const snapshot = spotSnapshot.replace('"data":{', '"data":{"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"lastPrice":"1"},');
    assert.equal((parser.parse(snapshot, LOCAL).records[0] as Ticker).last, 21109.77);
    const [t] = parser.parse(delta('{"constructor":{"prototype":{"lastPrice":"5"}},"lowPrice24h":"20500"}'), LOCAL).records as Ticker[];
    assert.equal(t?.last, 21109.77);
    assert.equal(t?.low24h, 20500);
    assertNoPollution();
  });

  test('a delta field sent empty clears it; a field left out is carried over', () => {
    const parser = createAdapter('bybit', 'futures').createParser();
    parser.parse('{"topic":"tickers.BTCUSDT","type":"snapshot","ts":1,"data":{"symbol":"BTCUSDT","lastPrice":"10","bid1Price":"9","ask1Price":"11"}}', LOCAL);
    const [t] = parser.parse(delta('{"bid1Price":""}', 2), LOCAL).records as Ticker[];
    assert.deepEqual({ last: t?.last, ask: t?.ask, hasBid: t !== undefined && 'bid' in t }, { last: 10, ask: 11, hasBid: false });
  });

  test('the record handed out is not the parser state: changing it does not change the next ticker', () => {
    const parser = createAdapter('bybit', 'futures').createParser();
    const [first] = parser.parse(spotSnapshot, LOCAL).records as Ticker[];
    (first as Ticker).last = -1;
    const [next] = parser.parse(delta('{"volume24h":"1"}'), LOCAL).records as Ticker[];
    assert.equal(next?.last, 21109.77);
  });

  test('a delta with a bad field after a good one is malformed and leaves the state as it was', () => {
    const parser = createAdapter('bybit', 'futures').createParser();
    parser.parse(spotSnapshot, LOCAL);
    assertMalformed(() => parser.parse(delta('{"lastPrice":"21200","highPrice24h":"NaN"}'), LOCAL));
    assertMalformed(() => parser.parse(delta('{"lastPrice":"21200"}', -5), LOCAL), 'negative ts');
    const [t] = parser.parse(delta('{"volume24h":"1"}'), LOCAL).records as Ticker[];
    assert.equal(t?.last, 21109.77);
  });

  test('the frame ts may come as a canonical string, never as anything else', () => {
    const parser = createAdapter('bybit', 'spot').createParser();
    const withTs = (ts: string) => spotSnapshot.replace('"ts":1673853746003', `"ts":${ts}`);
    assert.equal((parser.parse(withTs('"1673853746003"'), LOCAL).records[0] as Ticker).timestamp, 1673853746003);
    for (const ts of ['-1', '0', '"1673853746003.5"', '"01673853746003"', 'true', '{}', '"soon"']) assertMalformed(() => parser.parse(withTs(ts), LOCAL), ts);
  });

  test('a ticker or trade entry naming another instrument than its topic is malformed', () => {
    const parser = createAdapter('bybit', 'spot').createParser();
    assertMalformed(() => parser.parse(spotSnapshot.replace('"symbol":"BTCUSDT"', '"symbol":"ETHUSDT"'), LOCAL));
    assertMalformed(() => parser.parse('{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"ETHUSDT","S":"Buy","v":"1","p":"1","i":"a"}]}', LOCAL));
  });

  test('one bad trade in a batch makes the whole frame malformed: no partial batch is stored', () => {
    const good = '{"T":1690000030865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"26170.00","i":"a"}';
    const bad = '{"T":1690000030866,"s":"BTCUSDT","S":"Sell","v":"0.1","p":"1e999","i":"b"}';
    assertMalformed(() => createAdapter('bybit', 'spot').createParser().parse(`{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[${good},${bad}]}`, LOCAL));
  });

  test('a topic that is not a string is malformed, not a control frame', () => {
    assertMalformed(() => createAdapter('bybit', 'spot').createParser().parse('{"topic":7,"op":"subscribe","success":true}', LOCAL));
  });

  test('a rejection whose ret_msg is not a string still reads as a rejection', () => {
    const result = createAdapter('bybit', 'spot').createParser().parse('{"success":false,"ret_msg":{"toString":1},"req_id":"3","op":"subscribe"}', LOCAL);
    assert.deepEqual(result.control, [{ kind: 'rejected', requestId: '3', reason: 'subscribe failed' }]);
  });
});

describe('okx: text pong, contract sizes and self-contradicting frames', () => {
  const swapInstruments: Instrument[] = [
    { symbol: 'BTC/USDT:USDT', nativeId: 'BTC-USDT-SWAP', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true, contractSize: 0.01 },
    { symbol: 'PEPE/USDT:USDT', nativeId: 'PEPE-USDT-SWAP', base: 'PEPE', quote: 'USDT', settle: 'USDT', active: true, contractSize: 1e-7 },
  ];
  const swapTrade = (sz: string, instId = 'BTC-USDT-SWAP', rowInstId = instId): string =>
    `{"arg":{"channel":"trades","instId":"${instId}"},"data":[{"instId":"${rowInstId}","tradeId":"1","px":"1","sz":${sz},"side":"buy","ts":"1690000040897"}]}`;

  test('only the exact text `pong` is a pong', () => {
    const parser = createAdapter('okx', 'spot').createParser();
    assert.deepEqual(parser.parse('pong', LOCAL).control, [{ kind: 'pong' }]);
    assert.deepEqual(parser.parse(Buffer.from('pong'), LOCAL).control, [{ kind: 'pong' }]);
    for (const text of ['PONG', 'pong ', ' pong', 'pong\n', 'ping', '"pong"']) assertMalformed(() => parser.parse(text, LOCAL), JSON.stringify(text));
  });

  test('contract sizes in exponent form are read by value, never by digits (1.5e3 contracts is 1500, not 15)', () => {
    const parser = createAdapter('okx', 'futures').createParser(swapInstruments);
    assert.equal((parser.parse(swapTrade('"1.5e3"'), LOCAL).records[0] as Trade).amount, 15);
    assert.equal((parser.parse(swapTrade('3'), LOCAL).records[0] as Trade).amount, 0.03);
    assert.equal((parser.parse(swapTrade('"10"', 'PEPE-USDT-SWAP'), LOCAL).records[0] as Trade).amount, 1e-6);
  });

  test('negative, hex and padded contract counts are malformed', () => {
    const parser = createAdapter('okx', 'futures').createParser(swapInstruments);
    for (const sz of ['"-3"', '-3', '"0x10"', '" 3"', '"3 "', '"3..1"', '".5"', '"5."', '""', 'null', 'true']) {
      assertMalformed(() => parser.parse(swapTrade(sz), LOCAL), sz);
    }
  });

  test('a row for another instrument than the frame\'s arg is malformed', () => {
    const parser = createAdapter('okx', 'futures').createParser(swapInstruments);
    assertMalformed(() => parser.parse(swapTrade('"3"', 'BTC-USDT-SWAP', 'PEPE-USDT-SWAP'), LOCAL));
    assertMalformed(() =>
      createAdapter('okx', 'spot').createParser().parse('{"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"instId":"ETH-USDT","last":"1","ts":"1"}]}', LOCAL),
    );
  });

  test('a channel that is not a string is malformed, not ignored', () => {
    assertMalformed(() => createAdapter('okx', 'spot').createParser().parse('{"arg":{"channel":["trades"],"instId":"BTC-USDT"},"data":[]}', LOCAL));
  });

  test('an error event with hostile code and msg types is still a rejection, with a safe reason', () => {
    const result = createAdapter('okx', 'spot').createParser().parse('{"event":"error","code":{"toString":1},"msg":{"valueOf":1}}', LOCAL);
    assert.deepEqual(result, { records: [], control: [{ kind: 'rejected', reason: 'error' }] });
  });
});

describe('binance: request answers with hostile fields', () => {
  test('an error answer whose code and msg are objects with their own toString is a rejection, not a TypeError', () => {
    const result = createAdapter('binance', 'spot').createParser().parse('{"code":{"toString":1},"msg":{"toString":1,"valueOf":1},"id":4}', LOCAL);
    assert.deepEqual(result, { records: [], control: [{ kind: 'rejected', requestId: '4', reason: 'code an object: an object' }] });
  });

  test('an answer with `result` only in __proto__ is not an answer', () => {
    assertMalformed(() => createAdapter('binance', 'spot').createParser().parse('{"__proto__":{"result":null},"id":1}', LOCAL));
  });

  test('a combined-stream wrapper around an array or a string is malformed', () => {
    const parser = createAdapter('binance', 'futures').createParser();
    assertMalformed(() => parser.parse('{"stream":"btcusdt@aggTrade","data":[{"e":"aggTrade"}]}', LOCAL));
    assertMalformed(() => parser.parse('{"stream":"btcusdt@aggTrade","data":"{}"}', LOCAL));
  });

  test('the ticker event time E follows the timestamp rule', () => {
    const parser = createAdapter('binance', 'spot').createParser();
    const ticker = (E: string) => `{"e":"24hrTicker","E":${E},"s":"BTCUSDT","c":"1"}`;
    assert.equal((parser.parse(ticker('"1690000020000"'), LOCAL).records[0] as Ticker).timestamp, 1690000020000);
    for (const E of ['-1', '0', '1.5', '"1e12"', 'null']) assertMalformed(() => parser.parse(ticker(E), LOCAL), E);
  });

  test('a stream of ever-new symbols is mapped but does not grow the parser without bound', () => {
    const parser = createAdapter('binance', 'spot').createParser();
    for (let k = 0; k < 10_000; k++) {
      const [t] = parser.parse(`{"e":"trade","s":"X${k}USDT","t":${k},"p":"1","q":"1","T":1690000000000,"m":false}`, LOCAL).records;
      assert.equal(t?.symbol, `X${k}/USDT`);
    }
  });
});

describe('upbit: error and status frames with hostile fields', () => {
  test('an error whose name and message are objects is a rejection with a safe reason', () => {
    const result = createAdapter('upbit', 'spot').createParser().parse(Buffer.from('{"error":{"name":{"toString":1},"message":[1]}}'), LOCAL);
    assert.deepEqual(result, { records: [], control: [{ kind: 'rejected', reason: 'an object: an array' }] });
  });

  test('an error with __proto__ keys is still just an error', () => {
    const result = createAdapter('upbit', 'spot').createParser().parse(Buffer.from('{"__proto__":{"type":"trade"},"error":{"__proto__":{"polluted":1},"name":"WRONG_FORMAT","message":"x"}}'), LOCAL);
    assert.deepEqual(result, { records: [], control: [{ kind: 'rejected', reason: 'WRONG_FORMAT: x' }] });
    assertNoPollution();
  });

  test('a code that is not an Upbit market still maps by the guess, but never with spaces or control characters', () => {
    const parser = createAdapter('upbit', 'spot').createParser();
    const trade = (code: string) =>
      Buffer.from(JSON.stringify({ type: 'trade', code, trade_timestamp: 1690000020139, trade_price: 1, trade_volume: 1, ask_bid: 'BID', sequential_id: 1 }));
    assert.equal(parser.parse(trade('KRW-NEW'), LOCAL).records[0]?.symbol, 'NEW/KRW');
    for (const code of ['KRW BTC', 'KRW-BTC\t', '\u0000', 'K'.repeat(100)]) assertMalformed(() => parser.parse(trade(code), LOCAL), JSON.stringify(code));
  });
});
