/**
 * cluster: the full cluster path as a user runs it, each part in its own process — the simulated
 * exchange → one tickvisor node with `cluster:` (the compiled package, as the other tickvisor
 * children) → the stream TICKVISOR, R3 on a 3-server NATS cluster on loopback → an archiver (what
 * `tickvisor archive` runs) → its LMDB store.
 *   burst  N trades of 50 symbols as fast as the socket drains, from the first sent to the last
 *          committed in the archive: trades/s, delivered (distinct trades archived / sent), and the
 *          CPU per million trades of the node, the archiver and the three servers apart
 *   paced  R trades/s for D s, for each rate of the plan: exchange timestamp → committed in the
 *          archive, p50/p99/max (the publisher's 50 ms window and its measured grace are part of it), split
 *          at the node's reading of the frame, and each part's CPU per second
 * The burst's trades are stamped when the simulator prepares them (about a second before they are
 * sent), so its messages carry ~100 trades each, more than a live feed's 50 ms windows would.
 * Compare with the `burst` section's tradesPerSec: the same burst into a node that only stores.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { natsSkip, startNatsCluster, type NatsCluster } from '../../src/simulate/nats-cluster.js';
import { round } from '../lib/burst-meter.js';
import { startChild, type BenchChild } from '../lib/child.js';
import { sleep } from '../lib/until.js';
import { tickvisorChildScript, tickvisorLaunch } from '../consumers/dist-child.js';
import { binanceSpot, startSimProcess, symbols, type SimProcess } from '../sim-process.js';
import type { BurstResult } from '../lib/burst-meter.js';
import { SIM_TICK_MS } from './latency.js';
import { warmUp } from './consumers.js';

export interface ClusterPlan {
  /** trades in the measured burst */
  burst: number;
  /** trades of the warm-up burst (drained before the measured one) */
  warm: number;
  /** trades/s offered in the paced runs (one run each, in this order), and for how long each is measured */
  pacedRates: number[];
  pacedSeconds: number;
  /** the archiver's messages per store transaction (its default when absent) */
  maxChunk?: number;
}

/** CPU-seconds per million trades archived, by process */
export interface CpuSplit {
  node: number;
  archiver: number;
  /** the three nats-server processes together */
  servers: number;
  total: number;
}

export interface ClusterResult {
  servers: number;
  replicas: number;
  symbols: number;
  /** the node's publisher: exchange-time window per message and the grace it waits past it */
  windowMs: number;
  graceMs: number | 'measured';
  maxChunk: number | null;
  sent: number;
  /** distinct trades newly stored in the archive */
  archived: number;
  deliveredPct: number;
  seconds: number;
  tradesPerSec: number;
  /** stream messages the node published during the burst (one per symbol and window) */
  messages: number;
  tradesPerMessage: number;
  cpuSecPerMillion: CpuSplit;
  /** the archiver's stream messages per store transaction during the burst */
  messagesPerCommit: number;
  /** the simulator's CPU while it sent, % of one core */
  simCpuPct: number;
  /** one per paced rate */
  paced: PacedResult[];
  /** the highest paced rate, and its run's exchange → archive latency (the target row's figure) */
  pacedRate: number;
  p50Ms: number;
  p99Ms: number;
  /** the single-process figure to hold this one against (the same burst, measured in the same run) */
  compareWith: 'burst.tradesPerSec';
  /** the box's load average (1, 5, 15 min) when the section ended */
  loadavg: number[];
}

export interface PacedResult {
  rate: number;
  seconds: number;
  /** trades committed in the archive per second over the measured window */
  archivedPerSec: number;
  messagesPerSec: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** exchange timestamp → the node read the frame (the simulator, loopback, the node's socket) */
  toNode: LatencyPart;
  /** the node read the frame → committed in the archive (store, window, grace, stream, archiver) */
  nodeToArchive: LatencyPart;
  /** each part's CPU over the window, % of one core */
  cpuPct: { node: number; archiver: number; servers: number };
}

export interface LatencyPart {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export type ClusterOutcome = ClusterResult | { error: string };

const SYMBOLS = 50;
const SERVERS = 3;
const REPLICAS = 3;
/** the publisher's defaults (src/cluster/publisher.ts), which a node's configuration does not change */
const WINDOW_MS = 50;
/** the node's default (src/cluster/publisher.ts): the recent p99 of how late trades reach the publisher */
const GRACE_MS = 'measured';

/** user + system CPU seconds of a process from /proc (Linux; clock ticks of 100 Hz), 0 elsewhere */
function procCpu(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

interface Parts {
  cluster: NatsCluster;
  node: BenchChild;
  archiver: BenchChild;
}

/** CPU seconds so far of the node, the archiver and the servers together */
async function cpuNow(p: Parts): Promise<{ node: number; archiver: number; servers: number }> {
  const [node, archiver] = await Promise.all([p.node.call<number>('cpuSeconds'), p.archiver.call<number>('cpuSeconds')]);
  return { node, archiver, servers: p.cluster.servers.reduce((sum, s) => sum + procCpu(s.pid()), 0) };
}

/** what the archiver child's `stats` answers */
interface ArchiverStats {
  messages: number;
  written: number;
  commits: number;
}

const published = async (node: BenchChild) => (await node.call<{ batches: number } | null>('clusterPublished'))?.batches ?? 0;

export async function cluster(plan: ClusterPlan): Promise<ClusterOutcome> {
  if (natsSkip) return { error: 'nats-server is not installed (Debian: apt-get install nats-server; it lands in /usr/sbin)' };
  const children: BenchChild[] = [];
  let nats: NatsCluster | undefined;
  let sim: SimProcess | undefined;
  try {
    nats = await startNatsCluster(SERVERS);
    const urls = nats.urls;
    const archiver = await startChild('archiver', 'consumers/archiver-child.ts');
    children.push(archiver);
    await archiver.call('start', { urls, replicas: REPLICAS, ...(plan.maxChunk !== undefined ? { maxChunk: plan.maxChunk } : {}) });

    const syms = symbols(SYMBOLS);
    // auto mode at 0 trades/s: the burst comes from prepareBurst, the paced run from raising the rate
    sim = await startSimProcess({ ...binanceSpot(3, syms, 0, 'auto'), timing: { tickMs: SIM_TICK_MS } });
    const node = await startChild('tickvisor', await tickvisorChildScript(), tickvisorLaunch());
    children.push(node);
    await node.call('start', { endpoints: sim.endpoints, symbols: syms, groupSize: 50, cluster: { nats: urls.split(','), node: 'bench-node', replicas: REPLICAS } });
    // in cluster mode a collector runs once the node holds its unit's lease
    if ((await node.call<number | null>('waitSubscribed', { timeoutMs: 60_000 })) === null) throw new Error('the cluster node: not every coin Subscribed within 60 s');
    const parts: Parts = { cluster: nats, node, archiver };

    // the archiver counts what reached the archive, each trade once: warm-up until all of it has
    await warmUp({ kind: 'tickvisor', child: archiver }, sim, plan.warm, { everyTrade: true });

    // burst
    await sim.prepareBurst(plan.burst);
    const simCpu0 = await sim.cpuSeconds();
    const messages0 = await published(node);
    const base = await archiver.call<number>('seen');
    const arch0 = await archiver.call<ArchiverStats>('stats');
    const cpu0 = await cpuNow(parts);
    await archiver.call('arm', { count: plan.burst, quietMs: 2_000, timeoutMs: 180_000 });
    // the node's and the servers' CPU is read when the last trade is archived, not after the
    // meter's quiet period (the servers spend a little CPU idling)
    let cpu1: { node: number; archiver: number; servers: number } | undefined;
    const poll = setInterval(() => {
      void archiver.call<number>('seen').then(async (n) => {
        if (cpu1 === undefined && n - base >= plan.burst) {
          const now = await cpuNow(parts);
          cpu1 ??= now;
        }
      }, () => undefined);
    }, 20);
    let result: BurstResult;
    try {
      [result] = await Promise.all([archiver.call<BurstResult>('burstResult'), sim.sendBurst()]);
    } finally {
      clearInterval(poll);
    }
    const simCpu = (await sim.cpuSeconds()) - simCpu0;
    // a burst that lost trades never reached the count: its CPU is read now, quiet period included
    if (cpu1 === undefined) cpu1 = await cpuNow(parts);
    const messages = (await published(node)) - messages0;
    const arch1 = await archiver.call<ArchiverStats>('stats');
    const commits = arch1.commits - arch0.commits;
    const perMillion = (cpu: number) => (result.delivered > 0 ? round((cpu / result.delivered) * 1e6, 2) : NaN);
    const split = { node: perMillion(cpu1.node - cpu0.node), archiver: perMillion(cpu1.archiver - cpu0.archiver), servers: perMillion(cpu1.servers - cpu0.servers) };

    const paced: PacedResult[] = [];
    for (const rate of plan.pacedRates) paced.push(await pacedRun(parts, sim, syms, rate, plan.pacedSeconds));
    const top = paced.reduce((a, b) => (b.rate > a.rate ? b : a));
    const l = loadavg().map((v) => round(v, 2));
    return {
      servers: SERVERS,
      replicas: REPLICAS,
      symbols: SYMBOLS,
      windowMs: WINDOW_MS,
      graceMs: GRACE_MS,
      maxChunk: plan.maxChunk ?? null,
      sent: plan.burst,
      archived: result.delivered,
      deliveredPct: result.deliveredPct,
      seconds: result.seconds,
      tradesPerSec: result.tradesPerSec,
      messages,
      tradesPerMessage: messages > 0 ? Math.round(result.delivered / messages) : 0,
      cpuSecPerMillion: { ...split, total: round(split.node + split.archiver + split.servers, 2) },
      messagesPerCommit: commits > 0 ? round((arch1.messages - arch0.messages) / commits, 1) : 0,
      simCpuPct: result.seconds > 0 ? round((simCpu / result.seconds) * 100, 1) : 0,
      paced,
      pacedRate: top.rate,
      p50Ms: top.p50Ms,
      p99Ms: top.p99Ms,
      compareWith: 'burst.tradesPerSec',
      loadavg: l,
    };
  } catch (e) {
    return { error: (e instanceof Error ? e.message : String(e)).split('\n')[0]! };
  } finally {
    // the node first: it publishes what it holds and releases its lease while NATS is still up
    for (const c of children.reverse()) await c.stop();
    await sim?.stop();
    await nats?.stop();
  }
}

/** the simulator at `rate` over the 50 symbols: latency to the archive and CPU per part */
async function pacedRun(parts: Parts, sim: SimProcess, syms: string[], rate: number, pacedSeconds: number): Promise<PacedResult> {
  await sim.setSymbols(syms.map((symbol) => ({ symbol, tradesPerSecond: rate / syms.length, tickersPerSecond: 0 })));
  // warm-up at the rate: every window of the change has gone through
  await sleep(1_000);
  const stats0 = await parts.archiver.call<ArchiverStats>('stats');
  const messages0 = await published(parts.node);
  const cpu0 = await cpuNow(parts);
  const t0 = performance.now();
  await parts.archiver.call('latencyStart');
  await sleep(pacedSeconds * 1000);
  // the window's counts first: latencyStop sorts every sample in the archiver, which takes a while
  const cpu1 = await cpuNow(parts);
  const seconds = (performance.now() - t0) / 1000;
  const stats1 = await parts.archiver.call<ArchiverStats>('stats');
  const messages = (await published(parts.node)) - messages0;
  const q = await parts.archiver.call<{ samples: number; p50Ms: number; p99Ms: number; maxMs: number; toNode: LatencyPart; nodeToArchive: LatencyPart }>('latencyStop');
  await sim.setSymbols(syms.map((symbol) => ({ symbol, tradesPerSecond: 0, tickersPerSecond: 0 })));
  const pct = (cpu: number) => round((cpu / seconds) * 100, 1);
  return {
    rate,
    seconds: round(seconds, 2),
    archivedPerSec: Math.round((stats1.written - stats0.written) / seconds),
    messagesPerSec: Math.round(messages / seconds),
    ...q,
    cpuPct: { node: pct(cpu1.node - cpu0.node), archiver: pct(cpu1.archiver - cpu0.archiver), servers: pct(cpu1.servers - cpu0.servers) },
  };
}
