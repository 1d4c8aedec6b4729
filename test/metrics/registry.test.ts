import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { COIN_STATE_CODES } from '../../machines/coin.js';
import { CONNECTOR_STATE_CODES } from '../../machines/connector.js';
import { CoinActivity } from '../../src/metrics/coin-activity.js';
import { createMetrics } from '../../src/metrics/registry.js';
import type { ActorNode } from '../../src/runtime/state-tree.js';
import { coin, collector, connector, connectorCounters, manager, node } from './fake-tree.js';
import { parseExposition, pipelineStats, series, seriesOf } from './exposition.js';

const T0 = 1_700_000_000_000;
const BTC = { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' };
const ETH = { exchange: 'binance', market: 'spot', symbol: 'ETH/USDT' };
const SWAP = { exchange: 'okx', market: 'futures', symbol: 'BTC/USDT:USDT' };
const G0 = { exchange: 'binance', market: 'spot', group: '0' };
const BINANCE = { exchange: 'binance', market: 'spot' };

function tree(over: { g0?: Record<string, number>; coins0?: ActorNode[]; alerts?: number } = {}): ActorNode {
  return manager(
    [
      collector('binance', 'spot', 'Running', [
        connector('binance', 'spot', 0, 'Connected', connectorCounters({ subscriptionAttempts: 4, subscriptionSuccesses: 3, subscriptionFailures: 1, ...over.g0 }), over.coins0 ?? [
          coin('binance', 'spot', 'BTC/USDT', 'Subscribed', 2, 1),
          coin('binance', 'spot', 'ETH/USDT', 'Requested', 1, 0),
        ]),
        connector('binance', 'spot', 1, 'Recovering', connectorCounters({ connectionAttempts: 4, connectionSuccesses: 1, recoveryAttempts: 2, recoverySuccesses: 1 }), [
          coin('binance', 'spot', 'SOL/USDT', 'Ready', 0, 0),
        ]),
      ], { errors: 2, restartAttempts: 1, restartSuccesses: 1, 'gaps.detected': 9, 'gaps.merged': 3, 'gaps.filled': 5, 'gaps.unfilled': 1, 'gaps.backfilledTrades': 420, 'gaps.failures': 2 }),
      collector('okx', 'futures', 'Running', [connector('okx', 'futures', 0, 'Connected', connectorCounters(), [coin('okx', 'futures', 'BTC/USDT:USDT')])]),
    ],
    over.alerts ?? 0,
  );
}

function setup() {
  const metrics = createMetrics();
  const activity = new CoinActivity({ silentAfterMs: 60_000 });
  const pipelines = { 'binance:spot': pipelineStats(), 'okx:futures': pipelineStats() };
  const scrape = async (t: ActorNode, now: number, p: typeof pipelines = pipelines) => parseExposition(await metrics.scrape(t, p, activity, now));
  return { metrics, activity, pipelines, scrape };
}

describe('metrics registry', () => {
  test('exposes the per-coin table: state code, last receive time, subscribe requests and failures, mean receive interval', async () => {
    const { activity, scrape } = setup();
    activity.record('binance', 'spot', [{ symbol: 'BTC/USDT' }], T0 - 2_000);
    activity.record('binance', 'spot', [{ symbol: 'BTC/USDT' }], T0 - 1_500);
    activity.record('binance', 'spot', [{ symbol: 'BTC/USDT' }], T0 - 500);
    const e = await scrape(tree(), T0);
    assert.equal(e.samples.get(series('tickvisor_coin_state', BTC)), COIN_STATE_CODES.Subscribed);
    assert.equal(e.samples.get(series('tickvisor_coin_state', ETH)), COIN_STATE_CODES.Requested);
    assert.equal(e.samples.get(series('tickvisor_coin_state', SWAP)), COIN_STATE_CODES.Subscribed, 'a symbol with a colon keeps it');
    assert.equal(e.samples.get(series('tickvisor_coin_group', { exchange: 'binance', market: 'spot', symbol: 'SOL/USDT' })), 1);
    assert.equal(e.samples.get(series('tickvisor_coin_last_receive_timestamp_seconds', BTC)), (T0 - 500) / 1000);
    assert.equal(e.samples.get(series('tickvisor_coin_mean_receive_interval_seconds', BTC)), 0.75);
    assert.equal(e.samples.get(series('tickvisor_coin_subscribe_requests_total', BTC)), 2);
    assert.equal(e.samples.get(series('tickvisor_coin_subscribe_failures_total', BTC)), 1);
    assert.equal(e.samples.get(series('tickvisor_coin_records_received_total', BTC)), 3);
    assert.equal(e.samples.get(series('tickvisor_coin_last_receive_timestamp_seconds', ETH)), undefined, 'no record yet: no timestamp');
    assert.match(e.help.get('tickvisor_coin_state') ?? '', /0=Ready, 1=Requested, 2=Subscribed, 3=Stopped/);
    assert.equal(e.type.get('tickvisor_coin_subscribe_requests_total'), 'counter');
  });

  test('exposes the per-connector table: state, connection / subscription / recovery success ratios, active coins', async () => {
    const { scrape } = setup();
    const e = await scrape(tree(), T0);
    const G1 = { ...G0, group: '1' };
    assert.equal(e.samples.get(series('tickvisor_connector_state', G0)), CONNECTOR_STATE_CODES.Connected);
    assert.equal(e.samples.get(series('tickvisor_connector_state', G1)), CONNECTOR_STATE_CODES.Recovering);
    assert.match(e.help.get('tickvisor_connector_state') ?? '', /3=SubscriptionRequesting, 4=Failed, 5=Recovering/);
    assert.equal(e.samples.get(series('tickvisor_connector_connection_success_ratio', G1)), 0.25);
    assert.equal(e.samples.get(series('tickvisor_connector_subscription_success_ratio', G0)), 0.75);
    assert.equal(e.samples.get(series('tickvisor_connector_recovery_success_ratio', G1)), 0.5);
    assert.equal(e.samples.get(series('tickvisor_connector_recovery_success_ratio', G0)), undefined, 'no recovery attempted: no ratio, never NaN');
    assert.equal(e.samples.get(series('tickvisor_connector_active_coins', G0)), 1);
    assert.equal(e.samples.get(series('tickvisor_connector_coins', G0)), 2);
    assert.equal(e.samples.get(series('tickvisor_connector_connection_attempts_total', G1)), 4);
    assert.equal(e.samples.get(series('tickvisor_connector_subscription_failures_total', G0)), 1);
    assert.equal(e.samples.get(series('tickvisor_connector_frames_received_total', G0)), 10);
    for (const [k, v] of e.samples) if (k.startsWith('tickvisor_')) assert.ok(!Number.isNaN(v), `${k} is NaN`);
  });

  test('exposes the per-collector table: state, records/s from committed deltas, errors, buffer and pressure, rejected by reason', async () => {
    const { scrape, pipelines } = setup();
    await scrape(tree(), T0, { ...pipelines, 'binance:spot': pipelineStats({ committed: 1_000 }) });
    const e = await scrape(tree(), T0 + 2_000, {
      ...pipelines,
      'binance:spot': pipelineStats({ committed: 5_000, buffered: 120, inFlight: 40, pressure: true, batches: 7, rejected: { schema: 0, price: 2, amount: 0, timestamp: 3, symbol: 0 }, rejectedTotal: 5 }),
    });
    assert.equal(e.samples.get(series('tickvisor_collector_state', BINANCE)), 1);
    assert.match(e.help.get('tickvisor_collector_state') ?? '', /0=Ready, 1=Running, 2=Stopped/);
    assert.equal(e.samples.get(series('tickvisor_collector_records_per_second', BINANCE)), 2_000);
    assert.equal(e.samples.get(series('tickvisor_collector_records_committed_total', BINANCE)), 5_000);
    assert.equal(e.samples.get(series('tickvisor_collector_buffered_records', BINANCE)), 120);
    assert.equal(e.samples.get(series('tickvisor_collector_in_flight_records', BINANCE)), 40);
    assert.equal(e.samples.get(series('tickvisor_collector_pressure', BINANCE)), 1);
    assert.equal(e.samples.get(series('tickvisor_collector_records_rejected_total', { ...BINANCE, reason: 'timestamp' })), 3);
    assert.equal(e.samples.get(series('tickvisor_collector_records_rejected_total', { ...BINANCE, reason: 'price' })), 2);
    assert.equal(e.samples.get(series('tickvisor_collector_errors_total', BINANCE)), 2);
    assert.equal(e.samples.get(series('tickvisor_collector_restarts_total', BINANCE)), 1);
    assert.equal(e.samples.get(series('tickvisor_collector_gaps_detected_total', BINANCE)), 9);
    assert.equal(e.samples.get(series('tickvisor_collector_gaps_merged_total', BINANCE)), 3);
    assert.equal(e.samples.get(series('tickvisor_collector_gaps_filled_total', BINANCE)), 5);
    assert.equal(e.samples.get(series('tickvisor_collector_gaps_unfilled_total', BINANCE)), 1);
    assert.equal(e.samples.get(series('tickvisor_collector_backfilled_trades_total', BINANCE)), 420);
    assert.equal(e.samples.get(series('tickvisor_collector_backfill_failures_total', BINANCE)), 2);
    assert.equal(e.samples.get(series('tickvisor_collector_active_coins', BINANCE)), 1);
    assert.equal(e.samples.get(series('tickvisor_collector_connectors', BINANCE)), 2);
    assert.equal(e.samples.get('tickvisor_manager_records_per_second'), 2_000);
    assert.equal(e.samples.get('tickvisor_manager_collectors_running'), 2);
    assert.equal(e.samples.get('tickvisor_manager_state'), 0);
  });

  test('includes process CPU and memory from prom-client default metrics', async () => {
    const { scrape } = setup();
    const e = await scrape(tree(), T0);
    assert.ok(e.samples.has('process_cpu_seconds_total'));
    assert.ok(e.samples.has('process_resident_memory_bytes'));
    assert.ok(seriesOf(e, 'nodejs_heap_size_used_bytes').length > 0);
  });

  test('keeps counters monotonic when a connector is restarted as a fresh actor', async () => {
    const { scrape } = setup();
    let e = await scrape(tree({ g0: { connectionAttempts: 5, connectionSuccesses: 5 } }), T0);
    assert.equal(e.samples.get(series('tickvisor_connector_connection_attempts_total', G0)), 5);

    // the connector crashed; its collector is waiting out the backoff: no actor, a synthesized node
    const down = tree();
    const coll = down.children[0]!;
    coll.children[0] = connector('binance', 'spot', 0, 'Failed', { restartAttempts: 0, restartSuccesses: 0 }, [], 'Failed.Restarting');
    e = await scrape(down, T0 + 1_000);
    assert.equal(e.samples.get(series('tickvisor_connector_connection_attempts_total', G0)), 5, 'the total stays while no actor exists');
    assert.equal(e.samples.get(series('tickvisor_connector_state', G0)), CONNECTOR_STATE_CODES.Failed);
    assert.equal(e.samples.get(series('tickvisor_coin_subscribe_requests_total', BTC)), 2, 'its coins keep their counters');
    assert.equal(e.samples.get(series('tickvisor_coin_state', BTC)), undefined, 'but no state: no actor holds one');

    // restarted: counts from 0 again, already at 7 when we look; the restart count says it is new
    e = await scrape(tree({ g0: { connectionAttempts: 7, connectionSuccesses: 6, restartAttempts: 1 } }), T0 + 2_000);
    assert.equal(e.samples.get(series('tickvisor_connector_connection_attempts_total', G0)), 12);
    assert.equal(e.samples.get(series('tickvisor_connector_connection_success_ratio', G0)), 11 / 12);
    assert.equal(e.samples.get(series('tickvisor_connector_restarts_total', G0)), 1);
    assert.equal(e.samples.get(series('tickvisor_coin_subscribe_requests_total', BTC)), 4, "the coin's fresh count is added");

    // respawned without a restart count (a regroup): the drop tells
    e = await scrape(tree({ g0: { connectionAttempts: 2, restartAttempts: 1 } }), T0 + 3_000);
    assert.equal(e.samples.get(series('tickvisor_connector_connection_attempts_total', G0)), 14);
  });

  test('keeps collector counters monotonic when the manager restarts a collector', async () => {
    const { scrape } = setup();
    await scrape(tree(), T0);
    const t = tree();
    t.children[0] = collector('binance', 'spot', 'Running', [connector('binance', 'spot', 0, 'Connected', connectorCounters({ connectionAttempts: 1 }), [])], { errors: 1, restartAttempts: 2 });
    const e = await scrape(t, T0 + 1_000);
    assert.equal(e.samples.get(series('tickvisor_collector_errors_total', BINANCE)), 3);
    assert.equal(e.samples.get(series('tickvisor_connector_connection_attempts_total', G0)), 2, "a fresh collector's connectors are fresh too");
  });

  test('removes the series of coins and connectors that left the tree, and stops watching those coins', async () => {
    const { scrape, activity } = setup();
    let e = await scrape(tree(), T0);
    assert.ok(seriesOf(e, 'tickvisor_coin_state').some((k) => k.includes('ETH/USDT')));
    const t = tree({ coins0: [coin('binance', 'spot', 'BTC/USDT', 'Subscribed', 2, 1)] });
    t.children[0]!.children.pop(); // group 1 is gone (regrouped away)
    e = await scrape(t, T0 + 1_000);
    for (const [k] of e.samples) {
      assert.ok(!k.includes('ETH/USDT') && !k.includes('SOL/USDT'), `${k} should be gone`);
      assert.ok(!(k.startsWith('tickvisor_connector_') && k.includes('group="1"')), `${k} should be gone`);
    }
    assert.equal(activity.get('binance', 'spot', 'ETH/USDT'), undefined);
    assert.deepEqual(activity.silentFor(T0 + 3_600_000).map((s) => s.symbol).sort(), ['BTC/USDT', 'BTC/USDT:USDT']);
    // a coin that comes back starts a new series from its own count
    e = await scrape(tree(), T0 + 2_000);
    assert.equal(e.samples.get(series('tickvisor_coin_subscribe_requests_total', ETH)), 1);
  });

  test('watches every coin of the tree, so a subscription that never delivers counts as silent', async () => {
    const { scrape } = setup();
    await scrape(tree(), T0);
    const e = await scrape(tree(), T0 + 61_000);
    assert.equal(e.samples.get('tickvisor_manager_silent_coins'), 4);
  });

  test('counts alerts on the manager monotonically', async () => {
    const { scrape } = setup();
    await scrape(tree({ alerts: 1 }), T0);
    const e = await scrape(tree({ alerts: 3 }), T0 + 1);
    assert.equal(e.samples.get('tickvisor_manager_alerts_total'), 3);
  });

  test('uses only bounded labels', async () => {
    const { scrape } = setup();
    const e = await scrape(tree(), T0);
    const allowed = new Set(['exchange', 'market', 'symbol', 'group', 'reason']);
    for (const k of e.samples.keys()) {
      if (!k.startsWith('tickvisor_')) continue;
      for (const m of k.matchAll(/(\w+)="/g)) assert.ok(allowed.has(m[1]!), `${k}: label ${m[1]}`);
    }
  });

  const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  const skip = promtool.error ? 'promtool not on PATH (Debian package `prometheus`): exposition lint skipped' : false;
  test('promtool check metrics accepts the exposition', { skip }, async () => {
    const { metrics, activity, pipelines } = setup();
    activity.record('binance', 'spot', [{ symbol: 'BTC/USDT' }, { symbol: 'BTC/USDT' }], T0);
    const text = await metrics.scrape(tree(), pipelines, activity, T0);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, `promtool: ${r.stdout}${r.stderr}`);
  });

  test('a manager-only tree (nothing started yet) scrapes without error', async () => {
    const { scrape } = setup();
    const e = await scrape(node('manager', 'Managing', { alerts: 0 }), T0, {} as never);
    assert.equal(e.samples.get('tickvisor_manager_collectors'), 0);
  });
});
