/** `tickvisor cluster status`: what a tickvisor cluster looks like from its NATS JetStream state. */
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { CURSOR_BUCKET, cursorOf, cursorSymbol } from '../../cluster/cursors.js';
import { LEASE_BUCKET } from '../../cluster/kv-leases.js';
import { connectNats } from '../../cluster/nats-connect.js';
import { bucketKeys } from '../../cluster/kv-keys.js';
import { STREAM_NAME } from '../../cluster/subjects.js';
import { TickvisorError } from '../../errors.js';
import { parseArgs, requiredOption, usage } from '../args.js';

export const help = `tickvisor cluster status --nats URL [--json]

What a tickvisor cluster looks like from its NATS servers: the live nodes and how many units each
holds, each work unit's lease (the node
holding it, since when), how far behind the newest trade the stream holds for each unit is
(its published cursors), and the stream ${STREAM_NAME} with its consumers (the archivers: how many
messages each still has to take). Reads only; changes nothing.

  --nats URL   nats://host:port, several separated by commas
  --json       one JSON object on stdout`;

interface LeaseRow {
  unit: string;
  slot: number;
  node: string;
  since?: number;
}

interface UnitCursors {
  unit: string;
  symbols: number;
  /** exchange time of the newest trade the stream holds for the unit */
  newest: number;
  lagMs: number;
}

interface ConsumerRow {
  name: string;
  pending: number;
  ackPending: number;
  delivered: number;
}

interface NodeRow {
  node: string;
  /** wall-clock ms when the node started (announced itself) */
  since?: number;
  /** units (slots) it holds */
  units: number;
}

export interface ClusterStatus {
  at: number;
  /** the live nodes: those whose presence key has not lapsed */
  nodes: NodeRow[];
  leases: LeaseRow[];
  cursors: UnitCursors[];
  stream?: { name: string; messages: number; bytes: number; firstSeq: number; lastSeq: number; replicas: number; consumers: ConsumerRow[] };
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = usage('cluster', () =>
    parseArgs({ args: argv, strict: true, allowPositionals: true, options: { nats: { type: 'string' }, json: { type: 'boolean' } } }),
  );
  if (positionals[0] !== 'status' || positionals.length !== 1) throw new TickvisorError('TV_ERR_USAGE', `expected \`status\` (got ${positionals.join(' ') || 'nothing'}); see tickvisor cluster --help`);
  const urls = requiredOption('cluster', 'nats', values.nats);
  const nc = await connectNats(urls, { name: 'tickvisor-cluster-status' });
  try {
    const status = await readStatus(nc);
    process.stdout.write(values.json ? `${JSON.stringify(status)}\n` : render(status));
    return 0;
  } finally {
    await nc.close().catch(() => undefined);
  }
}

async function readStatus(nc: Parameters<typeof jetstreamManager>[0]): Promise<ClusterStatus> {
  const jsm = await jetstreamManager(nc);
  const at = Date.now();
  const kvm = new Kvm(nc);
  const leases: LeaseRow[] = [];
  const nodes: NodeRow[] = [];
  const leaseKv = await kvm.open(LEASE_BUCKET).catch(() => undefined);
  if (leaseKv) {
    for (const key of await bucketKeys(jsm, LEASE_BUCKET, 'node.>')) {
      const entry = await leaseKv.get(key);
      if (!entry || entry.operation !== 'PUT') continue;
      const value = safeJson(entry.string());
      nodes.push({ node: key.slice('node.'.length), units: 0, ...(typeof value?.since === 'number' ? { since: value.since } : {}) });
    }
    for (const key of await bucketKeys(jsm, LEASE_BUCKET, 'unit.>')) {
      const entry = await leaseKv.get(key);
      if (!entry || entry.operation !== 'PUT') continue;
      const parts = key.split('.');
      const value = safeJson(entry.string());
      leases.push({
        unit: `${parts[1]}:${parts[2]}`,
        slot: parts.length > 3 ? Number(parts[3]) : 0,
        node: typeof value?.node === 'string' ? value.node : '?',
        ...(typeof value?.since === 'number' ? { since: value.since } : {}),
      });
    }
  }
  const cursors: UnitCursors[] = [];
  const cursorKv = await kvm.open(CURSOR_BUCKET).catch(() => undefined);
  if (cursorKv) {
    const byUnit = new Map<string, UnitCursors>();
    for (const key of await bucketKeys(jsm, CURSOR_BUCKET, '>')) {
      const [exchange, market] = key.split('.');
      if (cursorSymbol(key) === undefined) continue;
      const value = cursorOf(await cursorKv.get(key));
      if (value === undefined) continue;
      const unit = `${exchange}:${market}`;
      const row = byUnit.get(unit) ?? { unit, symbols: 0, newest: 0, lagMs: 0 };
      row.symbols++;
      row.newest = Math.max(row.newest, value.timestamp);
      row.lagMs = at - row.newest;
      byUnit.set(unit, row);
    }
    cursors.push(...byUnit.values());
  }
  const info = await jsm.streams.info(STREAM_NAME).catch(() => undefined);
  for (const n of nodes) n.units = leases.filter((l) => l.node === n.node).length;
  const status: ClusterStatus = { at, nodes: nodes.sort((a, b) => a.node.localeCompare(b.node)), leases: leases.sort((a, b) => a.unit.localeCompare(b.unit) || a.slot - b.slot), cursors: cursors.sort((a, b) => a.unit.localeCompare(b.unit)) };
  if (info) {
    const consumers: ConsumerRow[] = [];
    for await (const c of jsm.consumers.list(STREAM_NAME)) {
      consumers.push({ name: c.name, pending: c.num_pending, ackPending: c.num_ack_pending, delivered: c.delivered.stream_seq });
    }
    status.stream = {
      name: STREAM_NAME,
      messages: info.state.messages,
      bytes: info.state.bytes,
      firstSeq: info.state.first_seq,
      lastSeq: info.state.last_seq,
      replicas: info.config.num_replicas,
      consumers,
    };
  }
  return status;
}


function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function render(s: ClusterStatus): string {
  const lines: string[] = [];
  const age = (ms: number) => (ms < 1_000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`);
  lines.push(s.nodes.length ? 'nodes' : 'nodes      none alive');
  for (const n of s.nodes) lines.push(`  ${n.node.padEnd(18)} ${n.units} unit${n.units === 1 ? '' : 's'}${n.since !== undefined ? `  up ${age(s.at - n.since)}` : ''}`);
  lines.push(s.leases.length ? 'leases' : 'leases     none held (no node running, or no cluster yet)');
  for (const l of s.leases) lines.push(`  ${l.unit.padEnd(18)} slot ${l.slot}  ${l.node}${l.since !== undefined ? `  since ${age(s.at - l.since)}` : ''}`);
  lines.push(s.cursors.length ? 'published' : 'published  nothing yet');
  for (const c of s.cursors) lines.push(`  ${c.unit.padEnd(18)} ${c.symbols} symbols, newest trade ${age(c.lagMs)} ago`);
  if (s.stream) {
    const st = s.stream;
    lines.push(`stream     ${st.name}: ${st.messages} messages, ${(st.bytes / 2 ** 20).toFixed(1)} MB, R${st.replicas}, seq ${st.firstSeq}–${st.lastSeq}`);
    for (const c of st.consumers) lines.push(`  consumer ${c.name}: ${c.pending} to take, ${c.ackPending} awaiting ack`);
  } else lines.push(`stream     ${STREAM_NAME} does not exist yet`);
  return `${lines.join('\n')}\n`;
}
