/**
 * A scripted run of a cluster scenario (`cluster:`): NATS servers, tickvisor nodes and an archiver
 * as separate processes (the archiver in this one), the simulator trading as in a single run, the
 * cluster faults played on the processes, and the archive compared with the ground truth
 * (docs/simulation.md#cluster).
 *
 * Every node reaches NATS through a proxy of its own in this process (one per server), so
 * `isolate-node` can cut a node off NATS while its exchange sockets stay up. The servers do not
 * advertise other addresses to clients, so a node cannot slip past its proxies.
 *
 * Failover is watched from the nodes' status (every 50 ms): after a fault on a node, each unit it
 * held counts as failed over once `redundancy` node processes other than the victim's hold it
 * (one, or as many as there are, when fewer nodes are left).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { collectorId } from '../../machines/ids.js';
import type { Alert } from '../alerts/index.js';
import { Archiver } from '../cluster/archiver.js';
import { fairShare } from '../cluster/balance.js';
import { STREAM_NAME } from '../cluster/subjects.js';
import type { TickvisorConfigInput } from '../config/schema.js';
import { TickvisorError } from '../errors.js';
import { FaultTimeline, scenarioCollectsBooks, scenarioToSimOptions, type Scenario } from '../scenario/index.js';
import type { ClusterScenarioFault, ScenarioCluster } from '../scenario/schema.js';
import { startSimExchange, type SimExchange } from '../sim/index.js';
import { openHistoryStore, storedBookAt, type HistoryStore, type OpenedHistoryStore } from '../store/index.js';
import type { NodeClusterStatus } from './child-messages.js';
import { drainChild, forkCollector, stopChild, type CollectorChild } from './child-process.js';
import { addTotals, emptyStatus, type CollectorStatus } from './collector.js';
import { compareRun, type Comparison } from './compare.js';
import { SimulateError } from './errors.js';
import { judge, type Expectation } from './expectations.js';
import { tickerEventKey } from '../cluster/ticker-codec.js';
import type { Ticker } from '../records.js';
import { natsSkip, startNatsCluster, type NatsCluster } from './nats-cluster.js';
import { BOOK_SAMPLE_STEPS, DEFAULT_SETTLE_TIMEOUT_MS, ExchangeWalls, lastTimedFaultEnd, latencyQuantiles, RUN_LEDGER_LIMIT, scenarioConfig, sleep, START_TIMEOUT_MS, scenarioBookSampler, STEP_MS, verdictFields, within, withoutSampled } from './run-common.js';
import type { RunOptions, SimulationReport } from './run-scenario.js';
import type { BookSampler, CollectorBooks } from './book-sampler.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** what a cluster run adds to the report */
export interface ClusterRunFigures {
  nodes: number;
  natsServers: number;
  redundancy: number;
  /** units that were collected again (by `redundancy` other node processes) after a fault on their node */
  failovers: number;
  /** the longest of those, from the fault to the unit collected again (failovers that overlapped a NATS server's death aside) */
  maxFailoverMs: number;
  /** each failover: the unit, the fault on its node, ms from the fault to the unit collected again, whether a NATS server was down meanwhile */
  failoverLog: Array<{ unit: string; fault: string; ms: number; acrossNatsOutage?: true }>;
  /** units whose node faulted and that were never taken over by the end of the run */
  notFailedOver: number;
  /** batches the stream already had when a node published them (redundant copies, retries) */
  duplicatesDropped: number;
  /** trades backfilled by REST, after a node faulted, by the nodes that were collecting alongside it */
  survivorBackfilledTrades: number;
  /** trades the archive received more than once and stored once */
  archiveDuplicates: number;
  /** tickers in the archive at the end */
  archivedTickers: number;
  /** tickers the archive holds more than once (the same exchange time and values): expected 0 */
  archiveTickerRepeats: number;
  nodeKills: number;
  nodeRestarts: number;
  natsKills: number;
  isolations: number;
}

/** one tickvisor node: its processes over the run (a killed one is replaced by a fresh one on the same store) */
interface Node {
  index: number;
  config: TickvisorConfigInput;
  proxies: TcpProxy[];
  current: CollectorChild | undefined;
  /** which process this is (bumped at each start), so a failover is judged against the victim's process */
  generation: number;
  cluster: NodeClusterStatus | undefined;
  /** the last status of every process of this node that ended */
  ended: CollectorStatus[];
  duplicatesEnded: number;
  busy: Promise<void>;
}

interface PendingFailover {
  unit: string;
  victim: string;
  since: number;
  fault: ClusterScenarioFault['kind'];
  /** a NATS server was down at some time while it waited (a leader election, or no majority at all) */
  acrossNatsOutage: boolean;
}

/** redundancy's worth of live node processes hold the unit, none of them the victim's */
const processKey = (n: Node) => `${n.index}/${n.generation}`;
const unitOf = (held: string) => held.slice(0, held.lastIndexOf('#'));

const STOP_PUBLISH_MS = 15_000;
const ARCHIVE_CATCH_UP_MS = 30_000;

export async function runClusterScenario(scenario: Scenario, cluster: ScenarioCluster, dir: string, options: RunOptions): Promise<SimulationReport> {
  if (natsSkip) throw new TickvisorError('TV_ERR_NATS_MISSING', `${scenario.name} is a cluster scenario and needs nats-server, which is not installed (Debian: apt-get install nats-server)`);
  const started = Date.now();
  const expectedCoins = scenario.venues.reduce((n, v) => n + v.symbols.length, 0);
  const endStates = new Map((scenario.expect.coins ?? []).map((c) => [`${c.exchange}:${c.market}:${c.symbol}`, c.state]));
  const settleTimeoutMs = options.settleTimeoutMs ?? scenario.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS;
  const units = scenario.venues.map((v) => collectorId(v.exchange, v.market));
  const alerts: Alert[] = [];
  const latencies: number[] = [];
  const nodes: Node[] = [];
  const pending: PendingFailover[] = [];
  const failoverLog: ClusterRunFigures['failoverLog'] = [];
  /** per node process that was collecting when a node faulted: its backfilled trades then, and when it ended */
  const survivorBase = new Map<string, number>();
  const finalBackfill = new Map<string, number>();
  const counts = { nodeKills: 0, nodeRestarts: 0, natsKills: 0, isolations: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let nats: NatsCluster | undefined;
  let sim: SimExchange | undefined;
  let nc: NatsConnection | undefined;
  let archive: OpenedHistoryStore | undefined;
  let archiver: Archiver | undefined;
  let timeline: FaultTimeline | undefined;
  const walls = new ExchangeWalls();
  let faults = 0;
  let failure: unknown;
  let settled = false;
  let stopping = false;
  let endStatus: CollectorStatus | undefined;
  let coinsWhenStopped: CollectorStatus['coins'] | undefined;
  let verdict: Comparison;
  let tickerCounts = { archived: 0, repeats: 0 };
  /** scenarios keeping books: the archive's newest book of each symbol against the simulator's true book */
  const collectsBooks = scenarioCollectsBooks(scenario);
  let sampler: BookSampler | undefined;
  let notLiveAtEnd: string[] = [];
  let steps = 0;

  const check = () => {
    if (options.signal?.aborted) throw new SimulateError('TV_ERR_SIMULATE_ABORTED', 'the run was interrupted');
    if (failure !== undefined) throw failure;
  };
  const later = (ms: number, work: () => Promise<void> | void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopping) void Promise.resolve(work()).catch((error: unknown) => (failure ??= error));
    }, ms);
    timers.add(timer);
  };

  /** the nodes' live view: coin states (Subscribed wins where two nodes collect a coin), gaps, audits */
  const merged = (): CollectorStatus => {
    const live = nodes.filter((n) => n.current !== undefined).map((n) => n.current!.last);
    const coins = new Map<string, CollectorStatus['coins'][number]>();
    for (const s of live) for (const c of s.coins) {
      const key = `${c.exchange}:${c.market}:${c.symbol}`;
      if (!coins.has(key) || c.state === 'Subscribed') coins.set(key, c);
    }
    const audited = live.map((s) => s.auditedUntil).filter((a): a is number => a !== null);
    const out = emptyStatus();
    out.coins = [...coins.values()];
    out.gapsSettled = live.every((s) => s.gapsSettled);
    out.committed = live.reduce((n, s) => n + s.committed, 0);
    out.auditedUntil = audited.length ? Math.min(...audited) : null;
    for (const s of live) {
      out.audit.windows += s.audit.windows;
      out.audit.missing += s.audit.missing;
      out.audit.filled += s.audit.filled;
      out.audit.unfilled += s.audit.unfilled;
    }
    return out;
  };
  const holders = (unit: string): string[] => nodes.filter((n) => n.current !== undefined && n.cluster?.held.some((h) => unitOf(h) === unit)).map(processKey);
  const liveNodes = () => nodes.filter((n) => n.current !== undefined).length;
  /** failovers resolved as the nodes report */
  const watchFailovers = () => {
    for (let i = pending.length - 1; i >= 0; i--) {
      const p = pending[i]!;
      const others = holders(p.unit).filter((k) => k !== p.victim);
      const want = Math.max(1, Math.min(cluster.redundancy, liveNodes() - (nodes.some((n) => processKey(n) === p.victim && n.current) ? 1 : 0)));
      if (others.length >= want) {
        failoverLog.push({ unit: p.unit, fault: p.fault, ms: Date.now() - p.since, ...(p.acrossNatsOutage ? { acrossNatsOutage: true } : {}) });
        pending.splice(i, 1);
      }
    }
  };
  /**
   * NATS servers down now. A failover overlapping a server's death may wait for a leader election
   * of the lease bucket (seconds) or, a majority down, for the servers' return: it is reported,
   * not held to the lease-time bound, which is for a node's fault alone.
   */
  const natsDown = new Set<number>();
  const natsOutage = () => natsDown.size > 0;
  const noteOutage = () => {
    if (natsOutage()) for (const p of pending) p.acrossNatsOutage = true;
  };
  const noteFault = (node: Node, fault: ClusterScenarioFault['kind']) => {
    // the nodes that keep collecting: what they backfill from now on is the fault's doing
    for (const other of nodes) {
      if (other === node || !other.current || !other.cluster?.held.length) continue;
      if (!survivorBase.has(processKey(other))) survivorBase.set(processKey(other), other.current.last.gaps.backfilledTrades);
    }
    for (const held of node.cluster?.held ?? []) pending.push({ unit: unitOf(held), victim: processKey(node), since: Date.now(), fault, acrossNatsOutage: natsOutage() });
  };

  const launch = async (node: Node) => {
    node.generation += 1;
    node.cluster = undefined;
    node.current = await forkCollector(
      node.config,
      {
        onStatus: (m) => {
          if (m.cluster) node.cluster = m.cluster;
        },
        onAlert: (alert) => alerts.push(alert),
      },
      `node ${node.index}`,
    );
  };
  /**
   * A node started again after a fault may fail to (NATS unreachable from it, an isolated node):
   * like a service manager, the run tries again every second until it starts or the run ends.
   */
  const relaunch = async (node: Node) => {
    for (;;) {
      if (stopping) return;
      try {
        return await launch(node);
      } catch (error) {
        if (stopping) return;
        options.logger?.warn({ node: node.index, error: error instanceof Error ? error.message : String(error) }, 'simulate: a node did not start again; retrying in 1 s');
        await sleep(1_000);
      }
    }
  };
  /** the node's process ends (`fault`: by the scenario's doing, so its units must fail over) */
  const ended = async (node: Node, how: (run: CollectorChild) => Promise<void>, fault?: ClusterScenarioFault['kind']) => {
    const run = node.current;
    if (!run) return;
    if (fault) noteFault(node, fault);
    await how(run);
    node.ended.push(run.last);
    finalBackfill.set(processKey(node), run.last.gaps.backfilledTrades);
    node.duplicatesEnded += node.cluster?.duplicatesDropped ?? 0;
    node.current = undefined;
    node.cluster = undefined;
  };
  /** one fault at a time per node: a second waits for the first (a restart under way) */
  const onNode = (node: Node, work: () => Promise<void>) => {
    node.busy = node.busy.then(work).catch((error: unknown) => {
      failure ??= error;
    });
  };
  /** the node holding the first venue's unit (the first node when nobody does yet) */
  const victimNode = (fault: ClusterScenarioFault): Node => {
    if (fault.node !== undefined) return nodes[fault.node]!;
    return nodes.find((n) => n.current && n.cluster?.held.some((h) => unitOf(h) === units[0])) ?? nodes.find((n) => n.current) ?? nodes[0]!;
  };
  const streamLeader = async (): Promise<number> => {
    const info = await (await jetstreamManager(nc!)).streams.info(STREAM_NAME).catch(() => undefined);
    const name = info?.cluster?.leader;
    const index = nats!.servers.findIndex((s) => s.name === name);
    return index >= 0 ? index : 0;
  };

  const onClusterFault = (fault: ClusterScenarioFault) => {
    if (fault.kind === 'kill-nats') {
      counts.natsKills++;
      void (async () => {
        const index = fault.server ?? (await streamLeader());
        await nats!.kill(index);
        natsDown.add(index);
        noteOutage();
        if (fault.durationMs !== undefined) {
          later(fault.durationMs, async () => {
            await nats!.restart(index);
            natsDown.delete(index);
          });
        }
      })().catch((error: unknown) => (failure ??= error));
      return;
    }
    const node = victimNode(fault);
    if (fault.kind === 'kill-node') {
      counts.nodeKills++;
      onNode(node, async () => {
        await ended(
          node,
          async (run) => {
            run.child.kill('SIGKILL');
            await run.exited;
          },
          'kill-node',
        );
        if (fault.durationMs !== undefined) {
          await sleep(fault.durationMs);
          await relaunch(node);
        }
      });
    } else if (fault.kind === 'restart-node') {
      counts.nodeRestarts++;
      onNode(node, async () => {
        await ended(node, stopChild, 'restart-node');
        await sleep(fault.durationMs ?? 0);
        await relaunch(node);
      });
    } else {
      counts.isolations++;
      noteFault(node, 'isolate-node');
      for (const proxy of node.proxies) proxy.cut();
      const victim = processKey(node);
      later(fault.durationMs ?? 0, () => {
        for (const proxy of node.proxies) proxy.restore();
        // an isolation shorter than the lease leaves the node its units: nothing to fail over
        for (let i = pending.length - 1; i >= 0; i--) {
          const p = pending[i]!;
          if (p.victim === victim && holders(p.unit).every((k) => k === victim) && holders(p.unit).length > 0) pending.splice(i, 1);
        }
      });
    }
  };

  const drive = async () => {
    check();
    sim!.advance(STEP_MS);
    walls.stepped();
    await sleep(STEP_MS);
    watchFailovers();
    if (sampler !== undefined && ++steps % BOOK_SAMPLE_STEPS === 0) sampler.sample();
    if (options.onProgress && nodes.length) {
      const s = merged();
      options.onProgress({ phase: 'running', elapsedMs: Date.now() - started, faults, stored: archiver?.stats.written ?? 0, subscribed: s.coins.filter((c) => c.state === 'Subscribed').length, coins: s.coins.length });
    }
  };
  const coinsAtRest = (s: CollectorStatus) =>
    s.coins.length >= expectedCoins && s.coins.every((c) => c.state === (endStates.get(`${c.exchange}:${c.market}:${c.symbol}`) ?? 'Subscribed'));

  try {
    nats = await startNatsCluster(cluster.natsServers);
    nc = await connect({ servers: nats.urls.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    sim = await (options.startSim ?? startSimExchange)({ ...scenarioToSimOptions(scenario, { mode: 'manual', keepTruth: true, ledgerLimitPerSymbol: RUN_LEDGER_LIMIT }), now: walls.now });
    const replicas = Math.min(3, cluster.natsServers);
    for (let i = 0; i < cluster.nodes; i++) {
      const proxies = await Promise.all(nats.servers.map((s) => startTcpProxy(Number(new URL(s.url).port))));
      const nodeDir = join(dir, `node-${i}`);
      mkdirSync(nodeDir, { recursive: true });
      const config: TickvisorConfigInput = {
        ...scenarioConfig(scenario, nodeDir, sim, options.logLevel ?? 'silent'),
        cluster: { nats: proxies.map((p) => `nats://127.0.0.1:${p.port}`), node: `node-${i}`, leaseTtlMs: cluster.leaseTtlMs, redundancy: cluster.redundancy, replicas },
      };
      nodes.push({ index: i, config, proxies, current: undefined, generation: 0, cluster: undefined, ended: [], duplicatesEnded: 0, busy: Promise.resolve() });
    }
    // the first node makes the stream and the buckets; the others start together
    await launch(nodes[0]!);
    await Promise.all(nodes.slice(1).map(launch));
    archive = openHistoryStore({ path: join(dir, 'archive') });
    archiver = new Archiver(nc, {
      store: archive,
      onCommitted: (trades) => {
        const now = Date.now();
        for (const c of trades) for (let i = 0; i < c.length; i++) latencies.push(now - walls.publishedAt(c.timestamps[i] as number));
      },
    });
    await archiver.start();

    // 1. every coin subscribed on some node, and every unit held as often as asked, before the timeline
    const fullyHeld = () => units.every((u) => holders(u).length >= Math.min(cluster.redundancy, liveNodes()));
    // the units spread over the nodes (each at most its fair share) before the faults begin
    const balanced = () => nodes.every((n) => !n.current || (n.cluster?.held.length ?? 0) <= fairShare(units.length * cluster.redundancy, liveNodes()));
    const startDeadline = Date.now() + START_TIMEOUT_MS + cluster.leaseTtlMs;
    while ((merged().coins.filter((c) => c.state === 'Subscribed').length < expectedCoins || !fullyHeld() || !balanced()) && Date.now() < startDeadline) await drive();

    // 2. the timeline: the simulator's faults, and the cluster's on the processes
    // books are judged from here: the first sync before the timeline is not a fault's doing
    if (collectsBooks) {
      sampler = scenarioBookSampler(scenario, archiveBooks(archive), sim);
    }
    timeline = new FaultTimeline(scenario.faults, sim, { onFault: () => faults++, onClusterFault });
    const t0 = Date.now();
    timeline.start();
    while (Date.now() - t0 < scenario.durationMs) await drive();
    timeline.stop();
    sim.clearFaults({ keepTimed: true });
    const faultsEnd = t0 + lastTimedFaultEnd(scenario);
    while (Date.now() < faultsEnd || timers.size > 0) await drive();
    const faultsEndAt = Date.now();

    // 3. recovery: every unit held again, every coin back, every gap filled, every audit past the faults
    const settleDeadline = Date.now() + settleTimeoutMs;
    let calm = 0;
    let restartsDone = false;
    void Promise.all(nodes.map((n) => n.busy)).then(() => (restartsDone = true));
    while (Date.now() < settleDeadline) {
      await drive();
      const st = merged();
      const audited = st.auditedUntil === null || st.auditedUntil >= faultsEndAt;
      // every book live again in the archive (as of the last sample) when the scenario keeps books
      const booksBack = sampler === undefined || sampler.allLive();
      calm = restartsDone && pending.length === 0 && fullyHeld() && coinsAtRest(st) && st.gapsSettled && audited && booksBack ? calm + 1 : 0;
      if (calm >= 10) {
        settled = true;
        break;
      }
    }
    await within(Promise.all(nodes.map((n) => n.busy)), settleTimeoutMs);
    check();
    // the last reading before the nodes stop: stopping ends every book (a resync), as it should
    if (sampler !== undefined) {
      sampler.sample();
      notLiveAtEnd = sampler.notLive().map((b) => `${b.exchange}:${b.market}:${b.symbol}`);
    }

    // 4. the exchange stops; each node drains and stops (publishing what it holds); the archive catches up
    stopping = true;
    coinsWhenStopped = merged().coins;
    await within(Promise.all(nodes.filter((n) => n.current).map((n) => drainChild(n.current!))), settleTimeoutMs);
    endStatus = merged();
    await Promise.all(nodes.map((n) => ended(n, stopChild)));
    await within(archiveCaughtUp(nc, archiver), STOP_PUBLISH_MS + ARCHIVE_CATCH_UP_MS);
    await archiver.stop();
    verdict = await compareRun(sim.truth(), (t) => archive!.readRange({ exchange: t.exchange, market: t.market, symbol: t.symbol, type: 'trade' }) as AsyncIterable<{ id: string }>);
    tickerCounts = countArchivedTickers(archive, scenario);
  } finally {
    stopping = true;
    timeline?.stop();
    for (const timer of timers) clearTimeout(timer);
    await Promise.all(nodes.map((n) => (n.current ? stopChild(n.current).catch(() => undefined) : undefined)));
    await archiver?.stop().catch(() => undefined);
    await archive?.close().catch(() => undefined);
    await nc?.close().catch(() => undefined);
    await Promise.all(nodes.flatMap((n) => n.proxies.map((p) => p.close().catch(() => undefined))));
    await sim?.stop();
    await nats?.stop();
  }

  const totals = addTotals(nodes.flatMap((n) => n.ended));
  const alertsByKind: Record<string, number> = {};
  for (const a of alerts) alertsByKind[a.kind] = (alertsByKind[a.kind] ?? 0) + 1;
  const figures: ClusterRunFigures = {
    nodes: cluster.nodes,
    natsServers: cluster.natsServers,
    redundancy: cluster.redundancy,
    failovers: failoverLog.length,
    maxFailoverMs: failoverLog.reduce((m, f) => (f.acrossNatsOutage ? m : Math.max(m, f.ms)), 0),
    failoverLog,
    notFailedOver: pending.length,
    duplicatesDropped: nodes.reduce((n, node) => n + node.duplicatesEnded, 0),
    archiveDuplicates: archiver?.stats.duplicates ?? 0,
    archivedTickers: tickerCounts.archived,
    archiveTickerRepeats: tickerCounts.repeats,
    survivorBackfilledTrades: [...survivorBase].reduce((n, [key, base]) => n + Math.max(0, (finalBackfill.get(key) ?? base) - base), 0),
    ...counts,
  };
  const book = collectsBooks && sampler !== undefined ? { ...sampler.report(), notLiveAtEnd, sampled: true } : undefined;
  const expectations: Expectation[] = [
    ...judge(scenario, { verdict, endStatus, ...(coinsWhenStopped ? { coinsAtRest: coinsWhenStopped } : {}), alertsByKind, alerts: alerts.length, expectedCoins, ...(book ? { book } : {}) }),
    ...judgeCluster(scenario, cluster, figures),
  ];
  const audit = nodes.flatMap((n) => n.ended).reduce((a, s) => ({ windows: a.windows + s.audit.windows, missing: a.missing + s.audit.missing, filled: a.filled + s.audit.filled, unfilled: a.unfilled + s.audit.unfilled }), { windows: 0, missing: 0, filled: 0, unfilled: 0 });
  return {
    scenario: scenario.name,
    ...verdictFields(verdict),
    restarts: totals.restarts,
    recoveries: totals.recoveries,
    alerts: alerts.length,
    alertsByKind,
    latencyMs: latencyQuantiles(latencies),
    gaps: totals.gaps,
    audit,
    faultsInjected: faults,
    collectorKills: 0,
    settled,
    durationMs: Date.now() - started,
    expectations,
    ok: expectations.every((x) => x.ok),
    ...(book ? { book: { ...withoutSampled(book) } } : {}),
    cluster: figures,
  };
}

/**
 * The archive read as the book sampler reads a collector: each symbol's newest stored book (what a
 * `query --type book --at` now would rebuild), live when the archive holds a consistent one. Its
 * version (sequence, or time on Upbit) is what the sampler looks the true book up by, so an
 * archive a few records behind the nodes is judged against the book as it was then.
 */
function archiveBooks(archive: OpenedHistoryStore): CollectorBooks {
  return {
    book(exchange, market, symbol, depth) {
      const at = storedBookAt(archive.env, exchange, market, symbol, Number.POSITIVE_INFINITY, depth);
      if (at === undefined) return undefined;
      if (!at.synced) return { bids: [], asks: [], timestamp: at.since, state: 'resyncing' };
      return { bids: at.bids, asks: at.asks, timestamp: at.timestamp, ...(at.sequence !== undefined ? { sequence: at.sequence } : {}), state: 'live' };
    },
    // resyncs are the nodes' to count; the archive keeps only what it stored
    bookCounters: () => undefined,
  };
}

/** the archive's tickers of every scenario symbol, and how many of them repeat an exchange event already counted */
function countArchivedTickers(archive: OpenedHistoryStore, scenario: Scenario): { archived: number; repeats: number } {
  let archived = 0;
  let repeats = 0;
  for (const venue of scenario.venues) {
    for (const entry of venue.symbols) {
      const symbol = typeof entry === 'string' ? entry : entry.symbol;
      const seen = new Set<string>();
      for (const r of archive.readRange({ exchange: venue.exchange, market: venue.market, symbol, type: 'ticker' })) {
        archived += 1;
        const key = tickerEventKey(r as Ticker);
        if (seen.has(key)) repeats += 1;
        else seen.add(key);
      }
    }
  }
  return { archived, repeats };
}

/** the stream's archiver consumer has nothing left to deliver nor waiting for an ack */
async function archiveCaughtUp(nc: NatsConnection, archiver: Archiver): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (;;) {
    const info = await jsm.consumers.info(STREAM_NAME, 'tickvisor-archiver').catch(() => undefined);
    if (info && info.num_pending === 0 && info.num_ack_pending === 0 && archiver.idle()) return;
    await sleep(100);
  }
}

/**
 * A failover within the lease time plus 2 s, every faulted unit taken over, and with redundancy 2
 * and node faults only: the nodes still collecting backfilled nothing after the fault. With no
 * trade lost, that says the archive needed no REST backfill: what the replacement node backfills
 * for its own store (its first subscription) the archive already had from the survivor.
 */
function judgeCluster(scenario: Scenario, cluster: ScenarioCluster, f: ClusterRunFigures): Expectation[] {
  const bound = cluster.leaseTtlMs + 2_000;
  const out: Expectation[] = [
    {
      name: 'cluster.failover',
      ok: f.maxFailoverMs <= bound,
      detail:
        `${f.failovers} failover${f.failovers === 1 ? '' : 's'}, the longest ${f.maxFailoverMs} ms (expected ≤ lease ${cluster.leaseTtlMs} ms + 2 s)` +
        (f.failoverLog.some((x) => x.acrossNatsOutage) ? `; ${f.failoverLog.filter((x) => x.acrossNatsOutage).length} overlapped a NATS server's death (not judged)` : ''),
    },
    {
      name: 'cluster.tickersOnce',
      ok: f.archiveTickerRepeats === 0,
      detail: `${f.archivedTickers} tickers archived, ${f.archiveTickerRepeats} of them an exchange event stored before (expected 0)`,
    },
    { name: 'cluster.takenOver', ok: f.notFailedOver === 0, detail: f.notFailedOver === 0 ? 'every unit of a faulted node collected again' : `${f.notFailedOver} unit(s) of a faulted node never collected again` },
  ];
  const nodeFaultsOnly = scenario.faults.every((x) => x.kind === 'kill-node' || x.kind === 'restart-node');
  if (cluster.redundancy === 2 && nodeFaultsOnly) {
    out.push({
      name: 'cluster.noBackfill',
      ok: f.survivorBackfilledTrades === 0,
      detail: `${f.survivorBackfilledTrades} trades backfilled by REST after the fault by the nodes collecting alongside (redundancy 2: expected 0)`,
    });
  }
  return out;
}
