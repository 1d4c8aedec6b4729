/**
 * A node cut off from NATS while it holds a unit, its exchange sockets untouched: it must stop
 * collecting the unit (lease lost at its own deadline, collector stopped, sockets closed) before
 * another node is granted the unit, and collect nothing after that. Node A runs in its own process
 * and reaches NATS only through a TCP proxy; node B, the archiver and the simulated exchange live
 * in this process. Two units (Binance spot and futures): A takes both, then hands one to B when B
 * joins (fair share), and is cut off holding the other; B takes it once A's lease and presence
 * have lapsed. Two ways to lose the network: the proxy drops every connection (the client
 * sees a close at once), or it black-holes them (sockets open, nothing moves: the client notices
 * nothing, its requests just go unanswered). After the path comes back, A publishes what it had
 * committed before its deadline, and the archive holds every Binance id once, without a hole.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { Archiver } from '../../src/cluster/archiver.js';
import { LEASE_BUCKET } from '../../src/cluster/kv-leases.js';
import type { LeaseValue } from '../../src/cluster/lease-runner.js';
import { connectNats } from '../../src/cluster/nats-connect.js';
import { embeddedSimulator } from '../../src/compose/embedded-simulator.js';
import { createTickvisor } from '../../src/compose/tickvisor.js';
import { resolveConfig } from '../../src/config/load.js';
import type { TickvisorConfigInput } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Trade } from '../../src/records.js';
import { openHistoryStore, type HistoryStore } from '../../src/store/index.js';
import { waitFor } from '../support/system.js';
import { natsSkip, startNatsCluster, type NatsCluster } from '../helpers/nats-cluster.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { archivedIds, holes, tempDirs } from './archive-check.js';
import type { NodeChildLine } from './fixtures/node-child.js';

/** two work units, Binance spot and futures: the fair share gives one to each node, so B runs one while A is cut off holding the other */
const MARKETS = { spot: ['BTC/USDT', 'ETH/USDT'], futures: ['BTC/USDT:USDT'] } as const;
type MarketName = keyof typeof MARKETS;
const MARKET_NAMES = Object.keys(MARKETS) as MarketName[];
const TTL_MS = 5_000;
/** the lease's default timing for this TTL: renew every 1 s, stop 2 s before t0 + ttl */
const MARGIN_MS = 2_000;

/** node A's lines: the newest, and every change with its time */
function follow(child: ChildProcess) {
  const seen = { last: undefined as NodeChildLine | undefined, events: [] as NodeChildLine[] };
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      const line = JSON.parse(text) as NodeChildLine;
      seen.last = line;
      if (line.event !== undefined) seen.events.push(line);
    } catch {
      // not a status line
    }
  });
  return seen;
}

/** one symbol's Binance ids in a store, numerically sorted */
async function storedIds(store: HistoryStore, market: MarketName, symbol: string): Promise<number[]> {
  const ids: number[] = [];
  for await (const r of store.readRange({ exchange: 'binance', market, symbol, type: 'trade' })) ids.push(Number((r as Trade).id));
  return ids.sort((x, y) => x - y);
}

/** `collector:binance:spot` → `unit.binance.spot` */
const leaseKey = (unit: string) => `unit.${unit.replace(/^collector:/, '').replace(':', '.')}`;

/** the winning create's own send time, from the lease entry: the server cannot have granted it before */
async function grantSentAt(nc: NatsConnection, unitKey: string, node: string): Promise<number> {
  const kv = await new Kvm(nc).open(LEASE_BUCKET);
  const entry = await kv.get(unitKey);
  assert.ok(entry && entry.operation === 'PUT', `${unitKey} is held`);
  const value = entry.json<LeaseValue>();
  assert.equal(value.node, node, `${unitKey} is held by ${node}`);
  return value.since;
}

describe('a node isolated from NATS while it holds a unit', { skip: natsSkip }, () => {
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

  for (const mode of ['cut', 'blackhole'] as const) {
    const how = mode === 'cut' ? 'its connections dropped' : 'its connections black-holed';
    test(`${how}: it stops collecting before the other node is granted the unit, collects nothing after, and the archive has every trade once`, { timeout: 180_000 }, async () => {
      const nc = await connectNats(nats.urls);
      // a clean cluster for each case: no stream, cursors or leases of the other case's exchange
      const jsm = await jetstreamManager(nc);
      for (const name of ['TICKVISOR', 'KV_tickvisor-cursors', `KV_${LEASE_BUCKET}`]) await jsm.streams.delete(name).catch(() => false);
      const sim = await embeddedSimulator(
        resolveConfig({
          exchanges: MARKET_NAMES.map((market) => ({ exchange: 'binance' as const, market, simulated: true, sim: { symbols: [...MARKETS[market]] } })),
          simulator: { tradesPerSecond: 40, tickersPerSecond: 0 },
        }),
        silentLogger(),
      );
      assert.ok(sim);
      const exchanges = MARKET_NAMES.map((market) => ({ exchange: 'binance' as const, market, channels: ['trade' as const], symbols: [...MARKETS[market]], ...sim.endpoints('binance', market) }));
      const proxy = await startTcpProxy(Number(new URL(nats.servers[0]!.url).port));
      const config = (name: string, natsUrls: string[]): TickvisorConfigInput => ({
        exchanges,
        store: { path: dir(`${mode}-${name}`) },
        cluster: { nats: natsUrls, node: `${mode}-${name}`, leaseTtlMs: TTL_MS, replicas: 3 },
      });
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/cluster/fixtures/node-child.ts', JSON.stringify(config('a', [`nats://127.0.0.1:${proxy.port}`]))], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const a = follow(child);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const b = createTickvisor(config('b', nats.urls.split(',')), { logger: silentLogger() });
      // B's grants after the cut, on this process's clock (the same clock A stamps its lines with)
      const bGranted = new Map<string, number>();
      // and the exchange's side: when it last saw no socket open (A's closed, B's not yet opened)
      let cutAt = Number.POSITIVE_INFINITY;
      const exchangeQuietAt = new Map<string, number>();
      const watchB = setInterval(() => {
        for (const lease of b.clusterLeases()) if (lease.held && Date.now() > cutAt && !bGranted.has(lease.unit)) bGranted.set(lease.unit, Date.now());
        for (const v of sim.stats().venues) {
          const unit = `collector:${v.exchange}:${v.market}`;
          if (v.openSockets === 0 && Date.now() > cutAt && !exchangeQuietAt.has(unit)) exchangeQuietAt.set(unit, Date.now());
        }
      }, 10);
      const archiveStore = openHistoryStore({ path: dir(`${mode}-archive`) });
      const archiver = new Archiver(nc, { store: archiveStore });
      try {
        const aHeld = () => (a.last === undefined ? [] : Object.entries(a.last.units).filter(([, u]) => u.held).map(([unit]) => unit));
        const bHeld = () => b.clusterLeases().filter((l) => l.held).map((l) => l.unit);
        await waitFor('node a holds both units and publishes', () => aHeld().length === MARKET_NAMES.length && a.last!.published > 100, 60_000);
        await b.start();
        await archiver.start();
        // the units spread over the two nodes: a's fair share is one of the two, it hands the other to b
        await waitFor('a and b hold one unit each', () => aHeld().length === 1 && bHeld().length === 1, 60_000);
        await waitFor('node a publishes on', () => (a.last?.published ?? 0) > 200, 30_000);
        // (A may be cut off before its first cursor flush: B then resumes each symbol from its last
        // batch in the stream, and a hole in the archive would say it did not)
        // the unit(s) A holds when it is cut off; B holds the other
        const units = aHeld();
        assert.equal(units.length, 1, 'a holds one unit');
        assert.deepEqual(bHeld().filter((u) => units.includes(u)), [], 'one holder per unit');
        await waitFor("both collectors have the exchange's sockets open", () => sim.stats().venues.every((v) => v.openSockets > 0), 30_000);

        cutAt = Date.now();
        if (mode === 'cut') proxy.cut();
        else proxy.blackhole();
        // (a node A still holding on here has reached a server past the proxy: the servers must not
        // advertise their client URLs to clients, nats-server's cluster `no_advertise`)
        await waitFor("node b is granted a's unit", () => units.every((u) => bGranted.has(u)), 60_000);
        await waitFor("node a's collectors stopped", () => units.every((u) => a.events.some((e) => e.unit === u && e.event === 'collector-Stopped' && e.at >= cutAt)), 30_000);
        const timeline: string[] = [];
        for (const unit of units) {
          const lost = a.events.find((e) => e.unit === unit && e.event === 'lease-lost' && e.at >= cutAt);
          const stopped = a.events.find((e) => e.unit === unit && e.event === 'collector-Stopped' && e.at >= cutAt);
          assert.ok(lost && stopped, `${unit}: a lost its lease and stopped its collector`);
          const granted = bGranted.get(unit)!;
          // the lower bound of B's grant: the server cannot have stored B's create before B sent it
          const sent = await grantSentAt(nc, leaseKey(unit), `${mode}-b`);
          const quiet = exchangeQuietAt.get(unit);
          timeline.push(
            `${unit}: cut 0, a lost its lease +${lost.at - cutAt}, a's collector stopped +${stopped.at - cutAt}, the exchange saw no socket open +${quiet === undefined ? '?' : quiet - cutAt}, b sent its create +${sent - cutAt}, b saw the grant +${granted - cutAt} ms`,
          );
          assert.ok(stopped.at < sent, `${unit}: a stopped collecting before b even asked for the unit (${timeline.at(-1)})`);
          // seen from the exchange: A's sockets closed, and nobody's open, before B asked
          assert.ok(quiet !== undefined && quiet < sent, `${unit}: the exchange saw a's sockets close before b's create (${timeline.at(-1)})`);
          // A stops on its own deadline: at most ttl − margin after its last confirmed renew (+ slack for a loaded box)
          assert.ok(stopped.at - cutAt <= TTL_MS - MARGIN_MS + 1_500, `${unit}: a stopped within its lease time after the cut (${timeline.at(-1)})`);
          // A's lease and presence lapse at most ttl after the cut, B counts the live nodes and tries
          // a free slot every renew interval (1 s): 6 s, and 1 s for a loaded box
          assert.ok(granted - cutAt <= TTL_MS + 2_000, `${unit}: b took over within ttl + 2 s of the cut (${timeline.at(-1)})`);
        }
        process.stdout.write(`# ${mode}: ${timeline.join('; ')}\n`);
        const stoppedAt = Math.max(...a.events.filter((e) => e.event === 'collector-Stopped' && e.at >= cutAt).map((e) => e.at));

        const bPublished = b.clusterPublished()?.trades ?? 0;
        await waitFor('node b publishes on', () => (b.clusterPublished()?.trades ?? 0) > bPublished + 100, 60_000);
        // all the while cut off, A collected nothing after it stopped (so it has nothing of that time to publish):
        // judged on a line A wrote after B's takeover (a loaded box may hold A's periodic line back)
        const takeoverAt = Math.max(...bGranted.values());
        await waitFor("a line from node a after b's takeover", () => a.last!.at > takeoverAt, 30_000);
        const cutOff = a.last!;
        assert.equal(cutOff.held, false);
        assert.ok(cutOff.lastCollected <= stoppedAt, `a collected nothing after it stopped: its newest trade was received at ${cutOff.lastCollected}, it stopped at ${stoppedAt}`);
        assert.ok(cutOff.published < cutOff.committed, 'a holds trades it could not publish while cut off');
        proxy.restore();
        // A comes back: it publishes what it had committed before its deadline (the balance may then
        // hand it a unit again, from B, in an ordinary handover, so its backlog need not reach 0)
        await waitFor('node a has published everything it committed before the cut', () => a.last!.published >= cutOff.committed, 60_000);

        // A leaves first, so it cannot take a unit over when B releases it
        child.kill('SIGTERM');
        await exited;
        await b.stop();
        // (archivedIds waits until the archiver is quiet, then reads spot; futures is read the same way)
        const archived = await archivedIds(archiver, archiveStore, MARKETS.spot, 30_000);
        for (const symbol of MARKETS.futures) archived.set(symbol, await storedIds(archiveStore, 'futures', symbol));
        for (const symbol of [...MARKETS.spot, ...MARKETS.futures]) {
          const ids = archived.get(symbol) ?? [];
          assert.ok(ids.length > 100, `${symbol}: ${ids.length} archived`);
          // a repeated id shows as a hole too (x→x)
          assert.deepEqual(holes(ids), [], `${symbol}: every id from ${ids[0]} to ${ids.at(-1)} once, across the isolation`);
        }
      } finally {
        clearInterval(watchB);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await b.stop();
        await archiver.stop();
        await proxy.close();
        await nc.close();
        await archiveStore.close();
        await sim.stop();
      }
    });
  }
});
