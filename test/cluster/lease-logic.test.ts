/** The lease's pure decisions (src/cluster/lease-logic.ts): deadlines come from the local send time, never from answers. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { initialLease, leaseStep, leaseTiming, mayWork, nextWake, type LeaseEvent, type LeaseState } from '../../src/cluster/lease-logic.js';

const timing = leaseTiming({ ttlMs: 10_000, renewIntervalMs: 2_000 }); // margin 4 s, retry 1 s

function run(state: LeaseState, ...events: LeaseEvent[]) {
  const commands = [];
  for (const event of events) {
    const step = leaseStep(timing, state, event);
    state = step.state;
    commands.push(...step.commands.map((c) => c.type));
  }
  return { state, commands };
}

describe('lease timing', () => {
  test('defaults: margin two renew intervals, retry half of one', () => {
    assert.deepEqual(timing, { ttlMs: 10_000, renewIntervalMs: 2_000, marginMs: 4_000, retryMs: 1_000, acquireIntervalMs: 2_000 });
  });
  test('refuses a margin under two renew intervals, and a TTL that leaves no room for a retried renew', () => {
    assert.throws(() => leaseTiming({ ttlMs: 10_000, renewIntervalMs: 2_000, marginMs: 3_999 }), /marginMs \(3999\) must be at least 2 × renewIntervalMs/);
    assert.throws(() => leaseTiming({ ttlMs: 7_999, renewIntervalMs: 2_000 }), /ttlMs \(7999\) must be at least marginMs \+ 2 × renewIntervalMs \(8000\)/);
    assert.throws(() => leaseTiming({ ttlMs: 0 }), /ttlMs must be a positive/);
  });
});

describe('lease decisions', () => {
  test('free → acquiring sends a create; held until sentAt + ttl − margin, however late the answer came', () => {
    let { state, commands } = run(initialLease(100), { type: 'tick', now: 100 });
    assert.equal(state.kind, 'acquiring');
    assert.deepEqual(commands, ['create']);
    ({ state, commands } = run(state, { type: 'acquired', now: 1_900, revision: 7, sentAt: 100 }));
    assert.deepEqual(commands, ['start-work']);
    assert.equal(state.kind, 'held');
    assert.equal(state.kind === 'held' && state.validUntil, 100 + 10_000 - 4_000);
    assert.equal(state.kind === 'held' && state.renewAt, 2_100);
    assert.equal(mayWork(state, 6_099), true);
    assert.equal(mayWork(state, 6_100), false);
  });

  test('an acquire answer arriving after the lease would be spent starts no work', () => {
    const { state, commands } = run(initialLease(0), { type: 'tick', now: 0 }, { type: 'acquired', now: 6_000, revision: 1, sentAt: 0 });
    // the acquiring timeout is the same instant: nothing starts, and the key is given back
    assert.deepEqual(commands, ['create', 'delete']);
    assert.equal(state.kind, 'free');
    assert.equal(mayWork(state, 6_000), false);
  });

  test('a create with no answer is given up at ttl − margin and tried again', () => {
    const { state } = run(initialLease(0), { type: 'tick', now: 0 });
    assert.equal(nextWake(state), 6_000);
    const after = run(state, { type: 'tick', now: 6_000 });
    assert.equal(after.state.kind, 'free');
    const late = run(after.state, { type: 'acquired', now: 6_500, revision: 3, sentAt: 0 });
    assert.equal(late.state.kind, 'free', 'a late answer to the abandoned create starts nothing');
    assert.deepEqual(late.commands, ['delete'], 'and its key is given back rather than left to expire');
  });

  test('a create answered after the lease stopped waiting for it is deleted at its revision, whatever the state', () => {
    const step = (state: LeaseState, event: LeaseEvent) => leaseStep(timing, state, event);
    const acquiring = run(initialLease(0), { type: 'tick', now: 0 }).state;
    // released while in flight (a redundancy slot given up because another slot was granted)
    const released = run(acquiring, { type: 'release', now: 50 });
    assert.deepEqual(released.commands, []);
    assert.deepEqual(step(released.state, { type: 'acquired', now: 300, revision: 9, sentAt: 0 }), { state: { kind: 'stopped' }, commands: [{ type: 'delete', revision: 9 }] });
    // an older attempt's answer while a newer create is in flight: the newer attempt's deadline must not rest on it
    const retried = run(acquiring, { type: 'tick', now: 6_000 }, { type: 'tick', now: 6_000 }).state;
    assert.equal(retried.kind === 'acquiring' && retried.sentAt, 6_000);
    const stale = step(retried, { type: 'acquired', now: 6_100, revision: 4, sentAt: 0 });
    assert.equal(stale.state, retried);
    assert.deepEqual(stale.commands, [{ type: 'delete', revision: 4 }]);
    // and an older attempt's failure does not end the newer attempt
    assert.equal(step(retried, { type: 'acquire-failed', now: 6_100, sentAt: 0 }).state, retried);
    // the current attempt's answer is taken as before
    assert.deepEqual(step(retried, { type: 'acquired', now: 6_100, revision: 5, sentAt: 6_000 }).commands, [{ type: 'start-work', revision: 5 }]);
  });

  test('a confirmed renew moves the deadline to its own send time + ttl − margin', () => {
    const { state } = run(initialLease(0), { type: 'tick', now: 0 }, { type: 'acquired', now: 10, revision: 1, sentAt: 0 }, { type: 'tick', now: 2_000 }, { type: 'renewed', now: 2_500, revision: 2 });
    assert.equal(state.kind, 'held');
    assert.equal(state.kind === 'held' && state.revision, 2);
    assert.equal(state.kind === 'held' && state.validUntil, 2_000 + 6_000);
    assert.equal(state.kind === 'held' && state.renewAt, 4_000);
  });

  test('renews with no answer are retried; at the deadline the work stops even with a renew in flight', () => {
    let { state, commands } = run(initialLease(0), { type: 'tick', now: 0 }, { type: 'acquired', now: 10, revision: 1, sentAt: 0 }, { type: 'tick', now: 2_000 }, { type: 'renew-failed', now: 2_300 });
    assert.equal(state.kind === 'held' && state.renewAt, 3_300);
    ({ state, commands } = run(state, { type: 'tick', now: 3_300 }));
    assert.deepEqual(commands, ['update']);
    assert.equal(nextWake(state), 6_000, 'the deadline is armed while the renew hangs');
    ({ state, commands } = run(state, { type: 'tick', now: 6_000 }));
    assert.deepEqual(commands, ['stop-work']);
    assert.equal(state.kind === 'lost' && state.reason, 'deadline');
    // the hung renew's answer, arriving late, does not bring the lease back
    assert.equal(run(state, { type: 'renewed', now: 6_100, revision: 2 }).state.kind, 'lost');
  });

  test('a refused CAS loses the lease at once', () => {
    const { state, commands } = run(initialLease(0), { type: 'tick', now: 0 }, { type: 'acquired', now: 10, revision: 1, sentAt: 0 }, { type: 'tick', now: 2_000 }, { type: 'renew-conflict', now: 2_050 });
    assert.deepEqual(commands, ['create', 'start-work', 'update', 'stop-work']);
    assert.equal(state.kind === 'lost' && state.reason, 'conflict');
    assert.equal(mayWork(state, 2_050), false);
  });

  test('an adopted renew (our own write, answer lost) keeps the last confirmed deadline and renews at once', () => {
    const { state } = run(initialLease(0), { type: 'tick', now: 0 }, { type: 'acquired', now: 10, revision: 1, sentAt: 0 }, { type: 'tick', now: 2_000 }, { type: 'renew-adopted', now: 2_600, revision: 2 });
    assert.equal(state.kind === 'held' && state.validUntil, 6_000);
    assert.equal(state.kind === 'held' && state.renewAt, 2_600);
    assert.equal(state.kind === 'held' && state.revision, 2);
  });

  test('release stops the work and deletes at the held revision; nothing after', () => {
    const { state, commands } = run(initialLease(0), { type: 'tick', now: 0 }, { type: 'acquired', now: 10, revision: 4, sentAt: 0 }, { type: 'release', now: 100 }, { type: 'tick', now: 10_000 });
    assert.deepEqual(commands, ['create', 'start-work', 'stop-work', 'delete']);
    assert.equal(state.kind, 'stopped');
    assert.equal(nextWake(state), undefined);
  });

  test('a lost lease is tried again after the acquire interval', () => {
    const { state } = run(initialLease(0), { type: 'tick', now: 0 }, { type: 'acquired', now: 10, revision: 1, sentAt: 0 }, { type: 'tick', now: 2_000 }, { type: 'renew-conflict', now: 2_050 });
    assert.equal(nextWake(state), 4_050);
    assert.equal(run(state, { type: 'tick', now: 4_050 }).state.kind, 'acquiring');
  });
});
