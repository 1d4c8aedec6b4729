/**
 * Store figures, not a test: writes 1,000,000 Binance-like trades into a fresh store in batches of
 * 1,000 (durable commits, as the collector writes) and reports bytes per trade on disk, write
 * trades/s, read records/s (readRange) and read columnar trades/s (readTradeColumns); once for one
 * symbol and once for 50 symbols interleaved.
 *
 *   npx tsx scripts/store-figures.ts [--trades N] [--json]
 *
 * Write trades/s include each batch's fsync (durable commits), so they depend on the disk; the
 * CPU-seconds per million do not. Reads are the best of three passes, in wall time and in CPU time
 * (steadier when other work shares the machine).
 * Bytes on disk are the pages the store's databases use (LMDB stat: branch + leaf + overflow pages
 * × page size), which is what the data costs; data.mdb's size is printed too (it also holds free
 * pages LMDB keeps for reuse).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Trade } from '../src/records.js';
import { openHistoryStore } from '../src/store/index.js';

interface Figures {
  symbols: number;
  trades: number;
  bytesPerTrade: number;
  fileBytesPerTrade: number;
  writeTradesPerSec: number;
  /** CPU of the whole write loop (generating the trades included) per million: fsync waits do not count */
  writeCpuSecPerMillion: number;
  readTradesPerSec: number;
  readColumnarTradesPerSec: number;
  /** the same reads per CPU-second (best pass): far steadier than wall time on a shared machine */
  readTradesPerCpuSec: number;
  readColumnarTradesPerCpuSec: number;
}

const args = process.argv.slice(2);
const total = Number(args[args.indexOf('--trades') + 1] ?? 0) || 1_000_000;
const asJson = args.includes('--json');
const BATCH = 1_000;

/** Binance-like: consecutive ids, a few trades per millisecond, a price walking in cents */
function* binanceLike(symbols: number, count: number): Generator<Trade> {
  let a = 12345;
  const rand = () => ((a = (Math.imul(a ^ (a >>> 15), 2246822519) + 0x9e3779b9) >>> 0) / 4294967296);
  const state = Array.from({ length: symbols }, (_, s) => ({ id: 4_800_000_000 + s * 1e7, ts: 1_767_225_600_000, price: 87_000 + s }));
  for (let i = 0; i < count; i++) {
    const s = i % symbols;
    const st = state[s] as (typeof state)[number];
    st.id++;
    if (rand() < 0.3) st.ts += 1 + Math.floor(rand() * 20);
    st.price = Math.round((st.price + (rand() - 0.5) * 2) * 100) / 100;
    yield {
      type: 'trade', exchange: 'binance', market: 'spot', symbol: symbols === 1 ? 'BTC/USDT' : `S${s}/USDT`,
      id: String(st.id), price: st.price, amount: Math.round(rand() * 1e5) / 1e5 + 0.00001, side: rand() < 0.5 ? 'buy' : 'sell',
      timestamp: st.ts, localTimestamp: st.ts + 2 + Math.floor(rand() * 8),
    };
  }
}

function usedBytes(env: ReturnType<typeof openHistoryStore>['env']): number {
  let pages = 0;
  let pageSize = 4096;
  for (const name of ['tradeBlocks', 'tickerBlocks', 'cursors', 'tradeIds', 'idBlocks', 'tails']) {
    const stat = env.openDB({ name, encoding: 'binary' }).getStats() as { pageSize?: number; treeBranchPageCount?: number; treeLeafPageCount?: number; overflowPages?: number };
    pageSize = stat.pageSize ?? pageSize;
    pages += (stat.treeBranchPageCount ?? 0) + (stat.treeLeafPageCount ?? 0) + (stat.overflowPages ?? 0);
  }
  return pages * pageSize;
}

async function measure(symbols: number): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'tickvisor-figures-'));
  try {
    const store = openHistoryStore({ path: dir });
    let batch: Trade[] = [];
    let writeMs = 0;
    const cpu0 = process.cpuUsage();
    for (const t of binanceLike(symbols, total)) {
      batch.push(t);
      if (batch.length === BATCH) {
        const t0 = performance.now();
        await store.writeBatch(batch);
        writeMs += performance.now() - t0;
        batch = [];
      }
    }
    if (batch.length > 0) await store.writeBatch(batch);
    const cpu = process.cpuUsage(cpu0);
    const bytes = usedBytes(store.env);
    const fileBytes = statSync(join(dir, 'data.mdb')).size;

    const names = symbols === 1 ? ['BTC/USDT'] : Array.from({ length: symbols }, (_, s) => `S${s}/USDT`);
    // reads: the best of three passes (the first also pays page faults and compilation)
    let read = 0;
    let readMs = Infinity;
    let readCpuMs = Infinity;
    for (let pass = 0; pass < 3; pass++) {
      read = 0;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      for (const symbol of names) {
        for (const r of store.readRange({ exchange: 'binance', market: 'spot', symbol, type: 'trade' })) if (r.timestamp > 0) read++;
      }
      readMs = Math.min(readMs, performance.now() - t0);
      readCpuMs = Math.min(readCpuMs, cpuMs(process.cpuUsage(c0)));
    }
    let columnar = 0;
    let sum = 0;
    let columnarMs = Infinity;
    let columnarCpuMs = Infinity;
    for (let pass = 0; pass < 3; pass++) {
      columnar = 0;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      for (const symbol of names) {
        for (const c of store.readTradeColumns({ exchange: 'binance', market: 'spot', symbol })) {
          columnar += c.length;
          for (let i = 0; i < c.length; i++) sum += c.prices[i] as number;
        }
      }
      columnarMs = Math.min(columnarMs, performance.now() - t0);
      columnarCpuMs = Math.min(columnarCpuMs, cpuMs(process.cpuUsage(c0)));
    }
    await store.close();
    if (read !== total || columnar !== total || !(sum > 0)) throw new Error(`read ${read} / ${columnar} of ${total}`);
    return {
      symbols, trades: total,
      bytesPerTrade: round(bytes / total),
      fileBytesPerTrade: round(fileBytes / total),
      writeTradesPerSec: Math.round(total / (writeMs / 1000)),
      writeCpuSecPerMillion: round(((cpu.user + cpu.system) / 1e6) * (1e6 / total)),
      readTradesPerSec: Math.round(read / (readMs / 1000)),
      readColumnarTradesPerSec: Math.round(columnar / (columnarMs / 1000)),
      readTradesPerCpuSec: Math.round(read / (readCpuMs / 1000)),
      readColumnarTradesPerCpuSec: Math.round(columnar / (columnarCpuMs / 1000)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

const results = [await measure(1), await measure(50)];
if (asJson) process.stdout.write(JSON.stringify(results) + '\n');
else {
  for (const r of results) {
    process.stdout.write(
      `${r.symbols} symbol(s), ${r.trades} trades: ${r.bytesPerTrade} B/trade in pages (${r.fileBytesPerTrade} B/trade data.mdb), ` +
        `write ${r.writeTradesPerSec}/s (${r.writeCpuSecPerMillion} CPU-s per million), read ${r.readTradesPerSec}/s (${r.readTradesPerCpuSec}/CPU-s), ` +
        `columnar ${r.readColumnarTradesPerSec}/s (${r.readColumnarTradesPerCpuSec}/CPU-s)\n`,
    );
  }
}
