/**
 * Cluster mode end to end, in one process: two tickvisor nodes (createTickvisor with `cluster:`)
 * share one simulated exchange and a 3-server NATS cluster, and an archiver consumes the stream.
 * Only the lease holder collects; when it stops, the other takes the unit over, seeds its gap
 * tracking from the stream's cursors and backfills what nobody published in between. Binance
 * numbers trades densely per symbol, so a hole anywhere in the archive shows as a missing id.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { Archiver } from '../../src/cluster/archiver.js';
import { connectNats } from '../../src/cluster/nats-connect.js';
import { embeddedSimulator } from '../../src/compose/embedded-simulator.js';
import { createTickvisor } from '../../src/compose/tickvisor.js';
import { silentLogger } from '../../src/log/logger.js';
import type { SimulatorLauncher } from '../../src/runtime/tickvisor.js';
import type { SimExchange } from '../../src/sim/index.js';
import { openHistoryStore } from '../../src/store/index.js';
import { waitFor } from '../support/system.js';
import { natsSkip, startNatsCluster, type NatsCluster } from '../helpers/nats-cluster.js';
import { archivedIds, holes, tempDirs } from './archive-check.js';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT'];

describe('two nodes hand a unit over through the cluster', { skip: natsSkip }, () => {
  let nats: NatsCluster;
  const { dir, removeAll } = tempDirs();

  before(async () => {
    nats = await startNatsCluster(3);
    await nats.waitReady();
  });
  after(async () => {
    await nats?.stop();
    removeAll();
  });

  /** nodes of one cluster sharing one simulated exchange (the first node's launcher starts it, no node stops it) */
  function nodes(options: { redundancy?: 1 | 2 }) {
    let shared: SimExchange | undefined;
    const launcher: SimulatorLauncher = async (config, log) => {
      shared ??= await embeddedSimulator(config, log);
      const sim = shared;
      if (sim === undefined) return undefined;
      return new Proxy(sim, { get: (target, key, receiver) => (key === 'stop' ? async () => undefined : Reflect.get(target, key, receiver)) });
    };
    const node = (name: string) =>
      createTickvisor(
        {
          exchanges: [{ exchange: 'binance', market: 'spot', simulated: true, channels: ['trade'], sim: { symbols: SYMBOLS } }],
          simulator: { tradesPerSecond: 40, tickersPerSecond: 0 },
          store: { path: dir(name) },
          cluster: { nats: nats.urls.split(','), node: name, leaseTtlMs: 5_000, replicas: 3, redundancy: options.redundancy ?? 1 },
        },
        { logger: silentLogger(), simulator: launcher },
      );
    return { node, stopSim: () => shared?.stop() };
  }

  test('one node collects at a time; the archive holds every trade from the first to the last, once', { timeout: 90_000 }, async () => {
    const { node, stopSim } = nodes({});

    const archiveStore = openHistoryStore({ path: dir('archive') });
    const nc = await connectNats(nats.urls);
    const a = node('node-a');
    const b = node('node-b');
    const c = node('node-c');
    let archiver: Archiver | undefined;
    try {
      // a cluster no node has used yet: nothing held, no stream, and the command says so
      const empty = JSON.parse(await cli('cluster', 'status', '--nats', nats.urls, '--json')) as { leases: unknown[]; stream?: unknown };
      assert.deepEqual(empty.leases, []);
      assert.equal(empty.stream, undefined);
      await a.start();
      await waitFor('node a holds the unit', () => a.clusterLeases().some((l) => l.held), 20_000);
      await b.start();
      archiver = new Archiver(nc, { store: archiveStore });
      await archiver.start();
      await waitFor('node a publishes', () => (a.clusterPublished()?.trades ?? 0) > 100, 20_000);
      assert.equal(b.clusterLeases().some((l) => l.held), false, 'a second node waits while the first holds the lease');
      assert.equal(b.pipelineStats()['binance:spot']?.committed ?? 0, 0, 'and collects nothing');
      await b.stop();

      // the holder leaves (it publishes what it committed and releases the lease), and for 3 s
      // nobody collects while the exchange trades on: longer than any look-back a fresh
      // subscription takes, so only the stream's cursors can tell the next node where to start
      await a.stop();
      await new Promise((r) => setTimeout(r, 3_000));
      await c.start();
      await waitFor('node c takes the unit over', () => c.clusterLeases().some((l) => l.held), 20_000);
      await waitFor('node c publishes', () => (c.clusterPublished()?.trades ?? 0) > 300, 30_000);
      await c.stop();

      // everything published reaches the archive
      const published = await archivedIds(archiver, archiveStore, SYMBOLS, 20_000);
      for (const symbol of SYMBOLS) {
        const ids = published.get(symbol) ?? [];
        assert.ok(ids.length > 50, `${symbol}: ${ids.length} trades archived`);
        assert.deepEqual(holes(ids), [], `${symbol}: the ids run without a hole from ${ids[0]} to ${ids[ids.length - 1]}`);
      }
    } finally {
      await a.stop();
      await b.stop();
      await c.stop();
      await archiver?.stop();
      await nc.close();
      await archiveStore.close();
      await stopSim();
    }
  });

  test('redundancy 2: two nodes collect at once, the stream keeps one copy; a third replaces a holder that leaves', { timeout: 90_000 }, async () => {
    const { node, stopSim } = nodes({ redundancy: 2 });
    const archiveStore = openHistoryStore({ path: dir('archive-r2') });
    const nc = await connectNats(nats.urls);
    // a clean cluster: the first test's stream, cursors and leases belong to another exchange's ids
    const jsm = await jetstreamManager(nc);
    for (const name of ['TICKVISOR', 'KV_tickvisor-cursors', 'KV_tickvisor-leases']) await jsm.streams.delete(name).catch(() => false);
    // the deletions settle before the nodes create them again: a replicated stream placed while the
    // meta leader was still tearing down the old ones was refused ("no suitable peers for
    // placement") for the whole 60 s of the nodes' setup retry, once in a fresh-clone run
    await nats.waitReady();
    const [a, b, c] = [node('r-a'), node('r-b'), node('r-c')];
    let archiver: Archiver | undefined;
    try {
      await a.start();
      await b.start();
      await waitFor('two nodes hold the unit', () => a.clusterLeases().some((l) => l.held) && b.clusterLeases().some((l) => l.held), 20_000);
      const slots = [a, b].map((n) => n.clusterLeases()[0]?.slot).sort();
      assert.deepEqual(slots, [0, 1], 'each holds its own slot');
      await c.start();
      archiver = new Archiver(nc, { store: archiveStore });
      await archiver.start();
      // what an operator sees: both slots of the unit, each held by one of the two nodes
      const status = JSON.parse(await cli('cluster', 'status', '--nats', nats.urls, '--json')) as {
        nodes: { node: string; units: number }[];
        leases: { unit: string; slot: number; node: string }[];
        stream?: { name: string; consumers: unknown[] };
      };
      assert.deepEqual(status.nodes.map((n) => `${n.node}:${n.units}`), ['r-a:1', 'r-b:1', 'r-c:0'], 'three live nodes, two holding a slot each');
      assert.deepEqual(status.leases.map((l) => `${l.unit}/${l.slot}`), ['binance:spot/0', 'binance:spot/1']);
      assert.deepEqual(status.leases.map((l) => l.node).sort(), ['r-a', 'r-b']);
      assert.equal(status.stream?.name, 'TICKVISOR');
      assert.equal(status.stream?.consumers.length, 1);
      await waitFor('both publish, the stream drops the second copies', () => (a.clusterPublished()?.duplicatesDropped ?? 0) + (b.clusterPublished()?.duplicatesDropped ?? 0) > 20, 30_000);
      assert.equal(c.clusterLeases().some((l) => l.held), false, 'a third node waits while both slots are held');
      await a.stop();
      await waitFor('the third node takes the freed slot', () => c.clusterLeases().some((l) => l.held), 20_000);
      await waitFor('and publishes', () => (c.clusterPublished()?.trades ?? 0) > 100, 30_000);
      await b.stop();
      await c.stop();
      const published = await archivedIds(archiver, archiveStore, SYMBOLS, 20_000);
      for (const symbol of SYMBOLS) {
        const ids = published.get(symbol) ?? [];
        assert.ok(ids.length > 50, `${symbol}: ${ids.length} trades archived`);
        assert.deepEqual(holes(ids), [], `${symbol}: the ids run without a hole`);
      }
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
      await archiver?.stop();
      await nc.close();
      await archiveStore.close();
      await stopSim();
    }
  });
});

/** the command line, without blocking this process's event loop (its nodes renew leases meanwhile) */
function cli(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', 'test/cli/run-cli.ts', ...args], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}
