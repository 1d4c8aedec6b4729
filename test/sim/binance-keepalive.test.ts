import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimExchange } from '../../src/sim/index.js';
import { connect, waitFor } from './helpers.js';

const venues = [{ exchange: 'binance' as const, market: 'spot' as const, symbols: [{ symbol: 'BTC/USDT' }] }];

describe('binance connection rules (scaled-down timings)', () => {
  test('the server pings; a client that answers stays, one that never pongs is disconnected', async () => {
    const sim = await startSimExchange({
      mode: 'manual',
      timing: { binanceSpotPingIntervalMs: 40, binanceSpotPongTimeoutMs: 100 },
      venues,
    });
    try {
      const url = sim.endpoints('binance', 'spot').wsUrl;
      const good = await connect(url);
      let pings = 0;
      good.ws.on('ping', () => pings++);
      const mute = await connect(url, { autoPong: false });
      const closed = await mute.closed;
      assert.equal(closed.code, 1000);
      assert.match(closed.reason, /pong/);
      assert.ok(pings >= 2, 'server pinged the healthy client');
      assert.equal(good.isClosed(), false);
      await good.close();
    } finally {
      await sim.stop();
    }
  });

  test('more than 5 incoming messages within the window drops the connection', async () => {
    const sim = await startSimExchange({ mode: 'manual', timing: { incomingWindowMs: 60_000 }, venues });
    try {
      const c = await connect(sim.endpoints('binance', 'spot').wsUrl);
      for (let i = 1; i <= 5; i++) c.send({ method: 'LIST_SUBSCRIPTIONS', id: i });
      await waitFor(() => c.frames.length === 5);
      assert.equal(c.isClosed(), false);
      c.send({ method: 'LIST_SUBSCRIPTIONS', id: 6 });
      const closed = await c.closed;
      assert.equal(closed.code, 1008);
      assert.equal(c.frames.length, 5);
    } finally {
      await sim.stop();
    }
  });

  test('a connection is closed when its lifetime is over (forced rotation)', async () => {
    const sim = await startSimExchange({ mode: 'manual', timing: { connectionLifetimeMs: 60 }, venues });
    try {
      const c = await connect(sim.endpoints('binance', 'spot').wsUrl);
      const closed = await c.closed;
      assert.match(closed.reason, /lifetime/);
      await waitFor(() => sim.stats().venues[0]!.openSockets === 0);
    } finally {
      await sim.stop();
    }
  });

  test('more than binanceMaxStreams streams on one connection is refused', async () => {
    const sim = await startSimExchange({
      mode: 'manual',
      timing: { binanceMaxStreams: 2 },
      venues: [{ exchange: 'binance', market: 'spot', symbols: [{ symbol: 'BTC/USDT' }, { symbol: 'ETH/USDT' }] }],
    });
    try {
      const c = await connect(sim.endpoints('binance', 'spot').wsUrl);
      c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade', 'ethusdt@trade'], id: 1 });
      c.send({ method: 'SUBSCRIBE', params: ['btcusdt@ticker'], id: 2 });
      await waitFor(() => c.frames.length === 2);
      assert.deepEqual(JSON.parse(c.frames[0]!), { result: null, id: 1 });
      assert.equal(JSON.parse(c.frames[1]!).code, 2);
      assert.equal(sim.stats().venues[0]!.subscriptions, 2);
      await c.close();
    } finally {
      await sim.stop();
    }
  });
});
