import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createActor, SimulatedClock, type AnyActorRef } from 'xstate';
import { backoffDelay, decideOnFailure, newChildRecord } from '../../machines/supervision.js';
import { FakeNetwork } from '../support/fake-network.js';
import { advance, collectorInput, pendingTimers, provideTree, TEST_RESTART } from '../support/tree.js';
import type { RecoveryFailedAlert } from '../../machines/manager.js';

describe('backoff and restart intensity (pure)', () => {
  const policy = { minDelayMs: 100, maxDelayMs: 1_000, factor: 2, jitter: 0.5 };

  test('delays grow by the factor and stop at the cap', () => {
    const delays = [0, 1, 2, 3, 4, 5].map((n) => backoffDelay({ ...policy, jitter: 0 }, n, 0.9));
    assert.deepEqual(delays, [100, 200, 400, 800, 1_000, 1_000]);
  });

  test('jitter adds at most its fraction', () => {
    assert.equal(backoffDelay(policy, 0, 0), 100);
    assert.equal(backoffDelay(policy, 0, 0.999), 150);
    assert.equal(backoffDelay(policy, 10, 0.5), 1_250);
  });

  test('restarts until the intensity is reached, then escalates', () => {
    let record = newChildRecord('connector:x:spot:0');
    let seed = 1;
    const kinds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const d = decideOnFailure(record, TEST_RESTART, 'boom', seed);
      kinds.push(d.kind);
      record = d.record;
      seed = d.seed;
    }
    assert.deepEqual(kinds, ['restart', 'restart', 'restart', 'escalate']);
    assert.equal(record.parked, true);
    assert.equal(record.escalations, 1);
  });
});

describe('supervision tree (simulated clock)', () => {
  function tree() {
    const net = new FakeNetwork();
    const clock = new SimulatedClock();
    const { manager } = provideTree(net);
    const created: Array<{ at: number; id: string }> = [];
    const actor: AnyActorRef = createActor(manager, {
      clock,
      input: {
        collectors: [collectorInput('binance', 'spot'), collectorInput('upbit', 'spot'), collectorInput('okx', 'futures')],
        restart: TEST_RESTART,
        seed: 1,
      },
      inspect: (ev) => {
        if (ev.type === '@xstate.actor') created.push({ at: clock.now(), id: (ev.actorRef as AnyActorRef).id });
      },
    });
    const alerts: RecoveryFailedAlert[] = [];
    actor.on('alert', (e: { alert: RecoveryFailedAlert }) => alerts.push(e.alert));
    return { net, clock, actor, created, alerts };
  }

  test('a connector whose transport keeps failing is restarted with growing delays, then escalated once', async () => {
    const t = tree();
    const failing = (c: { input: { exchange: string; groupIndex: number } }) => c.input.exchange === 'binance' && c.input.groupIndex === 0;
    t.net.behaviour.onConnect = (c) => (failing(c) ? 'refuse' : 'open');
    t.actor.start();
    await advance(t, 120_000, { step: 50 });

    // every creation of the failing connector: the first spawn, then one per restart
    const spawns = t.created.filter((c) => c.id === 'connector:binance:spot:0').map((c) => c.at);
    assert.equal(spawns.length, 1 + TEST_RESTART.maxRestarts, `spawned at ${spawns.join(', ')}`);
    const gaps = spawns.slice(1).map((at, i) => at - spawns[i]!);
    for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i]! > gaps[i - 1]!, `restart delays grow: ${gaps.join(', ')}`);

    assert.equal(t.alerts.length, 1, 'exactly one alert');
    const alert = t.alerts[0]!;
    assert.equal(alert.message, 'recovery failed: operator action needed');
    assert.equal(alert.actor, 'connector:binance:spot:0');
    assert.equal(alert.supervisor, 'collector:binance:spot');
    assert.equal(alert.restarts, TEST_RESTART.maxRestarts);
    assert.match(alert.lastError, /ECONNREFUSED/);

    // siblings: every other connector and every collector was created once and never again
    const counts = new Map<string, number>();
    for (const c of t.created) if (/^(collector|connector):/.test(c.id)) counts.set(c.id, (counts.get(c.id) ?? 0) + 1);
    for (const [id, n] of counts) if (id !== 'connector:binance:spot:0') assert.equal(n, 1, `${id} created ${n} times`);
    for (const id of ['collector:binance:spot', 'collector:upbit:spot', 'collector:okx:futures']) {
      assert.deepEqual(t.actor.system.get(id)?.getSnapshot().value, { Running: 'Supervising' });
    }
    assert.equal(t.actor.system.get('connector:binance:spot:1')?.getSnapshot().value, 'Connected');

    // the restart counters that feed the recovery-rate metrics
    const binance = t.actor.system.get('collector:binance:spot')!.getSnapshot().context;
    const record = binance.connectors['connector:binance:spot:0'];
    assert.equal(record.restartAttempts, TEST_RESTART.maxRestarts);
    assert.equal(record.restartSuccesses, 0);
    assert.equal(record.parked, true);
    assert.equal(t.actor.getSnapshot().context.alerts, 1);
    t.actor.stop();
  });

  test('a restart that brings the connector back counts a success and resubscribes its coins', async () => {
    const t = tree();
    let refuse = true;
    t.net.behaviour.onConnect = (c) => (c.input.exchange === 'upbit' && c.input.groupIndex === 1 && refuse ? 'refuse' : 'open');
    t.actor.start();
    await advance(t, 1_000, { step: 50 });
    refuse = false;
    await advance(t, 5_000, { step: 50 });
    const record = t.actor.system.get('collector:upbit:spot')!.getSnapshot().context.connectors['connector:upbit:spot:1'];
    assert.equal(record.restartAttempts, 1);
    assert.equal(record.restartSuccesses, 1);
    const connector = t.actor.system.get('connector:upbit:spot:1')!;
    assert.equal(connector.getSnapshot().value, 'Connected');
    const symbols = Object.keys(connector.getSnapshot().context.coins);
    assert.ok(symbols.length > 0);
    assert.deepEqual(t.net.last(1).subscribedSymbols().sort(), symbols.sort());
    assert.equal(t.alerts.length, 0);
    t.actor.stop();
  });

  test('a collector that cannot list its market is restarted by the Manager, then alerted once; the others run on', async () => {
    const net = new FakeNetwork();
    const clock = new SimulatedClock();
    const { manager } = provideTree(net, async ({ exchange }) => {
      if (exchange === 'okx') throw new Error('HTTP 503');
      return { symbols: ['BTC/USDT', 'ETH/USDT'] };
    });
    const created: string[] = [];
    const actor = createActor(manager, {
      clock,
      input: { collectors: [collectorInput('binance', 'spot'), collectorInput('okx', 'spot')], restart: TEST_RESTART, seed: 1 },
      inspect: (ev) => {
        if (ev.type === '@xstate.actor') created.push((ev.actorRef as AnyActorRef).id);
      },
    });
    const alerts: RecoveryFailedAlert[] = [];
    actor.on('alert', (e) => alerts.push(e.alert));
    actor.start();
    await advance({ net, clock }, 120_000, { step: 100 });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.actor, 'collector:okx:spot');
    assert.equal(alerts[0]!.supervisor, 'manager');
    assert.equal(created.filter((id) => id === 'collector:okx:spot').length, 1 + TEST_RESTART.maxRestarts);
    assert.equal(created.filter((id) => id === 'collector:binance:spot').length, 1);
    assert.equal(actor.getSnapshot().context.collectors['collector:okx:spot']!.parked, true);
    assert.deepEqual(actor.system.get('collector:binance:spot')?.getSnapshot().value, { Running: 'Supervising' });
    actor.stop();
  });

  test('stopping the root leaves zero open connections and zero pending timers', async () => {
    const t = tree();
    t.net.behaviour.onConnect = (c) => (c.input.groupIndex === 0 ? 'refuse' : 'open');
    t.actor.start();
    await advance(t, 3_000, { step: 50 });
    assert.ok(t.net.openConnections().length > 0);
    assert.ok(pendingTimers(t.clock) > 0);
    t.actor.stop();
    assert.equal(t.net.openConnections().length, 0);
    assert.equal(pendingTimers(t.clock), 0);
  });
});
