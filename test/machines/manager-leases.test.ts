/**
 * The Manager in cluster mode: a collector runs only while this node holds its work unit's lease.
 * Fake sockets and simulated time (test/support/tree.ts); the leases themselves are sent as events.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { advance, collectorInput, startManager, type ListingFn } from '../support/tree.js';

const BINANCE = 'collector:binance:spot';
const UPBIT = 'collector:upbit:spot';

const openFor = (t: ReturnType<typeof startManager>, exchange: string) =>
  t.net.openConnections().filter((c) => c.input.exchange === exchange).length;
const stateOf = (t: ReturnType<typeof startManager>, id: string) => {
  const v = t.actor.system.get(id)?.getSnapshot().value;
  return typeof v === 'string' ? v : Object.keys(v ?? {})[0];
};

describe('Manager with leased collectors', () => {
  test('nothing runs without a lease; a granted lease starts its collector alone', async () => {
    const t = startManager([collectorInput('binance', 'spot'), collectorInput('upbit', 'spot')], { leased: true });
    await advance(t, 5_000);
    assert.equal(stateOf(t, BINANCE), 'Ready');
    assert.equal(stateOf(t, UPBIT), 'Ready');
    assert.equal(t.net.openConnections().length, 0);

    t.actor.send({ type: 'LEASE.GRANTED', id: BINANCE });
    await advance(t, 5_000);
    assert.equal(stateOf(t, BINANCE), 'Running');
    assert.ok(openFor(t, 'binance') > 0);
    assert.equal(stateOf(t, UPBIT), 'Ready');
    assert.equal(openFor(t, 'upbit'), 0);
    assert.deepEqual(t.actor.getSnapshot().context.held, { [BINANCE]: true });
    t.actor.stop();
  });

  test('a lost lease closes the sockets at once, before any time passes; a new grant starts again', async () => {
    const t = startManager([collectorInput('binance', 'spot')], { leased: true });
    t.actor.send({ type: 'LEASE.GRANTED', id: BINANCE });
    await advance(t, 5_000);
    assert.ok(openFor(t, 'binance') > 0);

    t.actor.send({ type: 'LEASE.LOST', id: BINANCE });
    // no clock advance: the stop is synchronous with the event
    assert.equal(stateOf(t, BINANCE), 'Stopped');
    assert.equal(openFor(t, 'binance'), 0);

    t.actor.send({ type: 'LEASE.GRANTED', id: BINANCE });
    await advance(t, 5_000);
    assert.equal(stateOf(t, BINANCE), 'Running');
    assert.ok(openFor(t, 'binance') > 0);
    t.actor.stop();
  });

  test('a collector restarted after giving up starts only if the lease is still held', async () => {
    let failing = true;
    const listing: ListingFn = async ({ exchange }) => {
      if (exchange === 'binance' && failing) throw new Error('listing down');
      return { symbols: exchange === 'upbit' ? ['BTC/KRW'] : ['BTC/USDT', 'ETH/USDT'] };
    };
    const t = startManager([collectorInput('binance', 'spot'), collectorInput('upbit', 'spot')], { leased: true, listing });
    t.actor.send({ type: 'LEASE.GRANTED', id: BINANCE });
    t.actor.send({ type: 'LEASE.GRANTED', id: UPBIT });
    // binance's listing keeps failing: the collector gives up and is gone until its restart
    let waited = 0;
    while (t.actor.getSnapshot().children[BINANCE] !== undefined && waited < 10_000) {
      await advance(t, 50, { step: 50 });
      waited += 50;
    }
    assert.equal(t.actor.getSnapshot().children[BINANCE], undefined, 'the collector gave up and awaits its restart');
    // the lease goes while it is down
    t.actor.send({ type: 'LEASE.LOST', id: BINANCE });
    failing = false;
    await advance(t, 60_000);
    const record = t.actor.getSnapshot().context.collectors[BINANCE]!;
    assert.ok(record.restartAttempts >= 1, `restarted ${record.restartAttempts} times`);
    assert.notEqual(stateOf(t, BINANCE), 'Running');
    assert.equal(openFor(t, 'binance'), 0);
    // upbit never noticed
    assert.equal(stateOf(t, UPBIT), 'Running');
    // granted again: the restarted collector starts
    t.actor.send({ type: 'LEASE.GRANTED', id: BINANCE });
    await advance(t, 5_000);
    assert.equal(stateOf(t, BINANCE), 'Running');
    assert.ok(openFor(t, 'binance') > 0);
    t.actor.stop();
  });

  test('alone (not leased) every collector starts at once, and lease events change nothing', async () => {
    const t = startManager([collectorInput('binance', 'spot')]);
    await advance(t, 5_000);
    assert.equal(stateOf(t, BINANCE), 'Running');
    t.actor.send({ type: 'LEASE.LOST', id: BINANCE });
    assert.equal(stateOf(t, BINANCE), 'Running');
    t.actor.stop();
  });
});
