import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createActor, fromCallback, SimulatedClock, type AnyActorRef } from 'xstate';
import { connectorMachine, type ConnectionCommand, type ConnectionInput, type ConnectorPolicy } from '../../machines/connector.js';
import { FakeNetwork } from '../support/fake-network.js';
import { advance, pendingTimers, TEST_CONNECTOR_POLICY } from '../support/tree.js';
import { stateText } from '../../machines/selectors.js';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];

function start(options: { policy?: Partial<ConnectorPolicy>; net?: FakeNetwork; connection?: typeof FakeNetwork.prototype.logic; channels?: Array<'trade' | 'ticker' | 'book'> } = {}) {
  const net = options.net ?? new FakeNetwork();
  const clock = new SimulatedClock();
  const machine = connectorMachine.provide({ actors: { connection: options.connection ?? net.logic } });
  // every microstep, so transient states (Failed → Recovering in one step) are seen too
  const record = (value: unknown) => {
    const v = typeof value === 'string' ? value : JSON.stringify(value);
    if (states[states.length - 1] !== v) states.push(v);
  };
  const actor: AnyActorRef = createActor(machine, {
    clock,
    inspect: (ev) => {
      if (ev.type === '@xstate.microstep' && ev.actorRef === actor) record((ev.snapshot as unknown as { value: unknown }).value);
      if (ev.type === '@xstate.snapshot' && ev.actorRef === actor) record((ev.snapshot as unknown as { value: unknown }).value);
    },
    input: {
      exchange: 'binance',
      market: 'spot',
      groupIndex: 0,
      symbols: SYMBOLS,
      channels: options.channels ?? ['trade', 'ticker'],
      policy: { ...TEST_CONNECTOR_POLICY, ...options.policy },
      seed: 3,
    },
  });
  const states: string[] = [];
  actor.start();
  return { actor, clock, net, states };
}

function coinStates(actor: AnyActorRef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, child] of Object.entries(actor.getSnapshot().children as Record<string, AnyActorRef | undefined>)) {
    if (id.startsWith('coin:')) out[id.split(':').pop()!] = stateText(child?.getSnapshot().value).state;
  }
  return out;
}

describe('connector machine', () => {
  test('connects, requests every coin, and settles in Connected with all coins Subscribed', async () => {
    const t = start();
    assert.equal(t.actor.getSnapshot().value, 'Ready');
    t.actor.send({ type: 'START' });
    await advance(t, 10);
    assert.deepEqual(t.states, ['Ready', 'Connecting', 'Connected', 'SubscriptionRequesting', 'Connected']);
    assert.deepEqual(coinStates(t.actor), { 'BTC/USDT': 'Subscribed', 'ETH/USDT': 'Subscribed', 'SOL/USDT': 'Subscribed' });
    assert.deepEqual(t.net.last().subscribedSymbols(), SYMBOLS);
    const c = t.actor.getSnapshot().context;
    assert.equal(c.connectionAttempts, 1);
    assert.equal(c.connectionSuccesses, 1);
    assert.equal(c.subscriptionAttempts, 3);
    assert.equal(c.subscriptionSuccesses, 3);
    t.actor.stop();
  });

  test('connection refused: Failed → Recovering → Connecting with growing backoff, then gives up', async () => {
    const t = start();
    const attempts: number[] = [];
    t.net.behaviour.onConnect = () => {
      attempts.push(t.clock.now());
      return 'refuse';
    };
    t.actor.send({ type: 'START' });
    await advance(t, 5_000, { step: 10 });
    assert.deepEqual(t.states.slice(0, 5), ['Ready', 'Connecting', '{"Failed":"Deciding"}', 'Recovering', 'Connecting']);
    assert.deepEqual(t.actor.getSnapshot().value, { Failed: 'GaveUp' });
    // 3 attempts (maxConsecutiveFailures), delays 100 then 200 ms (jitter 0)
    assert.equal(attempts.length, 3);
    assert.equal(attempts[1]! - attempts[0]!, 100);
    assert.equal(attempts[2]! - attempts[1]!, 200);
    const c = t.actor.getSnapshot().context;
    assert.equal(c.connectionAttempts, 3);
    assert.equal(c.connectionSuccesses, 0);
    assert.equal(c.recoveryAttempts, 2);
    assert.match(c.lastError ?? '', /ECONNREFUSED/);
    assert.equal(t.net.openConnections().length, 0, 'a refused socket is not left open');
    t.actor.stop();
  });

  test('a connect that never answers times out into Failed', async () => {
    const t = start();
    t.net.behaviour.onConnect = () => 'hang';
    t.actor.send({ type: 'START' });
    await advance(t, 1_000, { step: 100 });
    assert.ok(t.states.some((s) => s.includes('Failed')));
    assert.match(t.actor.getSnapshot().context.lastError ?? '', /connect timed out/);
    t.actor.stop();
  });

  test('socket closed during subscription: recovers and resubscribes every coin on the new socket', async () => {
    const t = start();
    t.net.behaviour.onSubscribe = () => 'ignore';
    t.actor.send({ type: 'START' });
    await advance(t, 10);
    assert.equal(t.actor.getSnapshot().value, 'SubscriptionRequesting');
    const first = t.net.last();
    t.net.behaviour.onSubscribe = () => 'ack';
    first.drop('1006 abnormal closure');
    await advance(t, 500, { step: 10 });
    assert.equal(t.actor.getSnapshot().value, 'Connected');
    assert.equal(t.net.connections.length, 2);
    assert.equal(first.open, false, 'the old socket actor is stopped');
    assert.deepEqual(t.net.last().subscribedSymbols(), SYMBOLS);
    assert.deepEqual(Object.values(coinStates(t.actor)), ['Subscribed', 'Subscribed', 'Subscribed']);
    const c = t.actor.getSnapshot().context;
    assert.equal(c.recoveryAttempts, 1);
    assert.equal(c.recoverySuccesses, 1);
    t.actor.stop();
  });

  test('a rejected subscription is counted, retried later, and a coin refused too often stops', async () => {
    const t = start();
    t.net.behaviour.onSubscribe = (_c, symbols) => (symbols.includes('SOL/USDT') && symbols.length === 1 ? 'reject' : 'ack');
    // first request carries all three: reject SOL only by answering per symbol
    t.net.behaviour.onSubscribe = (conn, symbols) => {
      const bad = symbols.filter((s) => s === 'SOL/USDT');
      const good = symbols.filter((s) => s !== 'SOL/USDT');
      queueMicrotask(() => {
        if (good.length) conn.emit({ type: 'SUBSCRIBE.ACK', symbols: good });
        if (bad.length) conn.emit({ type: 'SUBSCRIBE.REJECT', symbols: bad, reason: 'Invalid symbol' });
      });
      return 'ignore';
    };
    t.actor.send({ type: 'START' });
    await advance(t, 10);
    assert.equal(t.actor.getSnapshot().value, 'Connected');
    assert.deepEqual(coinStates(t.actor), { 'BTC/USDT': 'Subscribed', 'ETH/USDT': 'Subscribed', 'SOL/USDT': 'Ready' });
    await advance(t, 2_000, { step: 50 });
    assert.equal(coinStates(t.actor)['SOL/USDT'], 'Stopped');
    const c = t.actor.getSnapshot().context;
    assert.equal(c.subscriptionFailures, 3, 'three refusals (maxSubscribeFailures) then no more requests');
    assert.equal(c.subscriptionSuccesses, 2);
    const solRequests = t.net.last().commands.filter((cmd) => cmd.type === 'SUBSCRIBE' && cmd.symbols.includes('SOL/USDT'));
    assert.equal(solRequests.length, 3);
    assert.equal(t.actor.getSnapshot().value, 'Connected', 'the other coins keep flowing');
    t.actor.stop();
  });

  test('a subscription without any answer times out and counts as refused', async () => {
    const t = start({ policy: { maxSubscribeFailures: 1 } });
    t.net.behaviour.onSubscribe = () => 'ignore';
    t.actor.send({ type: 'START' });
    await advance(t, 1_100, { step: 50 });
    assert.equal(t.actor.getSnapshot().value, 'Connected');
    assert.deepEqual(Object.values(coinStates(t.actor)), ['Stopped', 'Stopped', 'Stopped']);
    assert.equal(t.actor.getSnapshot().context.subscriptionFailures, 3);
    assert.match(t.actor.getSnapshot().context.lastError ?? '', /no answer within 1000 ms/);
    t.actor.stop();
  });

  test('a feed silent past its deadline fails the connection; activity keeps it alive', async () => {
    // the keep-alive watchdog alone (the data-stall detector has its own tests)
    const t = start({ policy: { stall: { ...TEST_CONNECTOR_POLICY.stall, checkEveryMs: 0 } } });
    t.actor.send({ type: 'START' });
    await advance(t, 20_000, { step: 500 });
    assert.equal(t.actor.getSnapshot().value, 'Connected', 'activity every 500 ms keeps the watchdog quiet');
    await advance(t, 5_000, { step: 500, pulse: () => false });
    assert.ok(t.states.some((s) => s.includes('Failed')));
    assert.match(t.actor.getSnapshot().context.lastError ?? '', /feed silent for 5000 ms/);
    t.actor.stop();
  });

  test('client keep-alive: PING every interval; pongs alone keep a quiet feed alive', async () => {
    const t = start({ policy: { pingIntervalMs: 1_000 } });
    t.actor.send({ type: 'START' });
    await advance(t, 8_000, { step: 250, pulse: () => false });
    const pings = t.net.last().commands.filter((c) => c.type === 'PING').length;
    assert.equal(pings, 8);
    assert.equal(t.actor.getSnapshot().value, 'Connected');
    t.net.behaviour.pong = false;
    await advance(t, 6_000, { step: 250, pulse: () => false });
    assert.match(t.actor.getSnapshot().context.lastError ?? '', /feed silent/);
    t.actor.stop();
  });

  test('a connection actor that throws is treated as a failed connection', async () => {
    let calls = 0;
    const throwing = fromCallback<ConnectionCommand, ConnectionInput>(() => {
      calls++;
      throw new Error('boom in transport');
    });
    const t = start({ connection: throwing });
    t.actor.send({ type: 'START' });
    await advance(t, 10);
    assert.ok(t.states.some((s) => s.includes('Failed')));
    assert.match(t.actor.getSnapshot().context.lastError ?? '', /connection crashed: boom in transport/);
    assert.equal(calls, 1);
    t.actor.stop();
  });

  test('coins added while connected are subscribed alone; removed coins are unsubscribed and stopped', async () => {
    const t = start();
    t.actor.send({ type: 'START' });
    await advance(t, 10);
    t.actor.send({ type: 'COINS.ADD', symbols: ['XRP/USDT'] });
    await advance(t, 10);
    const conn = t.net.last();
    const subs = conn.commands.filter((c) => c.type === 'SUBSCRIBE');
    assert.deepEqual(subs[subs.length - 1], { type: 'SUBSCRIBE', symbols: ['XRP/USDT'] });
    assert.equal(coinStates(t.actor)['XRP/USDT'], 'Subscribed');
    t.actor.send({ type: 'COINS.REMOVE', symbols: ['ETH/USDT'] });
    assert.deepEqual(conn.commands[conn.commands.length - 1], { type: 'UNSUBSCRIBE', symbols: ['ETH/USDT'] });
    assert.equal(coinStates(t.actor)['ETH/USDT'], 'Stopped');
    assert.equal(t.net.connections.length, 1, 'membership changes never reconnect');
    t.actor.stop();
  });

  test('with books, a coin added later (a new listing) has the book sub-states as the first ones do', async () => {
    const t = start({ channels: ['trade', 'book'] });
    t.actor.send({ type: 'START' });
    await advance(t, 10);
    t.actor.send({ type: 'COINS.ADD', symbols: ['XRP/USDT'] });
    await advance(t, 10);
    const children = t.actor.getSnapshot().children as Record<string, AnyActorRef>;
    for (const symbol of ['BTC/USDT', 'XRP/USDT']) {
      const coin = children[`coin:binance:spot:${symbol}`]!.getSnapshot();
      assert.equal(coin.context.book, true, symbol);
      assert.deepEqual(coin.value, { Subscribed: 'Syncing' }, symbol);
    }
    t.actor.stop();
  });

  test('a healthy period resets the failure streak, so occasional drops never exhaust the budget', async () => {
    const t = start();
    t.actor.send({ type: 'START' });
    for (let i = 0; i < 6; i++) {
      await advance(t, 11_000, { step: 500 });
      t.net.last().drop('server maintenance');
    }
    await advance(t, 2_000, { step: 100 });
    assert.equal(t.actor.getSnapshot().value, 'Connected');
    assert.equal(t.actor.getSnapshot().context.recoverySuccesses, 6);
    t.actor.stop();
  });

  test('stop() leaves no open socket and no pending timer', async () => {
    const t = start({ policy: { pingIntervalMs: 1_000 } });
    t.actor.send({ type: 'START' });
    await advance(t, 100);
    assert.ok(pendingTimers(t.clock) > 0);
    t.actor.stop();
    assert.equal(t.net.openConnections().length, 0);
    assert.equal(pendingTimers(t.clock), 0);
  });
});
