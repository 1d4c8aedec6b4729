import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimExchange } from '../../src/sim/index.js';
import { connect, waitFor } from './helpers.js';

const ours = () =>
  process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'TCPSocketWrap' || r === 'Timeout');

describe('simulator lifecycle', () => {
  test('stop() closes every socket and timer, in auto mode with live clients', async () => {
    const baseline = ours().length;
    const sim = await startSimExchange({
      mode: 'auto',
      timing: { tickMs: 5, binanceSpotPingIntervalMs: 20 },
      venues: [{ exchange: 'binance', market: 'spot', symbols: [{ symbol: 'BTC/USDT', tradesPerSecond: 500 }] }],
    });
    const c = await connect(sim.endpoints('binance', 'spot').wsUrl);
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 1 });
    sim.inject({ kind: 'slow', latencyMs: 10_000 });
    await waitFor(() => sim.stats().venues[0]!.tradesGenerated > 10, 2000, 'auto-mode trades');
    await sim.stop();
    await c.closed;
    await waitFor(() => ours().length <= baseline, 1000, 'resources released');
    assert.ok(ours().length <= baseline, `left running: ${ours().join(', ')}`);
  });

  test('auto mode generates trades at the configured rate on the injected clock', async () => {
    let t = 1_700_000_000_000;
    const sim = await startSimExchange({
      mode: 'auto',
      now: () => t,
      timing: { tickMs: 1 },
      venues: [{ exchange: 'binance', market: 'spot', symbols: [{ symbol: 'BTC/USDT', tradesPerSecond: 100 }] }],
    });
    try {
      t += 2000;
      await waitFor(() => sim.groundTruth().length > 0);
      assert.equal(sim.groundTruth().length, 200);
      const ts = sim.groundTruth().map((x) => x.timestamp);
      assert.ok(ts[0]! > 1_700_000_000_000 && ts[ts.length - 1] === t);
    } finally {
      await sim.stop();
    }
  });

  test('the same seed generates the same market', async () => {
    const run = async () => {
      const sim = await startSimExchange({
        mode: 'manual',
        seed: 42,
        now: () => 1_700_000_000_000,
        venues: [{ exchange: 'binance', market: 'futures', symbols: [{ symbol: 'ETH/USDT:USDT', tradesPerSecond: 30 }] }],
      });
      sim.advance(2000);
      const truth = sim.groundTruth();
      await sim.stop();
      return truth;
    };
    const a = await run();
    assert.equal(a.length, 60);
    assert.deepEqual(await run(), a);
  });

  test('setSymbols lists new symbols and delists removed ones, keeping their ground truth', async () => {
    const sim = await startSimExchange({
      mode: 'manual',
      venues: [{ exchange: 'binance', market: 'spot', symbols: [{ symbol: 'BTC/USDT' }] }],
    });
    try {
      sim.advance(1000);
      sim.setSymbols('binance', 'spot', [{ symbol: 'ETH/USDT' }, { symbol: 'SOL/USDT', status: 'halted' }]);
      sim.advance(1000);
      const info = (await (await fetch(`${sim.endpoints('binance', 'spot').restUrl}/api/v3/exchangeInfo`)).json()) as {
        symbols: Array<{ symbol: string; status: string }>;
      };
      assert.deepEqual(info.symbols.map((s) => [s.symbol, s.status]), [['ETHUSDT', 'TRADING'], ['SOLUSDT', 'HALT']]);
      assert.equal(sim.groundTruth({ symbol: 'BTC/USDT' }).length, 10);
      assert.equal(sim.groundTruth({ symbol: 'ETH/USDT' }).length, 10);
      assert.equal(sim.groundTruth({ symbol: 'SOL/USDT' }).length, 0);
    } finally {
      await sim.stop();
    }
  });

  test('burst pushes 200k trades through one connection with bounded buffering', async () => {
    const sim = await startSimExchange({
      mode: 'manual',
      venues: [{ exchange: 'binance', market: 'spot', symbols: [{ symbol: 'BTC/USDT' }, { symbol: 'ETH/USDT' }] }],
    });
    try {
      const c = await connect(sim.endpoints('binance', 'spot').wsUrl);
      let n = 0;
      c.ws.on('message', () => n++);
      c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade', 'ethusdt@trade'], id: 1 });
      await waitFor(() => n === 1);
      c.frames.length = 0;
      c.ws.removeAllListeners('message');
      c.ws.on('message', () => n++);
      const t0 = performance.now();
      await sim.burst('binance', 'spot', 200_000);
      await waitFor(() => n === 200_001, 20_000, 'all burst frames');
      const rate = 200_000 / ((performance.now() - t0) / 1000);
      // server and client share this process (and a busy 2-core box): a loose floor only
      assert.ok(rate > 50_000, `rate ${Math.round(rate)}/s`);
      assert.equal(sim.stats().venues[0]!.framesSent, 200_001);
      await c.close();
    } finally {
      await sim.stop();
    }
  });
});
