import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { connect, fakeClock, getJson, waitFor } from './helpers.js';
import { upbitAdapter } from '../../src/exchanges/upbit/index.js';
import { createRestClient } from '../../src/rest/http-client.js';

type Obj = Record<string, unknown>;

describe('upbit over the wire', () => {
  let sim: SimExchange;
  const clock = fakeClock();
  before(async () => {
    sim = await startSimExchange({
      mode: 'manual',
      now: clock.now,
      venues: [{ exchange: 'upbit', market: 'spot', symbols: [{ symbol: 'BTC/KRW', tradesPerSecond: 30 }, { symbol: 'ETH/KRW', tickersPerSecond: 1 }] }],
    });
  });
  after(() => sim.stop());

  test('binary JSON frames: no ack, a SNAPSHOT first, then REALTIME trades in the documented shape', async () => {
    const { wsUrl, restUrl } = sim.endpoints('upbit', 'spot');
    assert.match(wsUrl, /\/upbit\/spot\/websocket\/v1$/);
    assert.match(restUrl, /\/upbit\/spot\/v1$/);
    sim.advance(1000);
    const c = await connect(wsUrl);
    c.send([{ ticket: 't1' }, { type: 'trade', codes: ['KRW-BTC'] }, { format: 'DEFAULT' }]);
    await waitFor(() => c.frames.length === 1);
    const snap = c.json()[0] as Obj;
    assert.equal(snap.stream_type, 'SNAPSHOT');
    assert.equal(String(snap.sequential_id), sim.groundTruth({ symbol: 'BTC/KRW' }).at(-1)!.id);
    const before = sim.groundTruth({ symbol: 'BTC/KRW' }).length;
    sim.advance(1000);
    const truth = sim.groundTruth({ symbol: 'BTC/KRW' }).slice(before);
    await waitFor(() => c.frames.length === 31);
    assert.equal(c.binaryCount, 31);
    const rt = c.json().slice(1) as Obj[];
    assert.ok(rt.every((t) => t.stream_type === 'REALTIME' && t.type === 'trade' && t.code === 'KRW-BTC'));
    for (const k of ['timestamp', 'trade_date', 'trade_time', 'trade_timestamp', 'trade_price', 'trade_volume', 'ask_bid', 'prev_closing_price', 'change', 'change_price', 'sequential_id']) {
      assert.ok(k in rt[0]!, k);
    }
    assert.deepEqual(
      rt.map((t) => [String(t.sequential_id), t.trade_price, t.trade_volume, t.ask_bid === 'BID' ? 'buy' : 'sell', t.trade_timestamp]),
      truth.map((t) => [t.id, t.price, t.amount, t.side, t.timestamp]),
    );
    for (let i = 1; i < rt.length; i++) assert.ok((rt[i]!.sequential_id as number) > (rt[i - 1]!.sequential_id as number));
    await c.close();
  });

  test('a new subscribe frame replaces the old one; PING → {"status":"UP"}; bad codes → error frame', async () => {
    const c = await connect(sim.endpoints('upbit', 'spot').wsUrl);
    c.send([{ ticket: 'a' }, { type: 'trade', codes: ['KRW-BTC'], is_only_realtime: true }]);
    c.send([{ ticket: 'b' }, { type: 'ticker', codes: ['KRW-ETH'], is_only_realtime: true }]);
    c.send('PING');
    c.send([{ ticket: 'c' }, { type: 'trade', codes: ['KRW-NOPE'] }]);
    await waitFor(() => c.frames.length === 2);
    assert.deepEqual(c.json()[0], { status: 'UP' });
    const err = c.json()[1] as { error: Obj };
    assert.equal(err.error.name, 'INVALID_PARAM');
    sim.advance(1000);
    await waitFor(() => c.frames.length === 3);
    await new Promise((r) => setTimeout(r, 20));
    const frames = c.json().slice(2) as Obj[];
    assert.equal(frames.length, 1, 'only the ticker: the trade subscription was replaced');
    assert.equal(frames[0]!.type, 'ticker');
    assert.equal(frames[0]!.code, 'KRW-ETH');
    assert.ok(!('bid' in frames[0]!) && !('best_bid_price' in frames[0]!), 'no bid/ask in the ticker');
    for (const k of ['opening_price', 'high_price', 'low_price', 'trade_price', 'acc_trade_volume_24h', 'acc_trade_price_24h', 'trade_timestamp', 'timestamp']) assert.ok(k in frames[0]!, k);
    await c.close();
  });

  test('market/all with details; trades/ticks pages backwards by cursor and returns every trade once', async () => {
    const { restUrl } = sim.endpoints('upbit', 'spot');
    const all = (await getJson(`${restUrl}/market/all?isDetails=true`)).body as Obj[];
    assert.deepEqual(all.map((m) => m.market), ['KRW-BTC', 'KRW-ETH']);
    assert.equal(all[0]!.english_name, 'Bitcoin');
    assert.ok('market_event' in all[0]!);
    sim.advance(20_000);
    const truth = sim.groundTruth({ symbol: 'BTC/KRW' });
    const got: Obj[] = [];
    let cursor: string | undefined;
    for (;;) {
      const r = await getJson(`${restUrl}/trades/ticks?market=KRW-BTC&count=200${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200);
      assert.match(String(r.headers.get('remaining-req')), /^group=trade; min=\d+; sec=\d+$/);
      const page = r.body as Obj[];
      got.push(...page);
      if (page.length < 200) break;
      cursor = String(page[page.length - 1]!.sequential_id);
      clock.advance(1000); // stay under 10 requests per second
    }
    assert.deepEqual(got.reverse().map((t) => [String(t.sequential_id), t.trade_price, t.trade_volume]), truth.map((t) => [t.id, t.price, t.amount]));
  });

  test('over the rate limit: 429 with Remaining-Req', async () => {
    clock.advance(5000);
    const { restUrl } = sim.endpoints('upbit', 'spot');
    for (let i = 0; i < 10; i++) assert.equal((await getJson(`${restUrl}/market/all`)).status, 200);
    const r = await getJson(`${restUrl}/market/all`);
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('remaining-req'), 'group=market; min=1800; sec=0');
  });
});

describe('upbit keep-alive', () => {
  test('an idle connection is closed; PING keeps it open', async () => {
    const sim = await startSimExchange({ mode: 'manual', timing: { upbitIdleTimeoutMs: 80 }, venues: [{ exchange: 'upbit', market: 'spot', symbols: [{ symbol: 'BTC/KRW' }] }] });
    try {
      const url = sim.endpoints('upbit', 'spot').wsUrl;
      const idle = await connect(url);
      const alive = await connect(url);
      const t = setInterval(() => alive.send('PING'), 20);
      await idle.closed;
      assert.equal(alive.isClosed(), false);
      clearInterval(t);
      await alive.close();
    } finally {
      await sim.stop();
    }
  });
});

describe('upbit simulator: 17-digit sequential_ids, as the venue sends them since 2024', () => {
  test('WebSocket frames and trades/ticks rows write every digit as a bare JSON number; the adapter reads them back exactly', async () => {
    const clock = fakeClock(1_788_335_180_000);
    // 3,000 trades a second: several share a millisecond, so counters other than 0000 appear
    const sim = await startSimExchange({
      mode: 'manual', now: clock.now, keepTruth: true,
      venues: [{ exchange: 'upbit', market: 'spot', symbols: [{ symbol: 'BTC/KRW', tradesPerSecond: 3000 }] }],
    });
    try {
      const { wsUrl, restUrl } = sim.endpoints('upbit', 'spot');
      const c = await connect(wsUrl);
      c.send([{ ticket: 't' }, { type: 'trade', codes: ['KRW-BTC'], is_only_realtime: true }]);
      // no ack on Upbit: the request must have landed before trades are made
      await waitFor(() => sim.stats().venues[0]!.subscribeRequests === 1);
      sim.advance(200);
      const truth = sim.groundTruth({ symbol: 'BTC/KRW' });
      assert.ok(truth.every((t) => /^\d{17}$/.test(t.id)), 'every id has 17 digits');
      assert.ok(truth.some((t) => String(Number(t.id)) !== t.id), 'some ids are not exact as JS numbers');
      await waitFor(() => c.frames.length === truth.length);
      const wsIds = c.frames.map((f) => /"sequential_id":(\d+)/.exec(f)?.[1]);
      assert.deepEqual(wsIds, truth.map((t) => t.id));
      await c.close();

      const text = await (await fetch(`${restUrl}/trades/ticks?market=KRW-BTC&count=500`)).text();
      const restIds = [...text.matchAll(/"sequential_id":(\d+)/g)].map((m) => m[1]);
      assert.deepEqual(restIds, truth.slice(-500).map((t) => t.id).reverse());

      // the adapter through the production REST client: exact ids, paging by a 17-digit cursor
      const adapter = upbitAdapter('spot');
      const instrument = { symbol: 'BTC/KRW', nativeId: 'KRW-BTC', base: 'BTC', quote: 'KRW', active: true };
      const result = await adapter.backfillTrades(
        createRestClient({ requestsPerSecond: Number.POSITIVE_INFINITY }),
        { instrument, from: truth[0]!.timestamp, to: truth.at(-1)!.timestamp, afterId: truth[0]!.id },
        restUrl,
      );
      assert.deepEqual(result.trades.map((t) => t.id), truth.slice(1).map((t) => t.id));
    } finally {
      await sim.stop();
    }
  });
});
