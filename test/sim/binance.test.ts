import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { connect, fakeClock, getJson, waitFor } from './helpers.js';

type Obj = Record<string, unknown>;

describe('binance spot over the wire', () => {
  let sim: SimExchange;
  const clock = fakeClock();
  before(async () => {
    sim = await startSimExchange({
      mode: 'manual',
      seed: 7,
      now: clock.now,
      // this suite sends more than 5 requests a second; the limit itself is tested in binance-keepalive
      timing: { binanceSpotMaxIncomingPerWindow: 100 },
      venues: [
        { exchange: 'binance', market: 'spot', symbols: [{ symbol: 'BTC/USDT', tradesPerSecond: 50, tickersPerSecond: 2 }, { symbol: 'ETH/USDT', tradesPerSecond: 20 }] },
      ],
    });
  });
  after(() => sim.stop());

  test('acks SUBSCRIBE with {"result":null,"id":N} and streams trades in the exact wire shape', async () => {
    const { wsUrl } = sim.endpoints('binance', 'spot');
    assert.match(wsUrl, /^ws:\/\/127\.0\.0\.1:\d+\/binance\/spot\/ws$/);
    const c = await connect(wsUrl);
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade', 'btcusdt@ticker'], id: 1 });
    await waitFor(() => c.frames.length >= 1);
    assert.deepEqual(JSON.parse(c.frames[0]!), { result: null, id: 1 });
    const before = sim.groundTruth({ symbol: 'BTC/USDT' }).length;
    sim.advance(1000);
    const truth = sim.groundTruth({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' }).slice(before);
    assert.equal(truth.length, 50);
    await waitFor(() => c.json().filter((m) => (m as Obj)?.e === 'trade').length === 50);
    const trades = c.json().filter((m) => (m as Obj).e === 'trade') as Obj[];
    assert.deepEqual(Object.keys(trades[0]!), ['e', 'E', 's', 't', 'p', 'q', 'T', 'm', 'M']);
    trades.forEach((t, i) => {
      const g = truth[i]!;
      assert.equal(t.s, 'BTCUSDT');
      assert.equal(typeof t.p, 'string');
      assert.equal(typeof t.q, 'string');
      assert.equal(String(t.t), g.id);
      assert.equal(Number(t.p), g.price);
      assert.equal(Number(t.q), g.amount);
      assert.equal(t.T, g.timestamp);
      // m: buyer is maker → the taker sold
      assert.equal(t.m, g.side === 'sell');
    });
    for (let i = 1; i < trades.length; i++) assert.equal(trades[i]!.t, (trades[i - 1]!.t as number) + 1, 'dense ids');
    const tickers = c.json().filter((m) => (m as Obj).e === '24hrTicker') as Obj[];
    assert.equal(tickers.length, 2);
    for (const k of ['E', 's', 'p', 'P', 'w', 'x', 'c', 'Q', 'b', 'B', 'a', 'A', 'o', 'h', 'l', 'v', 'q', 'O', 'C', 'F', 'L', 'n']) {
      assert.ok(k in tickers[0]!, `ticker field ${k}`);
    }
    assert.equal(typeof tickers[0]!.c, 'string');
    assert.ok(Number(tickers[0]!.b) < Number(tickers[0]!.a));
    await c.close();
  });

  test('the combined /stream endpoint wraps frames and accepts ?streams= in the URL', async () => {
    const { wsUrl } = sim.endpoints('binance', 'spot');
    const c = await connect(wsUrl.replace(/\/ws$/, '/stream') + '?streams=ethusdt@trade');
    sim.advance(500);
    await waitFor(() => c.frames.length >= 10);
    const first = c.json()[0] as Obj;
    assert.equal(first.stream, 'ethusdt@trade');
    assert.equal((first.data as Obj).e, 'trade');
    assert.equal((first.data as Obj).s, 'ETHUSDT');
    await c.close();
    const raw = await connect(`${wsUrl}/ethusdt@trade`);
    sim.advance(500);
    await waitFor(() => raw.frames.length >= 10);
    assert.equal((raw.json()[0] as Obj).e, 'trade', 'raw /ws/<stream> frames are not wrapped');
    await raw.close();
  });

  test('answers LIST_SUBSCRIPTIONS, UNSUBSCRIBE and errors for unknown streams, bad methods and bad JSON', async () => {
    const c = await connect(sim.endpoints('binance', 'spot').wsUrl);
    c.send({ method: 'SUBSCRIBE', params: ['ethusdt@trade'], id: 1 });
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 2 });
    c.send({ method: 'SUBSCRIBE', params: ['xxxusdt@trade'], id: 3 });
    c.send('{not json');
    await waitFor(() => c.frames.length >= 4);
    c.send({ method: 'UNSUBSCRIBE', params: ['ethusdt@trade'], id: 4 });
    c.send({ method: 'FOO', id: 5 });
    await waitFor(() => c.frames.length >= 6);
    const m = c.json() as Obj[];
    assert.deepEqual(m[0], { result: null, id: 1 });
    assert.deepEqual(m[1], { result: ['ethusdt@trade'], id: 2 });
    assert.equal(m[2]!.code, 2);
    assert.equal(m[2]!.id, 3);
    assert.match(String(m[2]!.msg), /^Invalid request: .*xxxusdt@trade/);
    assert.equal(m[3]!.code, 3);
    assert.match(String(m[3]!.msg), /^Invalid JSON/);
    assert.deepEqual(m[4], { result: null, id: 4 });
    assert.equal(m[5]!.code, 2);
    const framesBefore = c.frames.length;
    sim.advance(500);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(c.frames.length, framesBefore, 'nothing after UNSUBSCRIBE');
    await c.close();
  });

  test('REST exchangeInfo lists symbols with status, base and quote asset', async () => {
    const { restUrl } = sim.endpoints('binance', 'spot');
    const r = await getJson(`${restUrl}/api/v3/exchangeInfo`);
    assert.equal(r.status, 200);
    const symbols = (r.body as { symbols: Obj[] }).symbols;
    assert.deepEqual(
      symbols.map((s) => [s.symbol, s.status, s.baseAsset, s.quoteAsset]),
      [
        ['BTCUSDT', 'TRADING', 'BTC', 'USDT'],
        ['ETHUSDT', 'TRADING', 'ETH', 'USDT'],
      ],
    );
    assert.ok(Number(r.headers.get('x-mbx-used-weight-1m')) > 0);
  });

  test('historicalTrades paged by fromId returns every generated trade exactly once', async () => {
    sim.advance(10_000);
    const { restUrl } = sim.endpoints('binance', 'spot');
    const truth = sim.groundTruth({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' });
    assert.ok(truth.length > 500);
    const got: Obj[] = [];
    let fromId = Number(truth[0]!.id);
    for (;;) {
      const r = await getJson(`${restUrl}/api/v3/historicalTrades?symbol=BTCUSDT&fromId=${fromId}&limit=173`);
      assert.equal(r.status, 200);
      const page = r.body as Obj[];
      got.push(...page);
      if (page.length < 173) break;
      fromId = (page[page.length - 1]!.id as number) + 1;
    }
    assert.deepEqual(
      got.map((t) => [String(t.id), Number(t.price), Number(t.qty), t.time, t.isBuyerMaker]),
      truth.map((t) => [t.id, t.price, t.amount, t.timestamp, t.side === 'sell']),
    );
    const recent = await getJson(`${restUrl}/api/v3/trades?symbol=BTCUSDT&limit=5`);
    assert.deepEqual((recent.body as Obj[]).map((t) => String(t.id)), truth.slice(-5).map((t) => t.id));
    const agg = await getJson(`${restUrl}/api/v3/aggTrades?symbol=BTCUSDT&startTime=${truth[10]!.timestamp}&endTime=${truth[20]!.timestamp}&limit=1000`);
    const rows = agg.body as Obj[];
    assert.ok(rows.every((a) => a.f === a.a && a.l === a.a));
    assert.ok(rows.some((a) => String(a.a) === truth[10]!.id));
    const bad = await getJson(`${restUrl}/api/v3/trades?symbol=NOPE`);
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { code: -1121, msg: 'Invalid symbol.' });
  });
});

describe('binance USDⓈ-M futures over the wire', () => {
  let sim: SimExchange;
  before(async () => {
    sim = await startSimExchange({
      mode: 'manual',
      venues: [{ exchange: 'binance', market: 'futures', symbols: [{ symbol: 'BTC/USDT:USDT', tradesPerSecond: 40 }] }],
    });
  });
  after(() => sim.stop());

  test('aggTrade frames have dense a and contiguous f..l, matching ground truth', async () => {
    const c = await connect(sim.endpoints('binance', 'futures').wsUrl);
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade'], id: 9 });
    await waitFor(() => c.frames.length >= 1);
    sim.advance(1000);
    await waitFor(() => c.frames.length >= 41);
    const aggs = c.json().slice(1) as Obj[];
    assert.deepEqual(Object.keys(aggs[0]!), ['e', 'E', 's', 'a', 'p', 'q', 'f', 'l', 'T', 'm']);
    for (let i = 1; i < aggs.length; i++) {
      assert.equal(aggs[i]!.a, (aggs[i - 1]!.a as number) + 1);
      assert.equal(aggs[i]!.f, (aggs[i - 1]!.l as number) + 1);
    }
    const truth = sim.groundTruth({ symbol: 'BTC/USDT:USDT' });
    assert.deepEqual(aggs.map((a) => String(a.a)), truth.map((t) => t.id));
    assert.ok(truth.every((t) => t.market === 'futures' && t.symbol === 'BTC/USDT:USDT'));
    // spot-only streams do not exist on futures
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 10 });
    await waitFor(() => c.frames.length >= 42);
    assert.equal((c.json()[41] as Obj).code, 2);
    await c.close();
  });

  test('fapi exchangeInfo says PERPETUAL with marginAsset; fapi aggTrades pages by fromId', async () => {
    const { restUrl } = sim.endpoints('binance', 'futures');
    const info = await getJson(`${restUrl}/fapi/v1/exchangeInfo`);
    const s = (info.body as { symbols: Obj[] }).symbols[0]!;
    assert.equal(s.contractType, 'PERPETUAL');
    assert.equal(s.marginAsset, 'USDT');
    assert.equal(s.status, 'TRADING');
    sim.advance(5000);
    const truth = sim.groundTruth({ market: 'futures' });
    const got: string[] = [];
    let fromId = Number(truth[0]!.id);
    for (;;) {
      const page = (await getJson(`${restUrl}/fapi/v1/aggTrades?symbol=BTCUSDT&fromId=${fromId}&limit=50`)).body as Obj[];
      got.push(...page.map((a) => String(a.a)));
      if (page.length < 50) break;
      fromId = (page[page.length - 1]!.a as number) + 1;
    }
    assert.deepEqual(got, truth.map((t) => t.id));
    assert.equal((await getJson(`${restUrl}/api/v3/exchangeInfo`)).status, 404);
  });
});

describe('binance REST weight limits', () => {
  test('over the weight limit answers 429 with Retry-After, and 418 when requests keep coming', async () => {
    const clock = fakeClock(1_700_000_000_000);
    const sim = await startSimExchange({
      mode: 'manual',
      now: clock.now,
      timing: { binanceSpotWeightLimit: 60, binanceBanMs: 300_000 },
      venues: [{ exchange: 'binance', market: 'spot', symbols: [{ symbol: 'BTC/USDT' }] }],
    });
    try {
      const url = `${sim.endpoints('binance', 'spot').restUrl}/api/v3/trades?symbol=BTCUSDT`;
      const a = await getJson(url);
      const b = await getJson(url);
      assert.equal(a.status, 200);
      assert.equal(a.headers.get('x-mbx-used-weight-1m'), '25');
      assert.equal(b.headers.get('x-mbx-used-weight-1m'), '50');
      const c = await getJson(url);
      assert.equal(c.status, 429);
      assert.equal((c.body as Obj).code, -1003);
      assert.equal(c.headers.get('retry-after'), '40'); // window resets at the next minute boundary
      const d = await getJson(url);
      assert.equal(d.status, 418);
      assert.equal(d.headers.get('retry-after'), '300');
      clock.advance(301_000);
      assert.equal((await getJson(url)).status, 200);
      const stats = sim.stats().venues[0]!;
      assert.equal(stats.restRateLimited, 2);
      assert.equal(stats.restCalls, 5);
    } finally {
      await sim.stop();
    }
  });
});
