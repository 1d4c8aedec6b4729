/**
 * A real NATS cluster on loopback, for scripted cluster runs, tests and the bench: M `nats-server`
 * processes with JetStream, routed to each other on loopback ports picked free, each with its own
 * temporary store directory. Tests that need it skip with `natsSkip` (a note saying how to install
 * it) when `nats-server` is not on the PATH; `simulate` refuses in one line.
 */
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/**
 * Debian installs nats-server in /usr/sbin, which is not on an ordinary user's PATH: the PATH
 * first, then the sbin directories; `TICKVISOR_NATS_SERVER` names the binary instead.
 */
const candidates = process.env.TICKVISOR_NATS_SERVER ? [process.env.TICKVISOR_NATS_SERVER] : ['nats-server', '/usr/sbin/nats-server', '/usr/local/sbin/nats-server'];
const NATS_SERVER = candidates.find((bin) => spawnSync(bin, ['--version'], { encoding: 'utf8' }).status === 0);

/** `false`, or why a test needing a NATS cluster is skipped (node:test's `skip` option) */
export const natsSkip: false | string = NATS_SERVER !== undefined ? false : 'nats-server is not installed (Debian: apt-get install nats-server): NATS test skipped';

export interface NatsServerHandle {
  readonly name: string;
  /** client URL, nats://127.0.0.1:port */
  readonly url: string;
  readonly monitorUrl: string;
  running(): boolean;
  /** the process id while running (CPU accounting in the bench) */
  pid(): number | undefined;
}

export interface NatsCluster {
  readonly servers: readonly NatsServerHandle[];
  /** every client URL, comma-separated (what a client given the whole cluster takes) */
  readonly urls: string;
  /** SIGKILL one server (a crash: no lame-duck, no goodbye to its routes) */
  kill(index: number): Promise<void>;
  /** starts a killed server again on the same ports and store */
  restart(index: number): Promise<void>;
  /** resolves once some server reports a JetStream meta leader and every running server is healthy */
  waitReady(timeoutMs?: number): Promise<void>;
  /** kills every server and removes the store directories */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface ServerSpec {
  name: string;
  port: number;
  clusterPort: number;
  monitorPort: number;
  dir: string;
  config: string;
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** creates and deletes a memory stream with `replicas` replicas; throws what JetStream answered */
async function probePlacement(urls: string[], replicas: number): Promise<void> {
  const nc = await connect({ servers: urls, timeout: 1_000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 1_000 });
    const name = `TV_READY_${randomBytes(4).toString('hex')}`;
    await jsm.streams.add({ name, subjects: [`_tv_ready.${name}`], storage: StorageType.Memory, num_replicas: replicas });
    await jsm.streams.delete(name);
  } finally {
    await nc.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `size` servers (3 by default) and waits until JetStream has a meta leader. */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const root = mkdtempSync(join(tmpdir(), 'tv-nats-'));
  // a name of its own: a server left over from another cluster (a killed run's) whose routes point
  // at ports this one now listens on must be refused, not merged in with its own JetStream state
  const clusterName = `tv-${process.pid}-${randomBytes(4).toString('hex')}`;
  const specs: ServerSpec[] = [];
  for (let i = 0; i < size; i++) {
    const dir = join(root, `n${i + 1}`);
    specs.push({ name: `n${i + 1}`, port: await freePort(), clusterPort: await freePort(), monitorPort: await freePort(), dir, config: join(root, `n${i + 1}.conf`) });
  }
  for (const spec of specs) {
    const routes = specs.filter((s) => s !== spec).map((s) => `nats-route://127.0.0.1:${s.clusterPort}`);
    writeFileSync(
      spec.config,
      [
        `server_name: ${spec.name}`,
        `listen: 127.0.0.1:${spec.port}`,
        `http: 127.0.0.1:${spec.monitorPort}`,
        `jetstream { store_dir: "${spec.dir}", max_memory_store: 256MB, max_file_store: 2GB }`,
        // no_advertise: clients keep to the URLs they were given, so a client connected through a
        // proxy (isolate-node) cannot slip past it to a server the cluster told it about
        ...(size > 1 ? [`cluster { name: ${clusterName}, listen: 127.0.0.1:${spec.clusterPort}, no_advertise: true, routes: [${routes.join(', ')}] }`] : []),
        '',
      ].join('\n'),
    );
  }
  const processes: (ChildProcess | undefined)[] = specs.map(() => undefined);
  const launch = (i: number) => {
    const child = spawn(NATS_SERVER ?? 'nats-server', ['-c', specs[i]!.config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => {
      // the tail only: enough to say why a server died
      log = (log + d.toString()).slice(-4_000);
    });
    child.on('exit', (code, signal) => {
      if (processes[i] === child && signal !== 'SIGKILL' && signal !== 'SIGTERM' && code !== 0) process.stderr.write(`nats-server ${specs[i]!.name} exited ${code ?? signal}: ${log}\n`);
    });
    processes[i] = child;
  };
  specs.forEach((_, i) => launch(i));
  // a test process that dies (a timeout, an uncaught error) must not leave servers behind
  const reap = () => {
    processes.forEach((child) => child?.kill('SIGKILL'));
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', reap);

  const servers: NatsServerHandle[] = specs.map((spec, i) => ({
    name: spec.name,
    url: `nats://127.0.0.1:${spec.port}`,
    monitorUrl: `http://127.0.0.1:${spec.monitorPort}`,
    running: () => processes[i] !== undefined && processes[i]!.exitCode === null && processes[i]!.signalCode === null,
    pid: () => processes[i]?.pid,
  }));

  const stopOne = async (i: number, signal: NodeJS.Signals) => {
    const child = processes[i];
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };

  const cluster: NatsCluster = {
    servers,
    urls: servers.map((s) => s.url).join(','),
    async kill(index) {
      await stopOne(index, 'SIGKILL');
    },
    async restart(index) {
      await stopOne(index, 'SIGKILL');
      launch(index);
    },
    async waitReady(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last = 'no answer yet';
      while (Date.now() < deadline) {
        try {
          // every running server healthy, routed to every other running one, and agreeing on one
          // JetStream meta leader: a server that is up but not yet part of the cluster answers
          // JetStream requests from its own view (a stream "not found" that the others hold)
          const running = servers.filter((s) => s.running());
          const leaders = new Set<string>();
          for (const server of running) {
            const health = (await getJson(`${server.monitorUrl}/healthz`)) as { status?: string };
            if (health.status !== 'ok') throw new Error(`${server.name} not healthy: ${JSON.stringify(health)}`);
            if (size === 1) continue;
            const routez = (await getJson(`${server.monitorUrl}/routez`)) as { num_routes?: number };
            if ((routez.num_routes ?? 0) < running.length - 1) throw new Error(`${server.name} has ${routez.num_routes ?? 0} routes of ${running.length - 1}`);
            const jsz = (await getJson(`${server.monitorUrl}/jsz`)) as { meta_cluster?: { leader?: string } };
            leaders.add(jsz.meta_cluster?.leader ?? '');
          }
          if (size === 1) return;
          if (leaders.size !== 1 || leaders.has('')) {
            last = `JetStream meta leader ${leaders.has('') ? 'not known to every server' : `not agreed: ${[...leaders].join(', ')}`}`;
          } else {
            // an agreed leader may not yet have heard every peer's resources, and until it has it
            // refuses a replicated stream ("no suitable peers for placement"): place one to see
            await probePlacement(running.map((s) => s.url), running.length);
            return;
          }
        } catch (error) {
          last = error instanceof Error ? error.message : String(error);
        }
        await sleep(100);
      }
      throw new Error(`NATS cluster not ready within ${timeoutMs} ms: ${last}`);
    },
    async stop() {
      process.removeListener('exit', reap);
      await Promise.all(specs.map((_, i) => stopOne(i, 'SIGKILL')));
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await cluster.waitReady();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
