/**
 * REST faults on every venue, as a plain HTTP client sees them: 5xx in the venue's body or a gateway's
 * HTML page, requests never answered, partial and empty trade pages, and REST disagreeing with the
 * WebSocket on a trade's timestamp.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { connect, fakeClock, getJson, waitFor } from './helpers.js';

type Obj = Record<string, unknown>;

describe('REST faults', () => {
  let sim: SimExchange;
  const clock = fakeClock();
  const url = (exchange: 'binance' | 'okx' | 'bybit' | 'upbit', market: 'spot' | 'futures', path: string) =>
    `${sim.endpoints(exchange, market).restUrl}${path}`;

  before(async () => {
    sim = await startSimExchange({
      mode: 'manual',
      now: clock.now,
      venues: [
        { exchange: 'binance', market: 'spot', symbols: [{ symbol: 'BTC/USDT', tradesPerSecond: 50, tickersPerSecond: 0 }] },
        { exchange: 'okx', market: 'spot', symbols: [{ symbol: 'BTC/USDT', tradesPerSecond: 50, tickersPerSecond: 0 }] },
        { exchange: 'bybit', market: 'futures', symbols: [{ symbol: 'BTC/USDT:USDT', tradesPerSecond: 50, tickersPerSecond: 0 }] },
        { exchange: 'upbit', market: 'spot', symbols: [{ symbol: 'BTC/KRW', tradesPerSecond: 50, tickersPerSecond: 0 }] },
      ],
    });
    sim.advance(1000);
  });
  after(() => sim.stop());

  test("rest-5xx: 500/503 in the venue's own error body, 502/504 as the gateway's HTML page; then served again", async () => {
    const expected: Array<[Parameters<typeof url>, Obj]> = [
      [['binance', 'spot', '/api/v3/exchangeInfo'], { code: -1008 }],
      [['okx', 'spot', '/api/v5/public/instruments?instType=SPOT'], { code: '50001' }],
      [['bybit', 'futures', '/v5/market/instruments-info?category=linear'], { retCode: 10016 }],
      [['upbit', 'spot', '/market/all'], { error: { name: 'server_error', message: 'Internal server error.' } }],
    ];
    for (const [[exchange, market, path], body] of expected) {
      sim.inject({ kind: 'rest-5xx', exchange, market, count: 1 });
      const r = await getJson(url(exchange, market, path));
      assert.equal(r.status, 503, exchange);
      for (const [k, v] of Object.entries(body)) assert.deepEqual((r.body as Obj)[k], v, `${exchange} ${k}`);
      assert.equal((await getJson(url(exchange, market, path))).status, 200, `${exchange} serves again once the count is used`);
    }
    sim.inject({ kind: 'rest-5xx', exchange: 'binance', status: 502, count: 1 });
    const gateway = await fetch(url('binance', 'spot', '/api/v3/trades?symbol=BTCUSDT'));
    assert.equal(gateway.status, 502);
    assert.match(gateway.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await gateway.text(), /<h1>502 Bad Gateway<\/h1>/);
  });

  test('rest-timeout: the request is never answered; the client times out, the next one is served', async () => {
    sim.inject({ kind: 'rest-timeout', exchange: 'okx', count: 1, latencyMs: 60_000 });
    await assert.rejects(fetch(url('okx', 'spot', '/api/v5/market/trades?instId=BTC-USDT'), { signal: AbortSignal.timeout(150) }), { name: 'TimeoutError' });
    assert.equal((await getJson(url('okx', 'spot', '/api/v5/market/trades?instId=BTC-USDT'))).status, 200);
    // a hang shorter than the client's patience ends with the socket dropped, never with an answer
    sim.inject({ kind: 'rest-timeout', exchange: 'upbit', count: 1, latencyMs: 50 });
    await assert.rejects(fetch(url('upbit', 'spot', '/trades/ticks?market=KRW-BTC')), /fetch failed/);
  });

  test('rest-partial: fewer rows than asked although more exist, the first rows in the venue order', async () => {
    const truth = sim.groundTruth({ exchange: 'binance', market: 'spot' }).map((t) => Number(t.id));
    const from = truth[5]!;
    sim.inject({ kind: 'rest-partial', exchange: 'binance', count: 1 });
    const half = (await getJson(url('binance', 'spot', `/api/v3/historicalTrades?symbol=BTCUSDT&fromId=${from}&limit=10`))).body as Obj[];
    assert.deepEqual(half.map((t) => t.id), truth.slice(5, 10), 'half the page by default');
    const full = (await getJson(url('binance', 'spot', `/api/v3/historicalTrades?symbol=BTCUSDT&fromId=${from}&limit=10`))).body as Obj[];
    assert.equal(full.length, 10, 'the count is used up');

    sim.inject({ kind: 'rest-partial', exchange: 'okx', rows: 3, count: 1 });
    const okx = (await getJson(url('okx', 'spot', '/api/v5/market/history-trades?instId=BTC-USDT&limit=20'))).body as { data: Obj[] };
    const okxTruth = sim.groundTruth({ exchange: 'okx' }).map((t) => t.id).reverse();
    assert.deepEqual(okx.data.map((t) => t.tradeId), okxTruth.slice(0, 3), 'newest first, as OKX pages');

    sim.inject({ kind: 'rest-partial', exchange: 'bybit', rows: 2, count: 1 });
    const bybit = (await getJson(url('bybit', 'futures', '/v5/market/recent-trade?category=linear&symbol=BTCUSDT&limit=30'))).body as { result: { list: Obj[] } };
    assert.equal(bybit.result.list.length, 2);

    // a listing is not a trade page: it does not use the count up
    sim.inject({ kind: 'rest-partial', exchange: 'upbit', rows: 4, count: 1 });
    assert.equal(((await getJson(url('upbit', 'spot', '/market/all'))).body as Obj[]).length, 1);
    const upbit = (await getJson(url('upbit', 'spot', '/trades/ticks?market=KRW-BTC&count=20'))).body as Obj[];
    assert.equal(upbit.length, 4);
  });

  test('rest-empty: a trade page with no rows although trades exist', async () => {
    sim.inject({ kind: 'rest-empty', exchange: 'binance', count: 1 });
    assert.deepEqual((await getJson(url('binance', 'spot', '/api/v3/aggTrades?symbol=BTCUSDT&limit=10'))).body, []);
    assert.equal(((await getJson(url('binance', 'spot', '/api/v3/aggTrades?symbol=BTCUSDT&limit=10'))).body as Obj[]).length, 10);
    sim.inject({ kind: 'rest-empty', exchange: 'okx', count: 1 });
    const okx = (await getJson(url('okx', 'spot', '/api/v5/market/history-trades?instId=BTC-USDT'))).body as Obj;
    assert.deepEqual(okx, { code: '0', msg: '', data: [] });
  });

  test('rest-ts-mismatch: REST serves the same trade id with its timestamp skewMs off the WebSocket one', async () => {
    const c = await connect(sim.endpoints('okx', 'spot').wsUrl);
    c.send({ op: 'subscribe', args: [{ channel: 'trades', instId: 'BTC-USDT' }] });
    await waitFor(() => c.frames.length === 1);
    sim.advance(200);
    await waitFor(() => c.json().slice(1).flatMap((f) => (f as { data: Obj[] }).data).length === 10);
    const wire = new Map(c.json().slice(1).flatMap((f) => (f as { data: Obj[] }).data).map((t) => [t.tradeId, Number(t.ts)]));
    sim.inject({ kind: 'rest-ts-mismatch', exchange: 'okx', skewMs: 4, count: 1 });
    const rest = ((await getJson(url('okx', 'spot', '/api/v5/market/trades?instId=BTC-USDT&limit=10'))).body as { data: Obj[] }).data;
    assert.equal(rest.length, 10);
    for (const t of rest) {
      assert.equal(typeof t.ts, 'string', 'still a string, as OKX writes it');
      assert.equal(Number(t.ts), wire.get(t.tradeId)! + 4, `trade ${String(t.tradeId)}`);
    }
    // the ground truth keeps what the WebSocket published
    const truth = new Map(sim.groundTruth({ exchange: 'okx' }).map((t) => [t.id, t.timestamp]));
    for (const [id, ts] of wire) assert.equal(truth.get(String(id)), ts);

    sim.inject({ kind: 'rest-ts-mismatch', exchange: 'binance', skewMs: -2, count: 1 });
    const agg = (await getJson(url('binance', 'spot', '/api/v3/aggTrades?symbol=BTCUSDT&limit=5'))).body as Obj[];
    const binanceTruth = new Map(sim.groundTruth({ exchange: 'binance' }).map((t) => [t.id, t.timestamp]));
    for (const t of agg) assert.equal(t.T, binanceTruth.get(String(t.a))! - 2);
    await c.close();
  });
});
