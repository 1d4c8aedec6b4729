/**
 * Micro-bench of the cluster data path: trades published by TradePublisher into the 3-server R3
 * stream and archived by Archiver into an LMDB history store, on loopback (nats-server on the PATH).
 *   backlog  N trades of S symbols pushed at once: published + archived trades/s (wall), and the
 *            CPU-seconds of this process (publisher + archiver + LMDB's writer) and of the servers
 *   paced    R trades/s for D s, timestamped when pushed: exchange time → committed in the archive,
 *            p50/p99/max (includes the 50 ms window and the grace: 100 ms unless given)
 * Publisher and archiver share this process; the figures are CPU-seconds, not wall rates, where
 * the box is shared.
 *
 *   node --import tsx bench/micro/cluster-throughput.ts [trades=400000] [symbols=200] [rate=50000] [seconds=6] [windowMs=50] [graceMs=100]
 *     [maxInFlight=256] [asyncTraces=1] [maxChunk=2000]
 * asyncTraces=0 connects with the client's noAsyncTraces (no Error built per request for its stack).
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Archiver } from '../../src/cluster/archiver.js';
import { jetStreamTarget, TradePublisher } from '../../src/cluster/publisher.js';
import { ensureStream } from '../../src/cluster/stream.js';
import type { Trade } from '../../src/records.js';
import { openHistoryStore } from '../../src/store/index.js';
import { natsSkip, startNatsCluster } from '../../src/simulate/nats-cluster.js';

const total = Number(process.argv[2] ?? 400_000);
const symbolCount = Number(process.argv[3] ?? 200);
const rate = Number(process.argv[4] ?? 50_000);
const seconds = Number(process.argv[5] ?? 6);
const windowMs = Number(process.argv[6] ?? 50);
const graceMs = Number(process.argv[7] ?? 100);
const maxInFlight = Number(process.argv[8] ?? 256);
const noAsyncTraces = process.argv[9] === '0';
const maxChunk = Number(process.argv[10] ?? 2_000);
if (natsSkip) {
  console.error(natsSkip);
  process.exit(0);
}

/** user+system CPU seconds of a process, from /proc (clock ticks of 100 Hz) */
function procCpu(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
const selfCpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

const cluster = await startNatsCluster(3);
const root = mkdtempSync(join(tmpdir(), 'tv-cluster-bench-'));
try {
  const pubConn = await connect({ servers: cluster.urls.split(','), noAsyncTraces });
  const subConn = await connect({ servers: cluster.urls.split(','), noAsyncTraces });
  await ensureStream(pubConn, { replicas: 3 });
  const store = openHistoryStore({ path: join(root, 'archive') });
  let archived = 0;
  const latencies: number[] = [];
  let measuring = false;
  const archiver = new Archiver(subConn, {
    store,
    maxChunk,
    onCommitted: (trades) => {
      for (const c of trades) archived += c.length;
      if (!measuring) return;
      const now = Date.now();
      for (const c of trades) for (let i = 0; i < c.length; i++) latencies.push(now - (c.timestamps[i] as number));
    },
  });
  await archiver.start();
  const publisher = new TradePublisher(jetStreamTarget(jetstream(pubConn)), { windowMs, graceMs, maxInFlight });
  publisher.start();
  const symbols = Array.from({ length: symbolCount }, (_, i) => `B${i}/USDT`);
  let nextId = 1;
  const make = (symbol: string, timestamp: number): Trade => ({ type: 'trade', exchange: 'binance', market: 'spot', symbol, id: String(nextId++), timestamp, localTimestamp: timestamp, price: 100 + (nextId % 1000) / 100, amount: 0.001 * (1 + (nextId % 17)), side: nextId % 2 ? 'buy' : 'sell' });

  // backlog: everything at once, timestamps in the past so every window is due
  const past = Date.now() - 60_000;
  const trades: Trade[] = [];
  for (let i = 0; i < total; i++) trades.push(make(symbols[i % symbolCount]!, past + Math.floor(i / symbolCount)));
  const servers0 = cluster.servers.map((s) => procCpu(s.pid()));
  const self0 = selfCpu();
  const t0 = performance.now();
  publisher.push(trades);
  publisher.flushClosed();
  while (archived < total) await new Promise((r) => setTimeout(r, 5));
  const wall = (performance.now() - t0) / 1000;
  const selfUsed = selfCpu() - self0;
  const serversUsed = cluster.servers.map((s, i) => procCpu(s.pid()) - servers0[i]!);
  const serverSum = serversUsed.reduce((a, b) => a + b, 0);
  const backlog = {
    trades: total,
    symbols: symbolCount,
    messages: publisher.stats.batches,
    windowMs,
    wallSeconds: +wall.toFixed(2),
    tradesPerSecondWall: Math.round(total / wall),
    processCpuSeconds: +selfUsed.toFixed(2),
    natsServersCpuSeconds: +serverSum.toFixed(2),
    tradesPerCpuSecondAll: Math.round(total / (selfUsed + serverSum)),
    maxInFlight,
    asyncTraces: !noAsyncTraces,
    maxChunk,
  };

  // paced: rate trades/s, timestamped now; each wake-up pushes what the elapsed time calls for, so a
  // late timer on a loaded box does not lower the rate
  measuring = true;
  const start = Date.now();
  const end = start + seconds * 1000;
  let pushed = 0;
  const paced0 = archived;
  const pacedCpu0 = selfCpu();
  const pacedServers0 = cluster.servers.map((s) => procCpu(s.pid()));
  while (Date.now() < end) {
    const now = Date.now();
    const due = Math.floor(((now - start) / 1000) * rate) - pushed;
    const batch: Trade[] = [];
    for (let i = 0; i < due; i++) batch.push(make(symbols[(pushed + i) % symbolCount]!, now));
    pushed += due;
    publisher.push(batch);
    await new Promise((r) => setTimeout(r, 10));
  }
  while (archived - paced0 < pushed) await new Promise((r) => setTimeout(r, 5));
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  const pacedServers = cluster.servers.reduce((sum, s, i) => sum + procCpu(s.pid()) - pacedServers0[i]!, 0);
  const paced = {
    targetRate: rate,
    achievedRate: Math.round(pushed / seconds),
    trades: pushed,
    windowMs,
    graceMs,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    maxMs: latencies.at(-1),
    processCpuSeconds: +(selfCpu() - pacedCpu0).toFixed(2),
    natsServersCpuSeconds: +pacedServers.toFixed(2),
  };

  console.log(JSON.stringify({ backlog, paced, duplicatesDropped: publisher.stats.duplicatesDropped, loadavg: loadavg().map((l) => +l.toFixed(2)) }, null, 2));
  await publisher.close();
  await archiver.stop();
  await store.close();
  await pubConn.close();
  await subConn.close();
} finally {
  await cluster.stop();
  rmSync(root, { recursive: true, force: true });
}
