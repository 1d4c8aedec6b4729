/**
 * A cluster node SIGKILLed while it holds a unit: no release, no last publish, its cursors up to a
 * flush behind. The other node takes the unit once the lease lapses (within the lease time plus a
 * couple of seconds), seeds its backfill from the stream's cursors, and the archive's dense Binance
 * ids run without a hole across the kill.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { Archiver } from '../../src/cluster/archiver.js';
import { connectNats } from '../../src/cluster/nats-connect.js';
import { embeddedSimulator } from '../../src/compose/embedded-simulator.js';
import { createTickvisor } from '../../src/compose/tickvisor.js';
import { resolveConfig } from '../../src/config/load.js';
import type { TickvisorConfigInput } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/logger.js';
import { openHistoryStore } from '../../src/store/index.js';
import { waitFor } from '../support/system.js';
import { natsSkip, startNatsCluster, type NatsCluster } from '../helpers/nats-cluster.js';
import { archivedIds, holes, tempDirs } from './archive-check.js';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT'];
const TTL_MS = 5_000;

/** the simulated Binance spot exchange, in this process; the nodes reach it by URL */
async function startSim(): Promise<{ sim: NonNullable<Awaited<ReturnType<typeof embeddedSimulator>>>; wsUrl: string; restUrl: string }> {
  const sim = await embeddedSimulator(
    resolveConfig({ exchanges: [{ exchange: 'binance', market: 'spot', simulated: true, sim: { symbols: SYMBOLS } }], simulator: { tradesPerSecond: 40, tickersPerSecond: 0 } }),
    silentLogger(),
  );
  assert.ok(sim);
  return { sim, ...sim.endpoints('binance', 'spot') };
}

function nodeConfig(name: string, storePath: string, urls: string, endpoints: { wsUrl: string; restUrl: string }): TickvisorConfigInput {
  return {
    exchanges: [{ exchange: 'binance', market: 'spot', channels: ['trade'], symbols: SYMBOLS, ...endpoints }],
    store: { path: storePath },
    cluster: { nats: urls.split(','), node: name, leaseTtlMs: TTL_MS, replicas: 3 },
  };
}

/**
 * How long a launched node may take to hold its unit and publish: the child runs the sources
 * through tsx, which compiles them on its first start, and in a fresh clone under the whole suite's
 * load that took over 40 s. The failover itself is timed by assertion, not by these waits.
 */
const START_MS = 90_000;

/** a node in a process of its own; `state` follows the status lines it prints */
function launchNode(config: TickvisorConfigInput): { child: ChildProcess; state: { held: boolean; published: number; committed: number }; exited: Promise<unknown> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/cluster/fixtures/node-child.ts', JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const state = { held: false, published: 0, committed: 0 };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      Object.assign(state, JSON.parse(line) as typeof state);
    } catch {
      // not a status line
    }
  });
  return { child, state, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

function assertNoHoles(archived: Map<string, number[]>): void {
  for (const symbol of SYMBOLS) {
    const ids = archived.get(symbol) ?? [];
    assert.ok(ids.length > 100, `${symbol}: ${ids.length} archived`);
    assert.deepEqual(holes(ids), [], `${symbol}: no hole across the kill`);
  }
}

describe('a node SIGKILLed while it holds a unit', { skip: natsSkip }, () => {
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

  test('the other node collects again within the lease time plus 2 s, and the archive has no hole', { timeout: 240_000 }, async () => {
    const { sim, ...endpoints } = await startSim();
    const config = (name: string) => nodeConfig(name, dir(name), nats.urls, endpoints);
    const { child, state: last, exited } = launchNode(config('k-a'));
    const b = createTickvisor(config('k-b'), { logger: silentLogger() });
    const nc = await connectNats(nats.urls);
    const archiveStore = openHistoryStore({ path: dir('archive') });
    const archiver = new Archiver(nc, { store: archiveStore });
    try {
      await waitFor('node a holds the unit and publishes', () => last.held && last.published > 150, START_MS);
      await b.start();
      await archiver.start();
      await waitFor('node a publishes on', () => last.published > 300, 20_000);
      assert.equal(b.clusterLeases().some((l) => l.held), false);

      child.kill('SIGKILL');
      const killedAt = Date.now();
      await exited;
      await waitFor('node b takes the unit over', () => b.clusterLeases().some((l) => l.held), 30_000);
      const tookMs = Date.now() - killedAt;
      assert.ok(tookMs <= TTL_MS + 2_000 + 1_000, `took over ${tookMs} ms after the kill (lease ${TTL_MS} ms, acquire interval 1 s)`);
      await waitFor('node b publishes', () => (b.clusterPublished()?.trades ?? 0) > 200, 30_000);
      await b.stop();

      assertNoHoles(await archivedIds(archiver, archiveStore, SYMBOLS, 20_000));
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await b.stop();
      await archiver.stop();
      await nc.close();
      await archiveStore.close();
      await sim.stop();
    }
  });

  test('a node SIGKILLed and started again on its own store takes its unit back and publishes what it had committed and not published', { timeout: 240_000 }, async () => {
    const { sim, ...endpoints } = await startSim();
    // a clean cluster (below): the first test's stream, leases and cursors are other nodes'
    const config = nodeConfig('again', dir('again'), nats.urls, endpoints);
    const launch = () => launchNode(config);
    const nc = await connectNats(nats.urls);
    const jsm = await jetstreamManager(nc);
    for (const name of ['TICKVISOR', 'KV_tickvisor-cursors', 'KV_tickvisor-leases']) await jsm.streams.delete(name).catch(() => false);
    const archiveStore = openHistoryStore({ path: dir('archive-again') });
    const archiver = new Archiver(nc, { store: archiveStore });
    let first = launch();
    try {
      await waitFor('the node holds the unit and publishes', () => first.state.held && first.state.published > 300, START_MS);
      await archiver.start();
      // killed between commit and publish: the last windows (50 ms + the grace at least) are in its store only
      first.child.kill('SIGKILL');
      await first.exited;
      first = launch();
      await waitFor('the same node takes its unit back', () => first.state.held, START_MS);
      await waitFor('and publishes on', () => first.state.published > 200, 30_000);
      first.child.kill('SIGTERM');
      await first.exited;

      assertNoHoles(await archivedIds(archiver, archiveStore, SYMBOLS, 20_000));
    } finally {
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
      await archiver.stop();
      await nc.close();
      await archiveStore.close();
      await sim.stop();
    }
  });
});
