/**
 * One symbol's data stopping while its connection's other symbols flow (issue 10, Build item 3, per
 * symbol), on the Connector with a fake exchange and simulated time. Before this, a delisted and
 * relisted symbol stayed `Subscribed` with nothing flowing until the next listing refresh: the
 * connection was alive, so nothing looked wrong. Now the symbol's silence is judged against its own
 * usual rate and it alone is subscribed again on the same socket; a quiet symbol is left alone.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createActor, SimulatedClock, type AnyActorRef } from 'xstate';
import { connectorMachine, type ConnectionCommand, type ConnectorContext, type ConnectorPolicy } from '../../machines/connector.js';
import { stallVerdict } from '../../machines/data-stall.js';
import { FakeNetwork, settle, type FakeConnection } from '../support/fake-network.js';
import { TEST_CONNECTOR_POLICY } from '../support/tree.js';
import { stateText } from '../../machines/selectors.js';

const BTC = 'BTC/USDT';
const ETH = 'ETH/USDT';

// the default stall policy (15 s warm-up, 20 usual gaps, at least 4 s) and a 40 s silence bound
const POLICY: ConnectorPolicy = {
  ...TEST_CONNECTOR_POLICY,
  pingIntervalMs: 1_000,
  silenceTimeoutMs: 40_000,
  maxSubscribeFailures: 1,
  refusedRetry: { minDelayMs: 2_000, maxDelayMs: 8_000, factor: 2, jitter: 0 },
};

function start() {
  const net = new FakeNetwork();
  const clock = new SimulatedClock();
  const actor: AnyActorRef = createActor(connectorMachine.provide({ actors: { connection: net.logic } }), {
    clock,
    input: { exchange: 'okx', market: 'spot', groupIndex: 0, symbols: [BTC, ETH], channels: ['trade'], policy: POLICY, seed: 1 },
  });
  actor.start();
  actor.send({ type: 'START' });
  return { actor, clock, net, at: 0 };
}
type Run = ReturnType<typeof start>;

/**
 * One second at a time: the data frames of each symbol that second, reported the way the
 * connection does (once a second, per symbol, with its last frame just before the report).
 */
async function seconds(t: Run, n: number, frames: (second: number) => Record<string, number>, stopWhen?: () => boolean): Promise<number> {
  for (let s = 0; s < n; s++) {
    await settle(10);
    const perSymbol = Object.entries(frames(s)).filter(([, f]) => f > 0);
    const conn = t.net.last();
    if (perSymbol.length > 0 && conn.opened) {
      const total = perSymbol.reduce((sum, [, f]) => sum + f, 0);
      conn.emit({
        type: 'FEED.ACTIVITY',
        frames: total,
        records: total,
        malformed: 0,
        dataFrames: total,
        bySymbol: Object.fromEntries(perSymbol.map(([symbol, f]) => [symbol, { dataFrames: f, sinceLastMs: 50 }])),
      });
    }
    for (let q = 0; q < 4; q++) {
      t.clock.increment(250);
      t.at += 250;
      await settle(10);
    }
    if (stopWhen?.()) return s + 1;
  }
  return n;
}

const context = (actor: AnyActorRef) => actor.getSnapshot().context as ConnectorContext;
const coin = (actor: AnyActorRef, symbol: string) => {
  const s = (actor.getSnapshot().children as Record<string, AnyActorRef>)[`coin:okx:spot:${symbol}`]!.getSnapshot() as {
    value: unknown;
    context: { dataStalls: number; subscribeRequests: number; refusedReason?: string; lastError?: string };
  };
  // the state's name, without its sub-state (Subscribed.Streaming → Subscribed)
  return { ...s, value: stateText(s.value).state };
};
const wire = (conn: FakeConnection, symbol: string) =>
  conn.commands.filter((c): c is Exclude<ConnectionCommand, { type: 'PING' }> => c.type !== 'PING' && c.symbols.includes(symbol)).map((c) => c.type);

describe('connector: one symbol stalls while the others flow', () => {
  test('ETH stops, BTC flows: ETH alone is unsubscribed and subscribed again on the same socket within seconds', async () => {
    const t = start();
    await seconds(t, 30, () => ({ [BTC]: 5, [ETH]: 5 }));
    assert.equal(coin(t.actor, ETH).value, 'Subscribed');
    assert.deepEqual(wire(t.net.last(), ETH), ['SUBSCRIBE']);

    const took = await seconds(t, 40, () => ({ [BTC]: 5 }), () => wire(t.net.last(), ETH).length > 1);
    assert.ok(took <= 6, `noticed after ${took} s (the silence bound is 40 s)`);
    assert.equal(t.net.connections.length, 1, 'the socket is kept');
    assert.deepEqual(wire(t.net.last(), ETH), ['SUBSCRIBE', 'UNSUBSCRIBE', 'SUBSCRIBE']);
    assert.deepEqual(wire(t.net.last(), BTC), ['SUBSCRIBE'], 'BTC is left alone');
    await settle(10);
    const c = context(t.actor);
    assert.equal(c.symbolStalls, 1);
    assert.equal(c.dataStalls, 0, 'no connection stall');
    assert.match(c.lastError ?? '', /ETH\/USDT data stalled: no data for \d+ ms where [\d.]+ frames\/s are usual/);
    const eth = coin(t.actor, ETH);
    assert.equal(eth.value, 'Subscribed', 'confirmed again by the ack');
    assert.equal(eth.context.dataStalls, 1);
    assert.equal(eth.context.subscribeRequests, 2);

    // data back: nothing more happens
    await seconds(t, 60, () => ({ [BTC]: 5, [ETH]: 5 }));
    assert.deepEqual(wire(t.net.last(), ETH), ['SUBSCRIBE', 'UNSUBSCRIBE', 'SUBSCRIBE']);
    assert.equal(context(t.actor).symbolStalls, 1);
    t.actor.stop();
  });

  test('a quiet symbol (one frame every 15 s) beside a busy one is never taken for a stall', async () => {
    const t = start();
    await seconds(t, 300, (s) => ({ [BTC]: 5, [ETH]: s % 15 === 0 ? 1 : 0 }));
    // a longer pause than it ever took, still under the 40 s bound
    await seconds(t, 39, () => ({ [BTC]: 5 }));
    const c = context(t.actor);
    const verdict = stallVerdict(c.symbolRates[ETH]!, c.policy.stall, c.policy.silenceTimeoutMs);
    assert.equal(verdict.stalled ? 'stalled' : verdict.why, 'quiet');
    assert.deepEqual(wire(t.net.last(), ETH), ['SUBSCRIBE']);
    assert.equal(c.symbolStalls, 0);
    t.actor.stop();
  });

  test('delisted: the new subscription is refused, the coin stops with the reason, and comes back with backoff once relisted', async () => {
    const t = start();
    let listed = true;
    t.net.behaviour.onSubscribe = (conn, symbols) => (!listed && symbols.includes(ETH) ? 'reject' : 'ack');
    await seconds(t, 30, () => ({ [BTC]: 5, [ETH]: 5 }));

    listed = false;
    const delistedAt = t.at;
    await seconds(t, 10, () => ({ [BTC]: 5 }), () => coin(t.actor, ETH).value === 'Stopped');
    const eth = coin(t.actor, ETH);
    assert.equal(eth.value, 'Stopped');
    assert.equal(eth.context.refusedReason, 'Invalid symbol', 'the exchange’s words, for the alert');
    assert.ok(t.at - delistedAt <= 6_000, `stopped ${t.at - delistedAt} ms after the delisting`);

    // asked again after 2 s, refused, then after 4 s…
    await seconds(t, 5, () => ({ [BTC]: 5 }));
    assert.deepEqual(wire(t.net.last(), ETH), ['SUBSCRIBE', 'UNSUBSCRIBE', 'SUBSCRIBE', 'SUBSCRIBE']);
    assert.equal(coin(t.actor, ETH).value, 'Stopped');

    listed = true;
    const relistedAt = t.at;
    await seconds(t, 20, () => ({ [BTC]: 5 }), () => coin(t.actor, ETH).value === 'Subscribed');
    assert.equal(coin(t.actor, ETH).value, 'Subscribed');
    assert.ok(t.at - relistedAt <= 5_000, `back ${t.at - relistedAt} ms after the relisting`);
    assert.equal(t.net.connections.length, 1, 'all on the same socket');
    // trading again: no further stall, the streak is over
    await seconds(t, 30, () => ({ [BTC]: 5, [ETH]: 5 }));
    assert.equal(context(t.actor).symbolStalls, 1);
    assert.equal(context(t.actor).symbolRates[ETH]!.stallsInRow, 0);
    t.actor.stop();
  });

  test('everything silent at once is the connection’s stall: it reconnects, no symbol is resubscribed on its own', async () => {
    const t = start();
    await seconds(t, 30, () => ({ [BTC]: 5, [ETH]: 5 }));
    await seconds(t, 40, () => ({}), () => t.net.connections.length > 1);
    assert.equal(t.net.connections.length, 2, 'reconnected');
    assert.equal(context(t.actor).dataStalls, 1);
    assert.equal(context(t.actor).symbolStalls, 0);
    assert.deepEqual(wire(t.net.connections[0]!, ETH), ['SUBSCRIBE']);
    t.actor.stop();
  });

  test('confirmed but still silent (a trading halt): asked again less and less often, then left alone as quiet', async () => {
    const t = start();
    await seconds(t, 30, () => ({ [BTC]: 5, [ETH]: 5 }));
    const haltedAt = t.at;
    const asked: number[] = [];
    let seen = 1;
    await seconds(t, 600, () => ({ [BTC]: 5 }), () => {
      const n = wire(t.net.last(), ETH).filter((c) => c === 'SUBSCRIBE').length;
      if (n > seen) asked.push(t.at);
      seen = n;
      return false;
    });
    assert.ok(asked.length >= 2 && asked.length <= 6, `asked again ${asked.length} times`);
    // from the halt to the first question, then between questions
    const intervals = asked.map((at, i) => at - (i === 0 ? haltedAt : asked[i - 1]!));
    assert.ok(intervals[0]! <= 6_000, `first asked again after ${intervals[0]} ms`);
    for (let i = 1; i < intervals.length; i++) assert.ok(intervals[i]! > intervals[i - 1]!, `intervals grow: ${intervals.join(', ')}`);
    assert.ok(t.at - asked[asked.length - 1]! > 300_000, 'left alone for the last 5 minutes');
    const c = context(t.actor);
    assert.equal(stallVerdict(c.symbolRates[ETH]!, c.policy.stall, c.policy.silenceTimeoutMs).stalled, false);
    assert.equal(t.net.connections.length, 1);
    t.actor.stop();
  });
});
