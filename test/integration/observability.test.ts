import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { serveTickvisor } from '../../src/http/index.js';
import { allCoinsSubscribed, nodes, sleep, startSystem, waitFor, waitForTradesPast } from '../support/system.js';

function metricValue(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    if (want.every((l) => line.includes(l))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

describe('observability on a running system', () => {
  test('subscribe failures rise after a reject-subscribe fault; connector and coin metrics move', async () => {
    const sys = await startSystem({
      exchanges: [{ exchange: 'binance', market: 'spot', simulated: true, groupSize: 2, sim: { symbols: ['BTC/USDT', 'ETH/USDT'] } }],
      connector: { subscribeRetryMs: 200, reconnect: { minDelayMs: 50, maxDelayMs: 100, factor: 2, jitter: 0 } },
      simulator: { tradesPerSecond: 20, tickersPerSecond: 2 },
    });
    const http = await serveTickvisor(sys.tv, { port: 0, intervalMs: 100 });
    try {
      await waitFor('subscribed', () => allCoinsSubscribed(sys.tv) && nodes(sys.tv.state(), 'coin').length === 2);
      await sleep(300);
      const scrape = async () => (await fetch(`${http.url.replace(/\/$/, '')}/metrics`)).text();
      const before = await scrape();
      const failuresBefore = metricValue(before, 'tickvisor_coin_subscribe_failures_total', { exchange: 'binance', symbol: 'BTC/USDT' });
      const requestsBefore = metricValue(before, 'tickvisor_coin_subscribe_requests_total', { exchange: 'binance', symbol: 'BTC/USDT' });
      assert.equal(metricValue(before, 'tickvisor_connector_state', { exchange: 'binance', market: 'spot' }), 2, 'Connected = 2');
      assert.ok(metricValue(before, 'tickvisor_coin_last_receive_timestamp_seconds', { symbol: 'BTC/USDT' }) > 0);

      // six refused requests: the pair, then each alone (bisection), twice over — two failures per coin
      sys.tv.sim!.inject({ kind: 'reject-subscribe', exchange: 'binance', market: 'spot', count: 6 });
      sys.tv.sim!.inject({ kind: 'disconnect', exchange: 'binance', market: 'spot' });
      await waitFor('refused twice, then subscribed again', () => {
        const coins = nodes(sys.tv.state(), 'coin');
        return coins.every((c) => (c.counters.subscribeFailures ?? 0) >= 2 && c.state === 'Subscribed');
      });
      await sleep(300);
      const after = await scrape();
      const failuresAfter = metricValue(after, 'tickvisor_coin_subscribe_failures_total', { exchange: 'binance', symbol: 'BTC/USDT' });
      const requestsAfter = metricValue(after, 'tickvisor_coin_subscribe_requests_total', { exchange: 'binance', symbol: 'BTC/USDT' });
      const subscribeLines = after.split('\n').filter((l) => l.includes('subscribe_failures_total{')).join(' | ');
      assert.ok(failuresAfter > failuresBefore, `subscribe failures ${failuresBefore} -> ${failuresAfter}: ${subscribeLines}`);
      assert.ok(requestsAfter > requestsBefore, `subscribe requests ${requestsBefore} → ${requestsAfter}`);
      assert.ok(metricValue(after, 'tickvisor_connector_recovery_attempts_total', { exchange: 'binance' }) >= 1);
      assert.ok(metricValue(after, 'tickvisor_connector_recovery_successes_total', { exchange: 'binance' }) >= 1);
      assert.ok(metricValue(after, 'tickvisor_collector_records_committed_total', { exchange: 'binance' }) > 0);
      const health = await fetch(`${http.url.replace(/\/$/, '')}/health`);
      assert.equal(health.status, 200);
    } finally {
      await http.close();
      await sys.close();
    }
  });

  test('a webhook receiver gets exactly one alert per escalation during a fault storm; siblings run on', async () => {
    const received: Array<{ kind: string; key: string }> = [];
    const receiver = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body) as { kind: string; key: string });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const port = (receiver.address() as AddressInfo).port;
    const sys = await startSystem({
      exchanges: [
        { exchange: 'binance', market: 'spot', simulated: true, groupSize: 2, sim: { symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT'] } },
        { exchange: 'okx', market: 'spot', simulated: true, sim: { symbols: ['BTC/USDT'] } },
      ],
      connector: { maxConsecutiveFailures: 2, connectTimeoutMs: 500, reconnect: { minDelayMs: 50, maxDelayMs: 100, factor: 2, jitter: 0 } },
      supervision: { connector: { backoff: { minDelayMs: 100, maxDelayMs: 400, factor: 2, jitter: 0 }, maxRestarts: 2, windowMs: 60_000, parkAfterEscalationMs: 600_000 } },
      alerts: { webhook: `http://127.0.0.1:${port}/hook`, silentCoinMs: 600_000 },
      simulator: { tradesPerSecond: 10, tickersPerSecond: 1 },
    });
    try {
      await waitFor('subscribed', () => allCoinsSubscribed(sys.tv) && nodes(sys.tv.state(), 'coin').length === 5);
      const okxBefore = nodes(sys.tv.state(), 'connector').filter((c) => c.id.startsWith('connector:okx'));
      // the storm: Binance spot down for longer than every restart budget
      sys.tv.sim!.inject({ kind: 'server-restart', exchange: 'binance', market: 'spot', durationMs: 60_000 });
      await waitFor('both Binance connectors escalated', () => received.filter((a) => a.kind === 'recovery-failed').length >= 2, 20_000);
      // the storm goes on for 2 s of OKX's trades stored meanwhile; nothing more may arrive
      await waitForTradesPast(sys.tv, 'okx', 'spot', ['BTC/USDT'], Date.now(), 2_000);
      const recovery = received.filter((a) => a.kind === 'recovery-failed');
      assert.deepEqual(recovery.map((a) => a.key).sort(), ['connector:binance:spot:0', 'connector:binance:spot:1']);
      const okxAfter = nodes(sys.tv.state(), 'connector').filter((c) => c.id.startsWith('connector:okx'));
      assert.deepEqual(okxAfter.map((c) => [c.id, c.state, c.counters.connectionAttempts]), okxBefore.map((c) => [c.id, 'Connected', 1]));
      assert.equal(nodes(sys.tv.state(), 'collector').find((c) => c.id === 'collector:okx:spot')?.state, 'Running');
    } finally {
      sys.tv.sim?.clearFaults();
      await sys.close();
      receiver.close();
    }
  });
});
