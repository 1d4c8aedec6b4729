import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { connect, fakeClock, getJson, waitFor } from './helpers.js';

type Obj = Record<string, unknown>;

describe('okx v5 over the wire', () => {
  let sim: SimExchange;
  const clock = fakeClock();
  before(async () => {
    sim = await startSimExchange({
      mode: 'manual',
      now: clock.now,
      seed: 3,
      venues: [
        { exchange: 'okx', market: 'spot', symbols: [{ symbol: 'BTC/USDT', tradesPerSecond: 30, tickersPerSecond: 1 }] },
        { exchange: 'okx', market: 'futures', symbols: [{ symbol: 'BTC/USDT:USDT', tradesPerSecond: 30 }, { symbol: 'ETH/USDT:USDT' }] },
      ],
    });
  });
  after(() => sim.stop());

  test('acks each subscribe arg, rejects unknown instIds with 60018, answers ping with pong', async () => {
    const { wsUrl } = sim.endpoints('okx', 'spot');
    assert.match(wsUrl, /\/okx\/spot\/ws\/v5\/public$/);
    const c = await connect(wsUrl);
    c.send({ op: 'subscribe', args: [{ channel: 'trades', instId: 'BTC-USDT' }, { channel: 'tickers', instId: 'BTC-USDT' }, { channel: 'trades', instId: 'XXX-USDT' }] });
    c.send('ping');
    await waitFor(() => c.frames.length === 4);
    const [a1, a2, err] = c.json() as Obj[];
    assert.equal(a1!.event, 'subscribe');
    assert.deepEqual(a1!.arg, { channel: 'trades', instId: 'BTC-USDT' });
    assert.equal(typeof a1!.connId, 'string');
    assert.deepEqual(a2!.arg, { channel: 'tickers', instId: 'BTC-USDT' });
    assert.equal(err!.event, 'error');
    assert.equal(err!.code, '60018');
    assert.equal(err!.msg, "Wrong URL or channel:trades,instId:XXX-USDT doesn't exist");
    assert.equal(c.frames[3], 'pong');

    sim.advance(1000);
    const truth = sim.groundTruth({ exchange: 'okx', market: 'spot' });
    await waitFor(() => c.frames.length >= 6);
    const frames = c.json().slice(4) as Obj[];
    const tradeFrames = frames.filter((f) => (f.arg as Obj).channel === 'trades');
    const data = tradeFrames.flatMap((f) => f.data as Obj[]);
    assert.deepEqual(Object.keys(data[0]!).slice(0, 7), ['instId', 'tradeId', 'px', 'sz', 'side', 'ts', 'count']);
    assert.deepEqual(
      data.map((d) => [d.tradeId, Number(d.px), Number(d.sz), d.side, Number(d.ts)]),
      truth.map((t) => [t.id, t.price, t.amount, t.side, t.timestamp]),
    );
    assert.ok(data.every((d) => typeof d.ts === 'string' && typeof d.px === 'string'));
    const ticker = (frames.find((f) => (f.arg as Obj).channel === 'tickers')!.data as Obj[])[0]!;
    for (const k of ['instType', 'instId', 'last', 'lastSz', 'askPx', 'askSz', 'bidPx', 'bidSz', 'open24h', 'high24h', 'low24h', 'volCcy24h', 'vol24h', 'ts']) {
      assert.equal(typeof ticker[k], 'string', k);
    }
    assert.equal(ticker.instType, 'SPOT');
    await c.close();
  });

  test('SWAP sizes are contracts: sz × ctVal from the instruments call is the base amount', async () => {
    const { wsUrl, restUrl } = sim.endpoints('okx', 'futures');
    const inst = (await getJson(`${restUrl}/api/v5/public/instruments?instType=SWAP`)).body as { code: string; data: Obj[] };
    assert.equal(inst.code, '0');
    const btc = inst.data.find((d) => d.instId === 'BTC-USDT-SWAP')!;
    assert.equal(btc.state, 'live');
    assert.equal(btc.ctVal, '0.01');
    assert.equal(btc.ctValCcy, 'BTC');
    assert.equal(btc.settleCcy, 'USDT');
    assert.equal(btc.ctType, 'linear');
    const c = await connect(wsUrl);
    c.send({ op: 'subscribe', args: [{ channel: 'trades', instId: 'BTC-USDT-SWAP' }] });
    await waitFor(() => c.frames.length === 1);
    const before = sim.groundTruth({ symbol: 'BTC/USDT:USDT' }).length;
    sim.advance(1000);
    const truth = sim.groundTruth({ symbol: 'BTC/USDT:USDT' }).slice(before);
    await waitFor(() => c.frames.length >= 2);
    const data = (c.json().slice(1) as Obj[]).flatMap((f) => f.data as Obj[]);
    assert.equal(data.length, truth.length);
    data.forEach((d, i) => {
      assert.match(String(d.sz), /^\d+$/);
      assert.equal(Number(d.sz) * Number(btc.ctVal), truth[i]!.amount);
    });
    assert.equal(((await getJson(`${restUrl}/api/v5/public/instruments?instType=SPOT`)).body as { data: unknown[] }).data.length, 0);
    await c.close();
  });

  test('history-trades pages backwards by tradeId and returns every trade exactly once', async () => {
    sim.advance(10_000);
    const { restUrl } = sim.endpoints('okx', 'spot');
    const truth = sim.groundTruth({ exchange: 'okx', market: 'spot' });
    const got: Obj[] = [];
    let after: string | undefined;
    for (;;) {
      const r = await getJson(`${restUrl}/api/v5/market/history-trades?instId=BTC-USDT&type=1&limit=100${after ? `&after=${after}` : ''}`);
      const page = (r.body as { data: Obj[] }).data;
      got.push(...page);
      if (page.length < 100) break;
      after = String(page[page.length - 1]!.tradeId);
    }
    assert.deepEqual(got.reverse().map((t) => t.tradeId), truth.map((t) => t.id));
    const recent = (await getJson(`${restUrl}/api/v5/market/trades?instId=BTC-USDT&limit=3`)).body as { data: Obj[] };
    assert.deepEqual(recent.data.map((t) => t.tradeId), truth.slice(-3).reverse().map((t) => t.id));
    const bad = (await getJson(`${restUrl}/api/v5/market/trades?instId=NOPE`)).body as Obj;
    assert.equal(bad.code, '51001');
  });

  test('over the rate limit: HTTP 429 with code 50011', async () => {
    const { restUrl } = sim.endpoints('okx', 'futures');
    clock.advance(10_000);
    const answers: number[] = [];
    for (let i = 0; i < 21; i++) answers.push((await getJson(`${restUrl}/api/v5/public/time`)).status);
    assert.deepEqual(answers.slice(0, 20), new Array(20).fill(200));
    const r = await getJson(`${restUrl}/api/v5/public/time`);
    assert.equal(r.status, 429);
    assert.deepEqual(r.body, { code: '50011', msg: 'Too Many Requests', data: [] });
  });
});

describe('okx keep-alive', () => {
  test('closes a connection that sends nothing for the idle timeout; text ping keeps it open', async () => {
    const sim = await startSimExchange({
      mode: 'manual',
      timing: { okxIdleTimeoutMs: 80 },
      venues: [{ exchange: 'okx', market: 'spot', symbols: [{ symbol: 'BTC/USDT' }] }],
    });
    try {
      const url = sim.endpoints('okx', 'spot').wsUrl;
      const quiet = await connect(url);
      const chatty = await connect(url);
      const pinger = setInterval(() => chatty.send('ping'), 20);
      await quiet.closed;
      assert.equal(chatty.isClosed(), false);
      clearInterval(pinger);
      await chatty.closed;
      assert.ok(chatty.frames.includes('pong'));
    } finally {
      await sim.stop();
    }
  });
});
