// The archiver of the bench's cluster section, in its own process: what `tickvisor archive` runs
// (Archiver over a durable pull consumer of the stream, into a history store in a temp dir), with
// the burst meter counting trades newly stored (distinct: the store's id guard drops a repeat) and
// latency samples taken when a chunk's transaction has committed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { Archiver } from '../../src/cluster/archiver.js';
import { connectNats } from '../../src/cluster/nats-connect.js';
import { retryJetStreamSetup } from '../../src/cluster/setup-retry.js';
import { ensureStream } from '../../src/cluster/stream.js';
import { systemClock } from '../../src/time/clock.js';
import { openHistoryStore, type HistoryStore } from '../../src/store/index.js';
import { burstHandlers } from '../lib/burst-handlers.js';
import { serve } from '../lib/protocol.js';
import { SplitLatency } from '../lib/split-latency.js';

interface StartArg {
  /** every server's URL, comma-separated */
  urls: string;
  replicas: number;
  /** messages per store transaction at most (the Archiver's default when absent) */
  maxChunk?: number;
}

let running: { nc: NatsConnection; store: HistoryStore; archiver: Archiver; dir: string } | undefined;
/** exchange → archive, and its two parts: exchange → the node read the frame (localTimestamp), node → archive */
let latency: SplitLatency | undefined;
/** store transactions committed: messages per commit says how well chunks gathered */
let commits = 0;
const need = () => {
  if (!running) throw new Error('archiver not started');
  return running;
};
const written = () => running?.archiver.stats.written ?? 0;

serve(
  {
    start: async (arg: StartArg) => {
      const nc = await connectNats(arg.urls, { name: 'tickvisor-bench-archiver' });
      // as the archiver command does: right after the cluster formed, placement can still be refused
      await retryJetStreamSetup(() => ensureStream(nc, { replicas: arg.replicas }), { clock: systemClock, what: 'the bench stream' });
      const dir = mkdtempSync(join(tmpdir(), 'tickvisor-bench-archive-'));
      const store = openHistoryStore({ path: dir });
      const archiver = new Archiver(nc, {
        store,
        ...(arg.maxChunk !== undefined ? { maxChunk: arg.maxChunk } : {}),
        onCommitted: (trades) => {
          commits += 1;
          if (latency === undefined) return;
          // committed in the archive now: exchange timestamp → here (one clock: the same machine)
          const now = Date.now();
          for (const c of trades) {
            for (let i = 0; i < c.length; i++) {
              const timestamp = c.timestamps[i] as number;
              const localTimestamp = c.localTimestamps[i] as number;
              latency.push(timestamp, localTimestamp, now);
            }
          }
        },
      });
      await archiver.start();
      running = { nc, store, archiver, dir };
      return true;
    },
    ...burstHandlers(written),
    latencyStart: () => {
      latency = new SplitLatency();
      return true;
    },
    latencyStop: () => {
      if (latency === undefined) throw new Error('latencyStop before latencyStart');
      const { whole, first, second } = latency.result();
      latency = undefined;
      return { ...whole, toNode: first, nodeToArchive: second };
    },
    stats: () => ({ ...need().archiver.stats, commits }),
    /** this process's CPU so far (user + system, every thread: LMDB's writer included), seconds */
    cpuSeconds: () => {
      const c = process.cpuUsage();
      return (c.user + c.system) / 1e6;
    },
  },
  async () => {
    const r = running;
    running = undefined;
    if (!r) return;
    await r.archiver.stop().catch(() => undefined);
    await r.store.close();
    await r.nc.close().catch(() => undefined);
    rmSync(r.dir, { recursive: true, force: true });
  },
);
