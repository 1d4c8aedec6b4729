import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { connect, fakeClock, getJson, waitFor } from './helpers.js';

type Obj = Record<string, unknown>;

describe('bybit v5 over the wire', () => {
  let sim: SimExchange;
  const clock = fakeClock();
  before(async () => {
    sim = await startSimExchange({
      mode: 'manual',
      now: clock.now,
      venues: [
        { exchange: 'bybit', market: 'spot', symbols: [{ symbol: 'BTC/USDT', tradesPerSecond: 25 }, { symbol: 'ETH/USDT' }] },
        { exchange: 'bybit', market: 'futures', symbols: [{ symbol: 'BTC/USDT:USDT', tradesPerSecond: 25, tickersPerSecond: 2 }] },
      ],
    });
  });
  after(() => sim.stop());

  test('spot: subscribe ack with req_id and conn_id, bad topic named in ret_msg, >10 args refused, ping answered', async () => {
    const { wsUrl } = sim.endpoints('bybit', 'spot');
    assert.match(wsUrl, /\/bybit\/spot\/v5\/public\/spot$/);
    const c = await connect(wsUrl);
    c.send({ req_id: '10', op: 'subscribe', args: ['publicTrade.BTCUSDT'] });
    c.send({ req_id: '11', op: 'subscribe', args: ['publicTrade.XXXUSDT'] });
    c.send({ req_id: '12', op: 'subscribe', args: new Array(11).fill('tickers.ETHUSDT') });
    c.send({ req_id: '13', op: 'ping' });
    await waitFor(() => c.frames.length === 4);
    const [ack, bad, many, pong] = c.json() as Obj[];
    assert.deepEqual(Object.keys(ack!), ['success', 'ret_msg', 'conn_id', 'req_id', 'op']);
    assert.equal(ack!.success, true);
    assert.equal(ack!.req_id, '10');
    assert.equal(ack!.op, 'subscribe');
    assert.equal(bad!.success, false);
    assert.match(String(bad!.ret_msg), /publicTrade\.XXXUSDT/);
    assert.equal(many!.success, false);
    assert.deepEqual({ ...pong, conn_id: 'x' }, { success: true, ret_msg: 'pong', conn_id: 'x', req_id: '13', op: 'ping' });

    sim.advance(1000);
    const truth = sim.groundTruth({ exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT' });
    await waitFor(() => c.frames.length >= 5);
    const frame = c.json()[4] as Obj;
    assert.equal(frame.topic, 'publicTrade.BTCUSDT');
    assert.equal(frame.type, 'snapshot');
    const data = frame.data as Obj[];
    assert.deepEqual(Object.keys(data[0]!), ['T', 's', 'S', 'v', 'p', 'L', 'i', 'BT']);
    assert.deepEqual(
      data.map((d) => [d.i, Number(d.p), Number(d.v), d.S === 'Buy' ? 'buy' : 'sell', d.T]),
      truth.map((t) => [t.id, t.price, t.amount, t.side, t.timestamp]),
    );
    // spot execIds are 19 decimal digits, one more per trade (real captures: "2290000000050703789")
    assert.match(String(data[0]!.i), /^[1-9]\d{18}$/);
    for (let k = 1; k < data.length; k++) assert.equal(BigInt(String(data[k]!.i)), BigInt(String(data[k - 1]!.i)) + 1n);
    await c.close();
  });

  test('linear: pong is {"op":"pong"}; tickers send a snapshot then deltas with only changed fields', async () => {
    const c = await connect(sim.endpoints('bybit', 'futures').wsUrl);
    c.send({ req_id: 'p', op: 'ping' });
    c.send({ req_id: 's', op: 'subscribe', args: ['tickers.BTCUSDT'] });
    await waitFor(() => c.frames.length === 3);
    const [pong, ack, snap] = c.json() as Obj[];
    assert.equal(pong!.op, 'pong');
    assert.equal(pong!.req_id, 'p');
    assert.ok(Array.isArray(pong!.args));
    assert.equal(ack!.success, true);
    assert.equal(snap!.type, 'snapshot');
    const full = snap!.data as Obj;
    for (const k of ['symbol', 'lastPrice', 'bid1Price', 'bid1Size', 'ask1Price', 'ask1Size', 'highPrice24h', 'lowPrice24h', 'volume24h', 'turnover24h']) {
      assert.equal(typeof full[k], 'string', k);
    }
    sim.advance(1000);
    await waitFor(() => c.frames.length === 5);
    const delta = c.json()[3] as Obj;
    assert.equal(delta.type, 'delta');
    const fields = delta.data as Obj;
    assert.equal(fields.symbol, 'BTCUSDT');
    assert.ok(Object.keys(fields).length < Object.keys(full).length, 'a delta is partial');
    for (const [k, v] of Object.entries(fields)) if (k !== 'symbol') assert.notEqual(v, full[k], `unchanged ${k} in delta`);
    await c.close();
  });

  test('instruments-info pages by nextPageCursor; recent-trade caps spot at 60', async () => {
    const { restUrl } = sim.endpoints('bybit', 'spot');
    const p1 = (await getJson(`${restUrl}/v5/market/instruments-info?category=spot&limit=1`)).body as { retCode: number; result: { list: Obj[]; nextPageCursor: string } };
    assert.equal(p1.retCode, 0);
    assert.equal(p1.result.list[0]!.symbol, 'BTCUSDT');
    assert.equal(p1.result.list[0]!.status, 'Trading');
    assert.notEqual(p1.result.nextPageCursor, '');
    const p2 = (await getJson(`${restUrl}/v5/market/instruments-info?category=spot&limit=1&cursor=${p1.result.nextPageCursor}`)).body as typeof p1;
    assert.equal(p2.result.list[0]!.symbol, 'ETHUSDT');
    assert.equal(p2.result.nextPageCursor, '');
    const lin = (await getJson(`${sim.endpoints('bybit', 'futures').restUrl}/v5/market/instruments-info?category=linear`)).body as typeof p1;
    assert.equal(lin.result.list[0]!.contractType, 'LinearPerpetual');
    assert.equal(lin.result.list[0]!.settleCoin, 'USDT');
    sim.advance(5000);
    const truth = sim.groundTruth({ exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT' });
    const recent = (await getJson(`${restUrl}/v5/market/recent-trade?category=spot&symbol=BTCUSDT&limit=1000`)).body as { result: { list: Obj[] } };
    assert.equal(recent.result.list.length, 60);
    assert.deepEqual(recent.result.list.map((t) => t.execId), truth.slice(-60).reverse().map((t) => t.id));
  });

  test('over the rate limit: HTTP 403, retCode 10006 and X-Bapi-Limit-Reset-Timestamp', async () => {
    sim.inject({ kind: 'rest-429', exchange: 'bybit', market: 'futures', count: 1 });
    const r = await getJson(`${sim.endpoints('bybit', 'futures').restUrl}/v5/market/time`);
    assert.equal(r.status, 403);
    assert.equal((r.body as Obj).retCode, 10006);
    assert.ok(Number(r.headers.get('x-bapi-limit-reset-timestamp')) > clock.now());
  });
});
