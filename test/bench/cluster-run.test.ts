/**
 * `npm run bench -- --quick --json --only=cluster` end to end on a real 3-server NATS cluster
 * (skipped without nats-server): one JSON object on stdout whose `cluster` section holds the burst
 * archived through the stream, each process's CPU, the paced latency, and the two target rows
 * carrying the section's own figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { natsSkip } from '../../src/simulate/nats-cluster.js';

const TRADES = 20_000;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

interface ClusterSection {
  servers: number;
  replicas: number;
  graceMs: number | 'measured';
  sent: number;
  archived: number;
  deliveredPct: number;
  tradesPerSec: number;
  messages: number;
  tradesPerMessage: number;
  messagesPerCommit: number;
  cpuSecPerMillion: { node: number; archiver: number; servers: number; total: number };
  paced: Array<{ rate: number; archivedPerSec: number; messagesPerSec: number; samples: number; p50Ms: number; p99Ms: number; maxMs: number; cpuPct: Record<string, number> }>;
  pacedRate: number;
  p50Ms: number;
  p99Ms: number;
  compareWith: string;
  loadavg: number[];
}

test('the quick bench reports the cluster section and its target rows, as JSON', { skip: natsSkip, timeout: 600_000 }, () => {
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/run.ts', '--quick', '--json', '--only=cluster', `--cluster-trades=${TRADES}`], {
    encoding: 'utf8',
    timeout: 580_000,
    maxBuffer: 64 << 20,
  });
  assert.equal(run.status, 0, `bench exited ${run.status}:\n${run.stderr.slice(-3_000)}`);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'stdout holds exactly the JSON object');
  const out = JSON.parse(lines[0]!) as { cluster: ClusterSection | { error: string }; targets: Array<{ figure: string; measured: number | null; peer: number | null; met: boolean | null }> };
  const c = out.cluster;
  assert.ok(!('error' in c), `cluster section failed: ${'error' in c ? c.error : ''}`);
  assert.equal(c.servers, 3);
  assert.equal(c.replicas, 3);
  assert.equal(c.sent, TRADES);
  // one node on loopback loses nothing between the exchange and the archive, and stores each trade once
  assert.equal(c.archived, TRADES);
  assert.equal(c.deliveredPct, 100);
  for (const k of ['tradesPerSec', 'messages', 'tradesPerMessage', 'messagesPerCommit'] as const) assert.ok(isNum(c[k]) && c[k] > 0, `${k} = ${c[k]}`);
  // a message is one symbol's window: never more messages than trades
  assert.ok(c.messages <= TRADES);
  for (const k of ['node', 'archiver', 'servers'] as const) assert.ok(isNum(c.cpuSecPerMillion[k]) && c.cpuSecPerMillion[k] > 0, `cpu ${k} = ${c.cpuSecPerMillion[k]}`);
  assert.ok(Math.abs(c.cpuSecPerMillion.total - (c.cpuSecPerMillion.node + c.cpuSecPerMillion.archiver + c.cpuSecPerMillion.servers)) <= 0.011);
  // the quick plan paces one rate
  assert.equal(c.paced.length, 1);
  const p = c.paced[0]!;
  assert.equal(c.pacedRate, p.rate);
  assert.ok(p.samples > 0 && isNum(p.archivedPerSec) && p.archivedPerSec > 0);
  // the publisher holds a window past its end by its grace, measured but never under 20 ms
  // (cluster/lateness.ts): nothing reaches the archive sooner than that
  assert.equal(c.graceMs, 'measured');
  assert.ok(p.p50Ms >= 20 && p.p50Ms <= p.p99Ms && p.p99Ms <= p.maxMs, `p50 ${p.p50Ms} p99 ${p.p99Ms} max ${p.maxMs}`);
  assert.equal(c.p99Ms, p.p99Ms);
  assert.equal(c.compareWith, 'burst.tradesPerSec');
  assert.equal(c.loadavg.length, 3);

  const rate = out.targets.find((t) => t.figure.startsWith('cluster archived'))!;
  assert.equal(rate.measured, c.tradesPerSec);
  assert.equal(rate.met, c.tradesPerSec >= 150_000);
  assert.equal(rate.peer, null, 'the burst section did not run: no single-process figure beside it');
  const p99 = out.targets.find((t) => t.figure.startsWith('cluster p99'))!;
  assert.equal(p99.measured, c.p99Ms);
  assert.equal(p99.met, c.p99Ms <= 250);
  assert.match(run.stderr, /^cluster\s+\S+ trades archived through 3 servers/m);
});
