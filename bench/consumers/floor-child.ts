// The floor peer: a bare `ws` + `JSON.parse` client, optionally with one LMDB put per trade
// (the "≈ 6 CPU-s per million" variant). Nothing else: no validation, no state machines.
// A trade counts when parsed (bare) or when its put has committed (lmdb), like tickvisor's commit.
// In the latency scenario it is the peer: the same exchange time → stored figure for a client that
// does nothing but parse and let lmdb-js batch its puts into durable commits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import WebSocket from 'ws';
import { burstHandlers } from '../lib/burst-handlers.js';
import { serve } from '../lib/protocol.js';
import { SplitLatency } from '../lib/split-latency.js';

interface StartArg {
  wsUrl: string;
  /** native stream names, e.g. btcusdt@trade */
  streams: string[];
  lmdb: boolean;
}

let trades = 0;
let socket: WebSocket | undefined;
let db: RootDatabase | undefined;
let dir: string | undefined;
/** exchange time → stored, split at the frame's arrival (as tickvisor-child measures it) */
let latency: SplitLatency | undefined;

function sample(exchangeTime: number, arrival: number): void {
  latency?.push(exchangeTime, arrival, Date.now());
}

function start(arg: StartArg): Promise<boolean> {
  if (arg.lmdb) {
    dir = mkdtempSync(join(tmpdir(), 'tickvisor-bench-floor-'));
    db = open({ path: dir });
  }
  const store = db;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(arg.wsUrl, { perMessageDeflate: false });
    socket = ws;
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: arg.streams, id: 1 })));
    ws.on('message', (data) => {
      const arrival = Date.now();
      const msg = JSON.parse(data.toString()) as { e?: string; s?: string; t?: number; T?: number; id?: number; result?: unknown };
      if (msg.e === 'trade') {
        if (store) {
          const put = store.put([msg.s!, msg.t!], msg);
          // a put resolves once its commit is visible; "stored" means durable, as for tickvisor
          if (latency !== undefined) void put.then(() => store.flushed).then(() => sample(msg.T!, arrival));
          else void put.then(() => trades++);
        } else {
          trades++;
          sample(msg.T!, arrival);
        }
      } else if (msg.id === 1) resolve(true);
    });
  });
}

serve(
  {
    start,
    ...burstHandlers(() => trades),
    latencyStart: () => {
      latency = new SplitLatency();
      return true;
    },
    latencyStop: () => {
      if (latency === undefined) throw new Error('latencyStop before latencyStart');
      const { whole, first, second } = latency.result();
      latency = undefined;
      return { ...whole, before: first, inside: second };
    },
  },
  async () => {
    socket?.terminate();
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
);
