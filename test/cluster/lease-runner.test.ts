/**
 * Two lease runners against a simulated KV server on fake time (src/cluster/lease-runner.ts):
 * requests and answers take random time or get lost, a node gets cut off. Whatever happens, no two
 * nodes may work the unit at once, and the holder stops before the server could expire its entry.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { leaseTiming } from '../../src/cluster/lease-logic.js';
import { LeaseRunner, LeaseStoreError, type LeaseStore } from '../../src/cluster/lease-runner.js';
import { UnitSlots } from '../../src/cluster/node.js';
import { Prng } from '../../src/prng.js';
import { ManualClock } from '../../src/time/manual-clock.js';

const timing = leaseTiming({ ttlMs: 5_000, renewIntervalMs: 1_000 });

/** the server: one key, entries expire ttl after they were stored (nats-server's max_age) */
class FakeKvServer {
  entry: { value: Uint8Array; revision: number; storedAt: number } | null = null;
  revision = 0;
  /** when each stored entry would expire, by the revision that wrote it */
  readonly expiries: { revision: number; at: number }[] = [];
  constructor(private readonly clock: ManualClock) {}
  private current() {
    if (this.entry && this.clock.now() >= this.entry.storedAt + timing.ttlMs) this.entry = null;
    return this.entry;
  }
  private store(value: Uint8Array): number {
    this.revision += 1;
    this.entry = { value, revision: this.revision, storedAt: this.clock.now() };
    this.expiries.push({ revision: this.revision, at: this.clock.now() + timing.ttlMs });
    return this.revision;
  }
  create(value: Uint8Array): number {
    if (this.current()) throw new LeaseStoreError('conflict', 'exists');
    return this.store(value);
  }
  update(value: Uint8Array, revision: number): number {
    if (this.current()?.revision !== revision) throw new LeaseStoreError('conflict', 'wrong last sequence');
    return this.store(value);
  }
  delete(revision: number): void {
    if (this.current()?.revision === revision) this.entry = null;
  }
  get() {
    const e = this.current();
    return e ? { value: e.value, revision: e.revision } : null;
  }
}

/** one node's view of the server over a network that delays, loses, or (cut) drops everything */
function networkStore(server: FakeKvServer, clock: ManualClock, prng: Prng, net: { cut: boolean; lossRate: number; maxLatencyMs: number }): LeaseStore {
  const call = <T>(op: () => T): Promise<T> =>
    new Promise((resolve, reject) => {
      const lost = () => net.cut || prng.next() < net.lossRate;
      const requestLost = lost();
      clock.setTimeout(() => {
        let result: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
        if (!requestLost) {
          try {
            result = { ok: true, value: op() };
          } catch (error) {
            result = { ok: false, error };
          }
        }
        const answerLost = requestLost || lost();
        // a lost request or answer surfaces as the client's request timeout (2 s)
        clock.setTimeout(
          () => {
            if (answerLost || !result) reject(new LeaseStoreError('unavailable', 'timeout'));
            else if (result.ok) resolve(result.value);
            else reject(result.error);
          },
          answerLost ? 2_000 : prng.int(net.maxLatencyMs),
        );
      }, prng.int(net.maxLatencyMs));
    });
  return {
    create: (_key, value) => call(() => server.create(value)),
    update: (_key, value, revision) => call(() => server.update(value, revision)),
    delete: (_key, revision) => call(() => server.delete(revision)),
    get: () => call(() => server.get()),
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

async function advance(clock: ManualClock, ms: number, each: () => void): Promise<void> {
  const end = clock.now() + ms;
  for (;;) {
    await flush();
    const next = clock.nextAt();
    if (next === undefined || next > end) break;
    clock.runNext(end);
    each();
  }
  clock.set(end);
  each();
}

describe('lease runner on a simulated KV', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    test(`seed ${seed}: lossy network, a node cut off for a while: never two workers, never working past the server's expiry`, async () => {
      const clock = new ManualClock(0);
      const prng = new Prng(seed);
      const server = new FakeKvServer(clock);
      const nets = [0, 1].map(() => ({ cut: false, lossRate: 0.15, maxLatencyMs: 400 }));
      const working: (number | undefined)[] = [undefined, undefined];
      const revisionOf: (number | undefined)[] = [undefined, undefined];
      let takeovers = 0;
      const runners = [0, 1].map(
        (i) =>
          new LeaseRunner(
            { key: 'unit.binance.spot', node: `node-${i}`, timing, store: networkStore(server, clock, prng.fork(i), nets[i]!), clock },
            {
              onAcquired: (revision) => {
                working[i] = clock.now();
                revisionOf[i] = revision;
                takeovers += 1;
              },
              onLost: () => (working[i] = undefined),
            },
          ),
      );
      runners.forEach((r) => r.start());
      // a probe every 10 ms, so the invariant is looked at between the runners' own timers too
      const probe = () => clock.setTimeout(probe, 10);
      probe();
      const check = () => {
        const now = clock.now();
        assert.ok(!(runners[0]!.mayWork() && runners[1]!.mayWork()), `both nodes work at ${now}`);
        for (let i = 0; i < 2; i++) {
          if (!runners[i]!.mayWork()) continue;
          // the server must not have let the entry that this node's lease rests on expire
          const alive = server.entry !== null && now < server.entry.storedAt + timing.ttlMs;
          assert.ok(alive, `node ${i} works at ${now} but the server's entry has expired`);
        }
      };
      for (let round = 0; round < 12; round++) {
        await advance(clock, 3_000, check);
        // cut the current holder off for 8 s now and then: the other must take over, never overlap
        if (round % 4 === 1) {
          const holder = runners.findIndex((r) => r.mayWork());
          if (holder >= 0) {
            nets[holder]!.cut = true;
            await advance(clock, 8_000, check);
            nets[holder]!.cut = false;
          }
        }
      }
      assert.ok(takeovers >= 2, `the lease changed hands (${takeovers} acquisitions)`);
    });
  }

  test('a holder cut off stops its work before the other node acquires; the other acquires within ttl + acquire interval + latency', async () => {
    const clock = new ManualClock(0);
    const prng = new Prng(9);
    const server = new FakeKvServer(clock);
    const nets = [0, 1].map(() => ({ cut: false, lossRate: 0, maxLatencyMs: 50 }));
    const events: string[] = [];
    const runners = [0, 1].map(
      (i) =>
        new LeaseRunner(
          { key: 'k', node: `node-${i}`, timing, store: networkStore(server, clock, prng.fork(i), nets[i]!), clock },
          { onAcquired: () => events.push(`${clock.now()} acquired ${i}`), onLost: (why) => events.push(`${clock.now()} lost ${i} ${why}`) },
        ),
    );
    runners[0]!.start();
    await advance(clock, 500, () => {});
    runners[1]!.start();
    await advance(clock, 3_000, () => {});
    assert.deepEqual(events.map((e) => e.split(' ').slice(1).join(' ')), ['acquired 0']);
    const cutAt = clock.now();
    nets[0]!.cut = true;
    await advance(clock, 12_000, () => {});
    const lost = events.find((e) => e.includes('lost 0'));
    const acquired = events.find((e) => e.includes('acquired 1'));
    assert.ok(lost && acquired, events.join('; '));
    const lostAt = Number(lost.split(' ')[0]);
    const acquiredAt = Number(acquired.split(' ')[0]);
    assert.ok(lostAt < acquiredAt, `lost at ${lostAt} before acquired at ${acquiredAt}`);
    assert.match(lost, /deadline$/);
    assert.ok(acquiredAt - cutAt <= timing.ttlMs + timing.acquireIntervalMs + 100, `takeover ${acquiredAt - cutAt} ms after the cut`);
  });
});

/** a server of many keys (one per slot), entries expiring ttl after they were stored */
class FakeKvKeys {
  private revision = 0;
  readonly entries = new Map<string, { revision: number; storedAt: number }>();
  constructor(private readonly clock: ManualClock) {}
  live(key: string) {
    const e = this.entries.get(key);
    if (e && this.clock.now() >= e.storedAt + timing.ttlMs) this.entries.delete(key);
    return this.entries.get(key);
  }
  create(key: string): number {
    if (this.live(key)) throw new LeaseStoreError('conflict', 'exists');
    this.revision += 1;
    this.entries.set(key, { revision: this.revision, storedAt: this.clock.now() });
    return this.revision;
  }
  update(key: string, revision: number): number {
    if (this.live(key)?.revision !== revision) throw new LeaseStoreError('conflict', 'wrong last sequence');
    this.revision += 1;
    this.entries.set(key, { revision: this.revision, storedAt: this.clock.now() });
    return this.revision;
  }
  delete(key: string, revision: number): void {
    if (this.live(key)?.revision === revision) this.entries.delete(key);
  }
}

/**
 * One node's view of FakeKvKeys: each request reaches the server `requestMs(op, key)` after it was
 * sent and its answer comes back `answerMs(op, key)` later (nothing lost), so a test can make one
 * create slow to answer after the server has already stored it.
 */
function slowAnswerStore(server: FakeKvKeys, clock: ManualClock, answerMs: (op: string, key: string) => number, deletes: string[] = []): LeaseStore {
  const call = <T>(op: string, key: string, run: () => T): Promise<T> =>
    new Promise((resolve, reject) => {
      clock.setTimeout(() => {
        let result: { ok: true; value: T } | { ok: false; error: unknown };
        try {
          result = { ok: true, value: run() };
        } catch (error) {
          result = { ok: false, error };
        }
        clock.setTimeout(() => (result.ok ? resolve(result.value) : reject(result.error)), answerMs(op, key));
      }, 5);
    });
  return {
    create: (key) => call('create', key, () => server.create(key)),
    update: (key, _value, revision) => call('update', key, () => server.update(key, revision)),
    delete: (key, revision) =>
      call('delete', key, () => {
        deletes.push(`${key}@${revision}`);
        server.delete(key, revision);
      }),
    get: () => Promise.resolve(null),
  };
}

describe('a create answered after the runner stopped waiting for it', () => {
  test('released while its create is in flight: the late success is deleted at its revision at once, no work starts', async () => {
    const clock = new ManualClock(0);
    const server = new FakeKvKeys(clock);
    const deletes: string[] = [];
    const events: string[] = [];
    const runner = new LeaseRunner(
      { key: 'unit.binance.spot.1', node: 'x', timing, store: slowAnswerStore(server, clock, (op) => (op === 'create' ? 300 : 5), deletes), clock },
      { onAcquired: () => events.push('acquired'), onLost: (why) => events.push(`lost ${why}`) },
    );
    runner.start();
    await advance(clock, 100, () => {});
    assert.ok(server.live('unit.binance.spot.1'), 'the server stored the create (its answer is still on the way)');
    // release waits for the create in flight (its answer comes on the fake clock)
    const released = runner.release();
    await advance(clock, 400, () => {});
    await released;
    assert.deepEqual(events, []);
    assert.deepEqual(deletes, ['unit.binance.spot.1@1']);
    assert.equal(server.live('unit.binance.spot.1'), undefined, 'the slot is free again long before its TTL');
  });

  test('a create given up for want of an answer is deleted when its answer does come, and the next attempt can take the key', async () => {
    const clock = new ManualClock(0);
    const server = new FakeKvKeys(clock);
    const deletes: string[] = [];
    let slowFirst = true;
    const answer = (op: string) => {
      if (op !== 'create') return 5;
      // the first create's answer comes after the runner's acquire timeout (ttl − margin = 3 s)
      if (slowFirst) return (slowFirst = false), 3_500;
      return 5;
    };
    const acquired: number[] = [];
    const runner = new LeaseRunner({ key: 'k', node: 'x', timing, store: slowAnswerStore(server, clock, answer, deletes), clock }, { onAcquired: (revision) => acquired.push(revision) });
    runner.start();
    await advance(clock, 3_600, () => {});
    assert.deepEqual(deletes, ['k@1'], 'the abandoned create is deleted when its answer arrives');
    await advance(clock, 3_000, () => {});
    assert.ok(acquired.length === 1 && acquired[0]! > 1, `a later create holds the key (revisions acquired: ${acquired.join()})`);
    assert.ok(runner.mayWork());
  });
});

describe('redundancy slots (UnitSlots) with a slow create', () => {
  test('a slot whose create was in flight when another slot was granted is freed at once: a second node takes it well within the TTL', async () => {
    const clock = new ManualClock(0);
    const server = new FakeKvKeys(clock);
    const unit = { id: 'binance:spot', exchange: 'binance', market: 'spot' } as const;
    const held = new Map<string, number | undefined>();
    const node = (name: string, answerMs: (op: string, key: string) => number) => {
      const store = slowAnswerStore(server, clock, answerMs);
      const slots = new UnitSlots(unit, 2, (key, callbacks) => new LeaseRunner({ key, node: name, timing, store, clock }, callbacks), {
        granted: () => held.set(name, slots.describe().slot),
        lost: () => held.set(name, undefined),
      });
      return slots;
    };
    // x: slot 0 answers at once, slot 1's create is stored but answered only 800 ms later
    const x = node('x', (op, key) => (op === 'create' && key.endsWith('.1') ? 800 : 5));
    x.seek();
    await advance(clock, 50, () => {});
    assert.equal(held.get('x'), 0);
    const y = node('y', () => 5);
    y.seek();
    await advance(clock, 2_500, () => {});
    assert.equal(held.get('y'), 1, `y holds slot 1 within 2.5 s (ttl ${timing.ttlMs} ms): x's late create on it was given back`);
    assert.equal(held.get('x'), 0, 'x keeps slot 0');
    const released = Promise.all([x.release(), y.release()]);
    await advance(clock, 100, () => {});
    await released;
  });
});
