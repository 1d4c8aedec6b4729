/**
 * Per-symbol refusals and late acks, on the Connector with a fake exchange and simulated time.
 * Issue 10 rows 1 and 10: one refused symbol must not take its batch siblings down, and an ack that
 * comes after our subscribe timeout must confirm the coin without a second SUBSCRIBE.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createActor, SimulatedClock, type AnyActorRef } from 'xstate';
import { connectorMachine, type ConnectionCommand, type ConnectorPolicy } from '../../machines/connector.js';
import { FakeNetwork, type FakeConnection } from '../support/fake-network.js';
import { advance, TEST_CONNECTOR_POLICY } from '../support/tree.js';
import { stateText } from '../../machines/selectors.js';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT', 'ADA/USDT'];

function start(policy: Partial<ConnectorPolicy> = {}) {
  const net = new FakeNetwork();
  const clock = new SimulatedClock();
  const actor: AnyActorRef = createActor(connectorMachine.provide({ actors: { connection: net.logic } }), {
    clock,
    input: {
      exchange: 'binance',
      market: 'spot',
      groupIndex: 0,
      symbols: SYMBOLS,
      channels: ['trade'],
      policy: {
        ...TEST_CONNECTOR_POLICY,
        refusedRetry: { minDelayMs: 2_000, maxDelayMs: 8_000, factor: 2, jitter: 0 },
        ...policy,
      },
      seed: 3,
    },
  });
  actor.start();
  return { actor, clock, net };
}

function coins(actor: AnyActorRef): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, child] of Object.entries(actor.getSnapshot().children as Record<string, AnyActorRef | undefined>)) {
    if (id.startsWith('coin:')) out[id.split(':').pop()!] = stateText(child?.getSnapshot().value).state;
  }
  return out;
}

function coinContext(actor: AnyActorRef, symbol: string): Record<string, unknown> {
  return (actor.getSnapshot().children as Record<string, AnyActorRef>)[`coin:binance:spot:${symbol}`]!.getSnapshot().context;
}

const subscribes = (conn: FakeConnection) => conn.commands.filter((c): c is Extract<ConnectionCommand, { type: 'SUBSCRIBE' }> => c.type === 'SUBSCRIBE');

/** The exchange refuses, as a whole, every request that holds one of `bad`. */
function refuseWholeRequest(net: FakeNetwork, bad: () => string[], names: boolean) {
  net.behaviour.onSubscribe = (conn, symbols) => {
    const culprits = symbols.filter((s) => bad().includes(s));
    queueMicrotask(() => {
      if (culprits.length === 0) conn.emit({ type: 'SUBSCRIBE.ACK', symbols });
      else if (names) conn.emit({ type: 'SUBSCRIBE.REJECT', symbols, reason: `Invalid symbol :[publicTrade.${culprits[0]}]`, named: [culprits[0]!] });
      else conn.emit({ type: 'SUBSCRIBE.REJECT', symbols, reason: 'code 2: Invalid request' });
    });
    return 'ignore';
  };
}

describe('connector: refusals pinned per symbol', () => {
  for (const [venue, names] of [
    ['Binance (one error for the whole request, naming nothing)', false],
    ['Bybit (the whole request refused, naming the bad topic)', true],
  ] as const) {
    test(`${venue}: siblings Subscribed, the refused one Stopped after the limit, retried with backoff and healed`, async () => {
      const t = start();
      let bad = ['SOL/USDT'];
      refuseWholeRequest(t.net, () => bad, names);
      t.actor.send({ type: 'START' });
      await advance(t, 100, { step: 10 });
      const { 'SOL/USDT': sol, ...others } = coins(t.actor);
      assert.deepEqual(Object.values(others), ['Subscribed', 'Subscribed', 'Subscribed', 'Subscribed'], 'siblings subscribe at once');
      assert.equal(sol, 'Ready', 'the refused one waits for its retry');

      await advance(t, 1_500, { step: 50 });
      assert.equal(coins(t.actor)['SOL/USDT'], 'Stopped', `after ${TEST_CONNECTOR_POLICY.maxSubscribeFailures} refusals`);
      const c = t.actor.getSnapshot().context;
      assert.equal(c.subscriptionFailures, TEST_CONNECTOR_POLICY.maxSubscribeFailures, 'only the refused symbol was counted');
      assert.equal(c.coins['SOL/USDT'].phase, 'refused');
      assert.equal(coinContext(t.actor, 'SOL/USDT').refusedReason, names ? 'Invalid symbol :[publicTrade.SOL/USDT]' : 'code 2: Invalid request');
      assert.equal(Object.values(coins(t.actor)).filter((s) => s === 'Subscribed').length, 4);

      // still refused at the first backoff retry (2 s): parked again, for longer (4 s)
      const asked = () => subscribes(t.net.last()).filter((s) => s.symbols.includes('SOL/USDT')).length;
      const before = asked();
      await advance(t, 2_500, { step: 50 });
      assert.equal(asked(), before + 1, 'one retry after the backoff');
      assert.equal(coins(t.actor)['SOL/USDT'], 'Stopped');
      // the exchange accepts it again: the next retry heals it, no listing refresh needed
      bad = [];
      await advance(t, 4_500, { step: 50 });
      assert.equal(asked(), before + 2);
      assert.equal(coins(t.actor)['SOL/USDT'], 'Subscribed');
      assert.equal(t.actor.getSnapshot().context.coins['SOL/USDT'].failuresInRow, 0);
      assert.equal(t.net.connections.length, 1, 'refusals never cost the socket');
      t.actor.stop();
    });
  }

  test('bisection: nothing named, the refused batch is split until the bad symbol stands alone', async () => {
    const t = start();
    refuseWholeRequest(t.net, () => ['XRP/USDT'], false);
    t.actor.send({ type: 'START' });
    await advance(t, 50, { step: 10 });
    const sent = subscribes(t.net.last()).map((s) => s.symbols);
    assert.deepEqual(sent, [
      SYMBOLS,
      ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'],
      ['XRP/USDT', 'ADA/USDT'],
      ['XRP/USDT'],
      ['ADA/USDT'],
    ]);
    assert.equal(t.actor.getSnapshot().context.coins['XRP/USDT'].failuresInRow, 1);
    assert.equal(t.actor.getSnapshot().context.coins['ADA/USDT'].failuresInRow, 0);
    t.actor.stop();
  });
});

describe('connector: a late ack (row 10)', () => {
  test('an ack after the subscribe timeout confirms the coin; no second SUBSCRIBE follows', async () => {
    const t = start({ subscribeTimeoutMs: 1_000, subscribeRetryMs: 2_000 });
    let pending: { conn: FakeConnection; symbols: string[] } | undefined;
    t.net.behaviour.onSubscribe = (conn, symbols) => {
      pending = { conn, symbols };
      return 'ignore';
    };
    t.actor.send({ type: 'START' });
    await advance(t, 1_200, { step: 50 });
    assert.deepEqual(Object.values(coins(t.actor)), ['Ready', 'Ready', 'Ready', 'Ready', 'Ready'], 'timed out, waiting for the retry');
    pending!.conn.emit({ type: 'SUBSCRIBE.ACK', symbols: pending!.symbols });
    await advance(t, 5_000, { step: 50 });
    assert.deepEqual(Object.values(coins(t.actor)), ['Subscribed', 'Subscribed', 'Subscribed', 'Subscribed', 'Subscribed']);
    assert.equal(subscribes(t.net.last()).length, 1, 'one SUBSCRIBE only');
    assert.equal(t.actor.getSnapshot().context.subscriptionSuccesses, SYMBOLS.length);
    t.actor.stop();
  });

  test('a late ack even revives a coin stopped by timeouts', async () => {
    const t = start({ subscribeTimeoutMs: 1_000, maxSubscribeFailures: 1 });
    let pending: { conn: FakeConnection; symbols: string[] } | undefined;
    t.net.behaviour.onSubscribe = (conn, symbols) => {
      pending = { conn, symbols };
      return 'ignore';
    };
    t.actor.send({ type: 'START' });
    await advance(t, 1_200, { step: 50 });
    assert.equal(coins(t.actor)['BTC/USDT'], 'Stopped');
    pending!.conn.emit({ type: 'SUBSCRIBE.ACK', symbols: ['BTC/USDT'] });
    await advance(t, 100, { step: 50 });
    assert.equal(coins(t.actor)['BTC/USDT'], 'Subscribed');
    assert.equal(t.actor.getSnapshot().context.coins['BTC/USDT'].phase, 'subscribed');
    t.actor.stop();
  });
});
