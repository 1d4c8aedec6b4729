/**
 * Binance USDⓈ-M futures WebSocket routes since 2026-04-23 ("Important WebSocket Change Notice"):
 * regular market data under `/market` (`/market/ws`, `/market/ws/<streams>`, `/market/stream?streams=`),
 * high-frequency data under `/public`; the legacy `/ws` and `/stream` no longer serve. The simulator
 * refuses the legacy routes as the venue does, and the adapter's production URL names the new one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { binanceAdapter } from '../../src/exchanges/binance/index.js';
import type { Instrument } from '../../src/exchanges/types.js';
import type { Trade } from '../../src/records.js';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { connect, fakeClock, waitFor } from './helpers.js';

/** the HTTP status an upgrade on `url` is answered with (101 when the socket opens) */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}

describe('binance futures: the /market route, the legacy routes refused', () => {
  let sim: SimExchange;
  let base: string;
  const clock = fakeClock();
  const BTC: Instrument = { symbol: 'BTC/USDT:USDT', nativeId: 'BTCUSDT', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true };

  before(async () => {
    sim = await startSimExchange({
      mode: 'manual',
      now: clock.now,
      venues: [{ exchange: 'binance', market: 'futures', symbols: [{ symbol: 'BTC/USDT:USDT', tradesPerSecond: 20 }] }],
    });
    // the venue's root for this market: ws://host:port/binance/futures
    base = sim.endpoints('binance', 'futures').wsUrl.replace(/\/market\/ws$/, '');
  });
  after(() => sim.stop());

  test('the adapter defaults to wss://fstream.binance.com/market/ws and the simulator points at the same path', () => {
    assert.equal(binanceAdapter('futures').endpoints.wsUrl, 'wss://fstream.binance.com/market/ws');
    assert.match(sim.endpoints('binance', 'futures').wsUrl, /\/binance\/futures\/market\/ws$/);
  });

  test('the legacy /ws, /ws/<stream> and /stream are refused with 404; /market and /public open', async () => {
    assert.equal(await upgradeStatus(`${base}/ws`), 404);
    assert.equal(await upgradeStatus(`${base}/ws/btcusdt@aggTrade`), 404);
    assert.equal(await upgradeStatus(`${base}/stream?streams=btcusdt@aggTrade`), 404);
    assert.equal(await upgradeStatus(`${base}/private/ws`), 404);
    assert.equal(await upgradeStatus(`${base}/market/ws`), 101);
    assert.equal(await upgradeStatus(`${base}/market/stream?streams=btcusdt@aggTrade`), 101);
    assert.equal(await upgradeStatus(`${base}/public/ws`), 101);
  });

  test("the adapter's SUBSCRIBE on the adapter's route (path taken from its production URL) is acked, and its aggTrades parse", async () => {
    const adapter = binanceAdapter('futures');
    const path = new URL(adapter.endpoints.wsUrl).pathname; // /market/ws
    const c = await connect(`${base}${path}`);
    const [request] = adapter.subscribeRequests([BTC], ['trade'], () => '1');
    c.ws.send(request!.frame);
    await waitFor(() => c.frames.length === 1);
    const parser = adapter.createParser([BTC]);
    assert.deepEqual(parser.parse(c.frames[0]!, 0).control, [{ kind: 'subscribed', requestId: '1' }]);
    const before = sim.groundTruth({ symbol: 'BTC/USDT:USDT' }).length;
    sim.advance(1000);
    const fresh = sim.groundTruth({ symbol: 'BTC/USDT:USDT' }).slice(before);
    assert.ok(fresh.length > 0);
    await waitFor(() => c.frames.length === 1 + fresh.length);
    const trades = c.frames.slice(1).flatMap((f) => parser.parse(f, 0).records) as Trade[];
    assert.deepEqual(trades.map((t) => t.id), fresh.map((t) => t.id));
    await c.close();
  });

  test('a market-data stream asked of the /public route is refused (it serves bookTicker and depth only)', async () => {
    const c = await connect(`${base}/public/ws`);
    c.ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade'], id: 7 }));
    await waitFor(() => c.frames.length === 1);
    const answer = JSON.parse(c.frames[0]!) as { code?: number; id?: number };
    assert.equal(answer.code, 2);
    assert.equal(answer.id, 7);
    await c.close();
  });
});
