/**
 * The reject-subscribe fault naming one symbol answers a multi-symbol subscribe the way each real
 * venue does (measured by others on the live venues, see the report of issue 10):
 * - Binance: one error for the whole request id, naming no stream;
 * - Bybit: the whole request refused, `ret_msg` naming only the refused topic;
 * - OKX: one error event for the refused arg, acks for the others;
 * - Upbit: no answer at all; the refused code gets no data, the others flow.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { connect, fakeClock, waitFor } from './helpers.js';

type Obj = Record<string, unknown>;

async function withSim(fn: (sim: SimExchange) => Promise<void>): Promise<void> {
  const clock = fakeClock();
  const sym = (symbol: string) => ({ symbol, tradesPerSecond: 10, tickersPerSecond: 0 });
  const sim = await startSimExchange({
    mode: 'manual',
    now: clock.now,
    timing: { binanceSpotMaxIncomingPerWindow: 100 },
    venues: [
      { exchange: 'binance', market: 'spot', symbols: [sym('BTC/USDT'), sym('ETH/USDT'), sym('SOL/USDT')] },
      { exchange: 'bybit', market: 'spot', symbols: [sym('BTC/USDT'), sym('ETH/USDT'), sym('SOL/USDT')] },
      { exchange: 'okx', market: 'spot', symbols: [sym('BTC/USDT'), sym('ETH/USDT'), sym('SOL/USDT')] },
      { exchange: 'upbit', market: 'spot', symbols: [sym('BTC/KRW'), sym('ETH/KRW'), sym('SOL/KRW')] },
    ],
  });
  try {
    await fn(sim);
  } finally {
    await sim.stop();
  }
}

describe('reject-subscribe naming one symbol, as the venues answer it', () => {
  test('Binance: one error for the whole request id, naming no stream; a request without it passes', async () => {
    await withSim(async (sim) => {
      sim.inject({ kind: 'reject-subscribe', exchange: 'binance', symbols: ['ETH/USDT'] });
      const c = await connect(sim.endpoints('binance', 'spot').wsUrl);
      c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade', 'ethusdt@trade', 'solusdt@trade'], id: 1 });
      c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade', 'solusdt@trade'], id: 2 });
      await waitFor(() => c.frames.length === 2);
      const [first, second] = c.json() as Obj[];
      assert.equal(first!.id, 1);
      assert.equal(first!.code, 2);
      assert.doesNotMatch(String(first!.msg), /btc|eth|sol/i, 'Binance names no stream');
      assert.deepEqual(second, { result: null, id: 2 });
      await c.close();
    });
  });

  test('Bybit: the whole request refused, ret_msg naming only the refused topic', async () => {
    await withSim(async (sim) => {
      sim.inject({ kind: 'reject-subscribe', exchange: 'bybit', symbols: ['ETH/USDT'] });
      const c = await connect(sim.endpoints('bybit', 'spot').wsUrl);
      c.send({ req_id: '1', op: 'subscribe', args: ['publicTrade.BTCUSDT', 'publicTrade.ETHUSDT', 'publicTrade.SOLUSDT'] });
      c.send({ req_id: '2', op: 'subscribe', args: ['publicTrade.BTCUSDT', 'publicTrade.SOLUSDT'] });
      await waitFor(() => c.frames.length === 2);
      const [first, second] = c.json() as Obj[];
      assert.equal(first!.success, false);
      assert.equal(first!.ret_msg, 'Invalid symbol :[publicTrade.ETHUSDT]');
      assert.equal(second!.success, true, 'BTC and SOL were not subscribed by the refused request');
      await c.close();
    });
  });

  test('OKX: an error event for the refused arg only, acks for the others', async () => {
    await withSim(async (sim) => {
      sim.inject({ kind: 'reject-subscribe', exchange: 'okx', symbols: ['ETH/USDT'] });
      const c = await connect(sim.endpoints('okx', 'spot').wsUrl);
      const args = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'].map((instId) => ({ channel: 'trades', instId }));
      c.send({ id: '1', op: 'subscribe', args });
      await waitFor(() => c.frames.length === 3);
      const answers = c.json() as Obj[];
      assert.deepEqual(answers.map((a) => a.event), ['subscribe', 'error', 'subscribe']);
      assert.match(String(answers[1]!.msg), /instId:ETH-USDT/);
      await c.close();
    });
  });

  test('Upbit: no answer; the refused code gets nothing, the others their snapshot and trades', async () => {
    await withSim(async (sim) => {
      sim.advance(1_000);
      sim.inject({ kind: 'reject-subscribe', exchange: 'upbit', symbols: ['ETH/KRW'] });
      const c = await connect(sim.endpoints('upbit', 'spot').wsUrl);
      c.send([{ ticket: 't' }, { type: 'trade', codes: ['KRW-BTC', 'KRW-ETH', 'KRW-SOL'] }, { format: 'DEFAULT' }]);
      await waitFor(() => c.frames.length === 2, 2000, 'two snapshots');
      sim.advance(1_000);
      await waitFor(() => c.frames.length >= 22, 2000, 'the served codes trading');
      const codes = new Set((c.json() as Obj[]).map((m) => m.code));
      assert.deepEqual([...codes].sort(), ['KRW-BTC', 'KRW-SOL']);
      assert.ok((c.json() as Obj[]).every((m) => m.error === undefined), 'no error frame');
      await c.close();
    });
  });
});
