/**
 * A cluster node SIGKILLed while it holds a unit: no release, no last publish, its cursors up to a
 * flush behind. The other node takes the unit once the lease lapses (within the lease time plus a
 * couple of seconds), seeds its backfill from the stream's cursors, and the archive's dense Binance
 * ids run without a hole across the kill.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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

  test('the other node collects again within the lease time plus 2 s, and the archive has no hole', { timeout: 120_000 }, async () => {
    // the exchange lives in this process; both nodes reach it by URL
    const sim = await embeddedSimulator(
      resolveConfig({ exchanges: [{ exchange: 'binance', market: 'spot', simulated: true, sim: { symbols: SYMBOLS } }], simulator: { tradesPerSecond: 40, tickersPerSecond: 0 } }),
      silentLogger(),
    );
    assert.ok(sim);
    const { wsUrl, restUrl } = sim.endpoints('binance', 'spot');
    const config = (name: string): TickvisorConfigInput => ({
      exchanges: [{ exchange: 'binance', market: 'spot', channels: ['trade'], symbols: SYMBOLS, wsUrl, restUrl }],
      store: { path: dir(name) },
      cluster: { nats: nats.urls.split(','), node: name, leaseTtlMs: TTL_MS, replicas: 3 },
    });
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/cluster/fixtures/node-child.ts', JSON.stringify(config('k-a'))], { stdio: ['ignore', 'pipe', 'inherit'] });
    let last = { held: false, published: 0 };
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        last = JSON.parse(line) as typeof last;
      } catch {
        // not a status line
      }
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const b = createTickvisor(config('k-b'), { logger: silentLogger() });
    const nc = await connectNats(nats.urls);
    const archiveStore = openHistoryStore({ path: dir('archive') });
    const archiver = new Archiver(nc, { store: archiveStore });
    try {
      await waitFor('node a holds the unit and publishes', () => last.held && last.published > 150, 40_000);
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

      const archived = await archivedIds(archiver, archiveStore, SYMBOLS, 20_000);
      for (const symbol of SYMBOLS) {
        const ids = archived.get(symbol) ?? [];
        assert.ok(ids.length > 100, `${symbol}: ${ids.length} archived`);
        assert.deepEqual(holes(ids), [], `${symbol}: no hole across the kill`);
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await b.stop();
      await archiver.stop();
      await nc.close();
      await archiveStore.close();
      await sim.stop();
    }
  });

  test('a node SIGKILLed and started again on its own store takes its unit back and publishes what it had committed and not published', { timeout: 120_000 }, async () => {
    const sim = await embeddedSimulator(
      resolveConfig({ exchanges: [{ exchange: 'binance', market: 'spot', simulated: true, sim: { symbols: SYMBOLS } }], simulator: { tradesPerSecond: 40, tickersPerSecond: 0 } }),
      silentLogger(),
    );
    assert.ok(sim);
    const { wsUrl, restUrl } = sim.endpoints('binance', 'spot');
    // a clean cluster (below): the first test's stream, leases and cursors are other nodes'
    const config: TickvisorConfigInput = {
      exchanges: [{ exchange: 'binance', market: 'spot', channels: ['trade'], symbols: SYMBOLS, wsUrl, restUrl }],
      store: { path: dir('again') },
      cluster: { nats: nats.urls.split(','), node: 'again', leaseTtlMs: TTL_MS, replicas: 3 },
    };
    const launch = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/cluster/fixtures/node-child.ts', JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const state = { held: false, published: 0, committed: 0 };
      createInterface({ input: child.stdout }).on('line', (line) => {
        try {
          Object.assign(state, JSON.parse(line) as typeof state);
        } catch {
          // not a status line
        }
      });
      return { child, state, exited: new Promise((resolve) => child.once('exit', resolve)) };
    };
    const nc = await connectNats(nats.urls);
    const jsm = await jetstreamManager(nc);
    for (const name of ['TICKVISOR', 'KV_tickvisor-cursors', 'KV_tickvisor-leases']) await jsm.streams.delete(name).catch(() => false);
    const archiveStore = openHistoryStore({ path: dir('archive-again') });
    const archiver = new Archiver(nc, { store: archiveStore });
    let first = launch();
    try {
      await waitFor('the node holds the unit and publishes', () => first.state.held && first.state.published > 300, 40_000);
      await archiver.start();
      // killed between commit and publish: the last windows (50 ms + 100 ms grace at least) are in its store only
      first.child.kill('SIGKILL');
      await first.exited;
      first = launch();
      await waitFor('the same node takes its unit back', () => first.state.held, 30_000);
      await waitFor('and publishes on', () => first.state.published > 200, 30_000);
      first.child.kill('SIGTERM');
      await first.exited;

      const archived = await archivedIds(archiver, archiveStore, SYMBOLS, 20_000);
      for (const symbol of SYMBOLS) {
        const ids = archived.get(symbol) ?? [];
        assert.ok(ids.length > 100, `${symbol}: ${ids.length} archived`);
        assert.deepEqual(holes(ids), [], `${symbol}: no hole across the kill`);
      }
    } finally {
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
      await archiver.stop();
      await nc.close();
      await archiveStore.close();
      await sim.stop();
    }
  });
});
