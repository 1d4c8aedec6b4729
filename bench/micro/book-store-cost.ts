/**
 * Micro-bench of storing order-book records: `symbols` books × `updates` updates of ~`changes`
 * level changes each (half bids, half asks, a fifth of them removals), one snapshot of `levels`
 * levels a side per book at the start and every 600 updates (60 s of 100 ms events), handed to a
 * real BookSink over a real LMDB store in a temp dir, a few records at a time with the event loop
 * turning in between (as frames arrive), then flushed and closed.
 *
 * Reported: CPU-µs per update, all threads (process.cpuUsage: the main thread and LMDB's writer
 * thread, so it holds on a shared machine), split main / other threads from /proc where Linux has
 * it; bytes of data.mdb per update after close. The records are built before the clock starts.
 * Each round uses a fresh store; the best round is reported (least disturbed), the median beside it.
 *
 *   node --import tsx bench/micro/book-store-cost.ts [symbols=50] [updates=2000] [changes=10] [durable=0] [rounds=3] [levels=100]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BookLevelTuple, BookRecord } from '../../src/records.js';
import { BookSink, openHistoryStore } from '../../src/store/index.js';
import { threadCpu } from '../lib/thread-cpu.js';

const symbols = Number(process.argv[2] ?? 50);
const updates = Number(process.argv[3] ?? 2000);
const changes = Number(process.argv[4] ?? 10);
const durable = process.argv[5] === '1';
const rounds = Number(process.argv[6] ?? 3);
const levels = Number(process.argv[7] ?? 100);
const SNAPSHOT_EVERY = 600;
/** records handed over between two turns of the event loop: one burst of frames */
const PER_TURN = 50;

/** a small deterministic generator, so every round stores the same records */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeRecords(): BookRecord[] {
  const rand = lcg(42);
  const out: BookRecord[] = [];
  const T = 1_700_000_000_000;
  const mids = Array.from({ length: symbols }, (_, s) => 2_615_040 + s * 1000);
  const seqs = Array.from({ length: symbols }, () => 1_000_000 + Math.floor(rand() * 1e6));
  const side = (mid: number, dir: 1 | -1, n: number): BookLevelTuple[] =>
    Array.from({ length: n }, (_, i) => [(mid + dir * (i + 1)) / 100, (1 + Math.floor(rand() * 5000)) / 1000] as BookLevelTuple);
  for (let u = 0; u < updates; u++) {
    for (let s = 0; s < symbols; s++) {
      const time = T + u * 100;
      const local = time + 3 + Math.floor(rand() * 3);
      const base = { type: 'book', exchange: 'binance', market: 'spot', symbol: `S${s}USDT` } as const;
      if (u % SNAPSHOT_EVERY === 0) {
        out.push({ ...base, kind: 'snapshot', timestamp: time, localTimestamp: local, sequence: seqs[s]!, bids: side(mids[s]!, -1, levels), asks: side(mids[s]!, 1, levels) });
      }
      if (rand() < 0.2) mids[s]! += Math.floor(rand() * 5) - 2;
      const bids: BookLevelTuple[] = [];
      const asks: BookLevelTuple[] = [];
      for (let c = 0; c < changes; c++) {
        const bid = c % 2 === 0;
        const price = (mids[s]! + (bid ? -1 : 1) * (1 + Math.floor(rand() * 50))) / 100;
        const amount = rand() < 0.2 ? 0 : (1 + Math.floor(rand() * 5000)) / 1000;
        (bid ? bids : asks).push([price, amount]);
      }
      seqs[s]! += changes;
      out.push({ ...base, kind: 'update', timestamp: time, localTimestamp: local, sequence: seqs[s]!, bids, asks });
    }
  }
  return out;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Round {
  usPerUpdate: number;
  mainUs: number;
  otherUs: number;
  bytesPerUpdate: number;
  written: number;
}

async function round(records: readonly BookRecord[]): Promise<Round> {
  const dir = mkdtempSync(join(tmpdir(), 'tickvisor-bookcost-'));
  const store = openHistoryStore({ path: dir, noSync: !durable });
  try {
    const sink = new BookSink(store.env, { durable });
    const threads0 = threadCpu();
    const start = process.cpuUsage();
    for (let i = 0; i < records.length; i += PER_TURN) {
      sink.write(records.slice(i, i + PER_TURN));
      await turn();
    }
    await sink.close();
    const used = process.cpuUsage(start);
    const threads1 = threadCpu();
    const main = (threads1.get('main') ?? 0) - (threads0.get('main') ?? 0);
    let all = 0;
    for (const [name, s] of threads1) all += s - (threads0.get(name) ?? 0);
    const n = symbols * updates;
    if (sink.stats.written !== records.length) throw new Error(`wrote ${sink.stats.written} of ${records.length} (shed ${sink.stats.shed})`);
    await store.close();
    const bytes = statSync(join(dir, 'data.mdb')).size;
    return {
      usPerUpdate: (used.user + used.system) / n,
      mainUs: (main * 1e6) / n,
      otherUs: ((all - main) * 1e6) / n,
      bytesPerUpdate: bytes / n,
      written: sink.stats.written,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const records = makeRecords();
const results: Round[] = [];
// a first round warms the code up; it is reported with the rest (the best is what counts)
for (let i = 0; i < rounds; i++) results.push(await round(records));
results.sort((a, b) => a.usPerUpdate - b.usPerUpdate);
const best = results[0]!;
const median = results[Math.floor(results.length / 2)]!;
console.log(
  `symbols=${symbols} updates=${updates} changes=${changes} levels=${levels} durable=${durable ? 1 : 0}: ` +
    `best ${best.usPerUpdate.toFixed(2)} CPU-µs per update (main ${best.mainUs.toFixed(2)}, other threads ${best.otherUs.toFixed(2)}), ` +
    `median ${median.usPerUpdate.toFixed(2)}; data.mdb ${best.bytesPerUpdate.toFixed(1)} bytes per update; ${best.written} records`,
);
