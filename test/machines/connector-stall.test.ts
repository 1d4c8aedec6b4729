/**
 * Data stalls on the Connector, on simulated time (issue 10 rows 3 and 4): a socket that keeps
 * answering pings but sends no data must reconnect within seconds when its symbols usually trade,
 * and a connection of quiet symbols must never be taken for a stall.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createActor, SimulatedClock, type AnyActorRef } from 'xstate';
import { connectorMachine, type ConnectorContext, type ConnectorPolicy } from '../../machines/connector.js';
import { stallVerdict } from '../../machines/data-stall.js';
import { FakeNetwork, settle } from '../support/fake-network.js';
import { TEST_CONNECTOR_POLICY } from '../support/tree.js';

// like OKX: the client pings every second here (20 s there), a 40 s silence bound
const POLICY: ConnectorPolicy = { ...TEST_CONNECTOR_POLICY, pingIntervalMs: 1_000, silenceTimeoutMs: 40_000 };

function start() {
  const net = new FakeNetwork();
  const clock = new SimulatedClock();
  const actor: AnyActorRef = createActor(connectorMachine.provide({ actors: { connection: net.logic } }), {
    clock,
    input: { exchange: 'okx', market: 'spot', groupIndex: 0, symbols: ['BTC/USDT'], channels: ['trade'], policy: POLICY, seed: 1 },
  });
  actor.start();
  return { actor, clock, net };
}

/** One second at a time: `frames(second)` data frames reported, pings answered by pongs. */
async function seconds(t: ReturnType<typeof start>, n: number, frames: (second: number) => number, stopWhen?: () => boolean): Promise<number> {
  for (let s = 0; s < n; s++) {
    await settle(10);
    const f = frames(s);
    const conn = t.net.last();
    if (f > 0 && conn.opened) conn.emit({ type: 'FEED.ACTIVITY', frames: f, records: f, malformed: 0, dataFrames: f });
    for (let q = 0; q < 4; q++) {
      t.clock.increment(250);
      await settle(10);
    }
    if (stopWhen?.()) return s + 1;
  }
  return n;
}

const context = (actor: AnyActorRef) => actor.getSnapshot().context as ConnectorContext;

describe('connector: data stalls', () => {
  test('5 frames/s, then pongs but no data: reconnects within a few seconds, not after the 40 s timeout', async () => {
    const t = start();
    t.actor.send({ type: 'START' });
    await seconds(t, 30, () => 5);
    assert.equal(t.actor.getSnapshot().value, 'Connected');
    const pingsBefore = t.net.last().commands.filter((c) => c.type === 'PING').length;
    const took = await seconds(t, 40, () => 0, () => t.net.connections.length > 1);
    assert.ok(t.net.connections[0]!.commands.filter((c) => c.type === 'PING').length > pingsBefore, 'pongs kept coming during the stall');
    assert.equal(t.net.connections.length, 2, 'the connector reconnected');
    assert.ok(took <= 6, `noticed after ${took} s`);
    assert.equal(context(t.actor).dataStalls, 1);
    assert.match(context(t.actor).lastError ?? '', /data stalled: no data for \d+ ms/);
    // the new socket resubscribes (that re-subscription is what opens the backfill window)
    await seconds(t, 2, () => 5);
    assert.deepEqual(t.net.last().subscribedSymbols(), ['BTC/USDT']);
    assert.equal(t.actor.getSnapshot().value, 'Connected');
    t.actor.stop();
  });

  test('quiet symbols (one frame every 15 s) with pongs: the verdict is "quiet", never a stall', async () => {
    const t = start();
    t.actor.send({ type: 'START' });
    await seconds(t, 300, (s) => (s % 15 === 0 ? 1 : 0));
    // a longer pause than ever seen so far, still only quiet
    await seconds(t, 39, () => 0);
    const c = context(t.actor);
    const verdict = stallVerdict(c.feedRate, c.policy.stall, c.policy.silenceTimeoutMs);
    assert.equal(verdict.stalled, false);
    assert.equal(verdict.why, 'quiet');
    assert.equal(t.net.connections.length, 1, 'never reconnected');
    assert.equal(c.dataStalls, 0);
    t.actor.stop();
  });

  test('data flowing at any steady rate never fires: the verdict is "flowing"', async () => {
    const t = start();
    t.actor.send({ type: 'START' });
    await seconds(t, 120, (s) => [1, 3, 40][Math.floor(s / 40)]!);
    const c = context(t.actor);
    const verdict = stallVerdict(c.feedRate, c.policy.stall, c.policy.silenceTimeoutMs);
    assert.equal(verdict.stalled ? 'stalled' : verdict.why, 'flowing');
    assert.equal(t.net.connections.length, 1);
    t.actor.stop();
  });

  test('silence while we stopped reading (store backpressure) is not a stall', async () => {
    const t = start();
    t.actor.send({ type: 'START' });
    await seconds(t, 30, () => 5);
    t.net.last().emit({ type: 'FEED.PAUSED', paused: true });
    await seconds(t, 30, () => 0);
    assert.equal(t.net.connections.length, 1, 'no reconnect while paused');
    assert.equal(context(t.actor).dataStalls, 0);
    // reading again and data flows: still fine; if it stays silent, that is a stall again
    t.net.last().emit({ type: 'FEED.PAUSED', paused: false });
    await seconds(t, 10, () => 5);
    assert.equal(context(t.actor).dataStalls, 0);
    await seconds(t, 8, () => 0, () => t.net.connections.length > 1);
    assert.equal(context(t.actor).dataStalls, 1);
    t.actor.stop();
  });
});
