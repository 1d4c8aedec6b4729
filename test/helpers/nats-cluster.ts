/** The tests' NATS cluster is the one `simulate` starts for cluster scenarios. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { retryJetStreamSetup } from '../../src/cluster/setup-retry.js';
import { ensureStream } from '../../src/cluster/stream.js';
import { systemClock } from '../../src/time/clock.js';
import { startNatsCluster, type NatsCluster } from '../../src/simulate/nats-cluster.js';

export { natsSkip, startNatsCluster, type NatsCluster, type NatsServerHandle } from '../../src/simulate/nats-cluster.js';

export interface StreamCluster {
  /** the servers' URLs, comma-separated (for a CLI child) */
  readonly urls: string;
  /** a temp directory for the test's stores, removed after the suite */
  readonly root: string;
  /** a new connection, closed after the suite */
  conn(): Promise<NatsConnection>;
}

/**
 * Call inside a `describe`: a 3-server cluster with the R3 stream, started before the suite's
 * tests and stopped after them, with a temp directory and every connection handed out closed.
 */
export function streamCluster(tmpPrefix: string): StreamCluster {
  let cluster: NatsCluster | undefined;
  let root = '';
  const connections: NatsConnection[] = [];
  const conn = async () => {
    if (cluster === undefined) throw new Error('the NATS cluster is not started (streamCluster is used outside its describe)');
    const nc = await connect({ servers: cluster.urls.split(',') });
    connections.push(nc);
    return nc;
  };
  before(async () => {
    cluster = await startNatsCluster(3);
    root = mkdtempSync(join(tmpdir(), tmpPrefix));
    const nc = await conn();
    // as a node and the archiver do: a server can still be refusing placement ("no suitable peers",
    // its file store not yet reported to the meta leader) just after the cluster answered
    await retryJetStreamSetup(() => ensureStream(nc, { replicas: 3 }), { clock: systemClock, what: 'the test stream' });
  });
  after(async () => {
    await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
    await cluster?.stop();
    if (root !== '') rmSync(root, { recursive: true, force: true });
  });
  return {
    get urls() {
      return cluster?.urls ?? '';
    },
    get root() {
      return root;
    },
    conn,
  };
}
