/**
 * Micro-bench of storing order-book records: `symbols` books × `updates` updates of ~`changes`
 * level changes each (half bids, half asks, a fifth of them removals), one snapshot of `levels`
 * levels a side per book at the start and every 600 updates (60 s of 100 ms events), handed to a
 * real BookSink over a real LMDB store in a temp dir, a few records at a time with the event loop
 * turning in between (as frames arrive), then flushed and closed.
 *
 * Reported: CPU-µs per update of storing, all threads (process.cpuUsage: the main thread and LMDB's
 * writer thread, so it holds on a shared machine), as the best round's CPU minus the best baseline
 * round's (the same records made and dropped: making them is the live path's work, not the
 * store's); the split main / other threads from /proc where Linux has it; bytes of data.mdb per
 * update after close. Each round uses a fresh store; the best round counts (least disturbed).
 *
 *   node --import tsx bench/micro/book-store-cost.ts [symbols=50] [updates=2000] [changes=10] [durable=0] [rounds=3] [levels=100]
 *   BOOK_BATCH=N: the sink's batchMaxRecords (default the sink's own)
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

/**
 * The records, made as they are handed over (as frames arrive): records built up front would live
 * through the whole round as old-generation objects the GC traces, which the live path never has.
 * Object literals with the sequence added after, as the book keeper makes them (src/books/book-keeper.ts):
 * records made by spreading a shared base cost ~10 µs each in V8 and slowed every reader of them.
 */
function* makeRecords(): Generator<BookRecord> {
  const rand = lcg(42);
  const T = 1_700_000_000_000;
  const names = Array.from({ length: symbols }, (_, s) => `S${s}USDT`);
  const mids = Array.from({ length: symbols }, (_, s) => 2_615_040 + s * 1000);
  const seqs = Array.from({ length: symbols }, () => 1_000_000 + Math.floor(rand() * 1e6));
  const side = (mid: number, dir: 1 | -1, n: number): BookLevelTuple[] =>
    Array.from({ length: n }, (_, i) => [(mid + dir * (i + 1)) / 100, (1 + Math.floor(rand() * 5000)) / 1000] as BookLevelTuple);
  for (let u = 0; u < updates; u++) {
    for (let s = 0; s < symbols; s++) {
      const timestamp = T + u * 100;
      const localTimestamp = timestamp + 3 + Math.floor(rand() * 3);
      const symbol = names[s]!;
      if (u % SNAPSHOT_EVERY === 0) {
        const snapshot: BookRecord = { type: 'book', exchange: 'binance', market: 'spot', symbol, kind: 'snapshot', timestamp, localTimestamp, bids: side(mids[s]!, -1, levels), asks: side(mids[s]!, 1, levels) };
        snapshot.sequence = seqs[s]!;
        yield snapshot;
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
      const update: BookRecord = { type: 'book', exchange: 'binance', market: 'spot', symbol, kind: 'update', timestamp, localTimestamp, bids, asks };
      update.sequence = seqs[s]!;
      yield update;
    }
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Round {
  usPerUpdate: number;
  mainUs: number;
  otherUs: number;
  bytesPerUpdate: number;
  written: number;
}

/** one round: the records made and handed to the sink (or, `store` false, made and dropped: the baseline) */
async function round(store: boolean): Promise<Round> {
  const dir = mkdtempSync(join(tmpdir(), 'tickvisor-bookcost-'));
  const history = openHistoryStore({ path: dir, noSync: !durable });
  try {
    const sink = new BookSink(history.env, { durable, ...(process.env.BOOK_BATCH ? { batchMaxRecords: Number(process.env.BOOK_BATCH) } : {}) });
    const threads0 = threadCpu();
    const start = process.cpuUsage();
    let made = 0;
    let batch: BookRecord[] = [];
    for (const r of makeRecords()) {
      batch.push(r);
      made++;
      if (batch.length === PER_TURN) {
        if (store) sink.write(batch);
        batch = [];
        await turn();
      }
    }
    if (store) sink.write(batch);
    await sink.close();
    const used = process.cpuUsage(start);
    const threads1 = threadCpu();
    const main = (threads1.get('main') ?? 0) - (threads0.get('main') ?? 0);
    let all = 0;
    for (const [name, s] of threads1) all += s - (threads0.get(name) ?? 0);
    const n = symbols * updates;
    if (store && sink.stats.written !== made) throw new Error(`wrote ${sink.stats.written} of ${made} (shed ${sink.stats.shed})`);
    await history.close();
    const bytes = statSync(join(dir, 'data.mdb')).size;
    return { usPerUpdate: (used.user + used.system) / n, mainUs: (main * 1e6) / n, otherUs: ((all - main) * 1e6) / n, bytesPerUpdate: bytes / n, written: sink.stats.written };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const stored: Round[] = [];
const baseline: Round[] = [];
// rounds alternate, so a change in the machine's load touches both; the first warms the code up
for (let i = 0; i < rounds; i++) {
  baseline.push(await round(false));
  stored.push(await round(true));
}
const byCpu = (a: Round, b: Round) => a.usPerUpdate - b.usPerUpdate;
stored.sort(byCpu);
baseline.sort(byCpu);
const best = stored[0]!;
const base = baseline[0]!;
const median = stored[Math.floor(stored.length / 2)]!;
console.log(
  `symbols=${symbols} updates=${updates} changes=${changes} levels=${levels} durable=${durable ? 1 : 0}: ` +
    `storing ${(best.usPerUpdate - base.usPerUpdate).toFixed(2)} CPU-µs per update ` +
    `(best round ${best.usPerUpdate.toFixed(2)}: main ${best.mainUs.toFixed(2)}, other threads ${best.otherUs.toFixed(2)}; ` +
    `median ${median.usPerUpdate.toFixed(2)}; making the records alone ${base.usPerUpdate.toFixed(2)}: main ${base.mainUs.toFixed(2)}, other threads ${base.otherUs.toFixed(2)}); ` +
    `data.mdb ${best.bytesPerUpdate.toFixed(1)} bytes per update; ${best.written} records`,
);
