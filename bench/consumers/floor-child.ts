// The floor peer: a bare `ws` + `JSON.parse` client, optionally with one LMDB put per trade
// (the "≈ 6 CPU-s per million" variant). Nothing else: no validation, no state machines.
// A trade counts when parsed (bare) or when its put has committed (lmdb), like tickvisor's commit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import WebSocket from 'ws';
import { burstHandlers } from '../lib/burst-handlers.js';
import { serve } from '../lib/protocol.js';

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
      const msg = JSON.parse(data.toString()) as { e?: string; s?: string; t?: number; id?: number; result?: unknown };
      if (msg.e === 'trade') {
        if (store) void store.put([msg.s!, msg.t!], msg).then(() => trades++);
        else trades++;
      } else if (msg.id === 1) resolve(true);
    });
  });
}

serve(
  { start, ...burstHandlers(() => trades) },
  async () => {
    socket?.terminate();
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
);
