/**
 * The store's read path taken apart, in CPU time (steadier than wall time on a shared machine):
 * the bench's series written once into a store kept between runs, then the best of several passes
 * of each layer on its own:
 *   lmdb      the block values of the range, nothing decoded (what a read cannot avoid)
 *   decode    the same values decoded from memory into reused columns (the codec alone)
 *   columns   readTradeColumns (lmdb + decode + trimming)
 *   reused    readTradeColumns with { reuse: true } (no new memory per block)
 *   records   readRange (columns + one Trade object per row)
 *
 *   node --expose-gc --import tsx bench/store/read-micro.ts [--trades N] [--dir PATH] [--passes N] [--fresh]
 *
 * Not part of `npm run bench`: a tool for changing the read path, not a figure of the issue.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHistoryStore } from '../../src/store/index.js';
import type { OpenedHistoryStore } from '../../src/store/open.js';
import { openHistoryStore as openStore } from '../../src/store/open.js';
import { decodeTradeBlock } from '../../src/store/blocks/codecs.js';
import { ReusedColumns } from '../../src/store/blocks/column-memory.js';
import { blocksInRange } from '../../src/store/read-blocks.js';
import { symbolPrefix } from '../../src/store/keys.js';
import type { BlockDb } from '../../src/store/block-store.js';
import { lotsOf } from './columnar-read.js';
import { SERIES_SYMBOL, tradeSeries } from './trade-series.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const count = Number(arg('--trades') ?? 1_000_000);
// --fresh: written in this process first, as the bench does (the write path's JIT state is then present)
const fresh = args.includes('--fresh');
const dir = arg('--dir') ?? (fresh ? mkdtempSync(join(tmpdir(), 'tickvisor-read-micro-')) : `/tmp/tickvisor-read-micro-${count}`);
const passes = Number(arg('--passes') ?? 7);

async function ensureStore(): Promise<void> {
  if (existsSync(`${dir}/data.mdb`)) return;
  mkdirSync(dir, { recursive: true });
  const store = openHistoryStore({ path: dir, noSync: true });
  for (const batch of tradeSeries(count, 1_000)) await store.writeBatch(batch);
  await store.close();
}

/** best CPU seconds of `passes` runs; `run` returns a checksum so nothing is optimised away */
function best(name: string, run: () => number): void {
  let bestS = Infinity;
  let sum = 0;
  for (let i = 0; i < passes; i++) {
    global.gc?.();
    const c0 = process.cpuUsage();
    sum = run();
    const c = process.cpuUsage(c0);
    bestS = Math.min(bestS, (c.user + c.system) / 1e6);
  }
  console.log(`${name.padEnd(8)} ${(count / bestS / 1e6).toFixed(1).padStart(6)}M/s  ${(bestS * 1000).toFixed(1).padStart(7)} ms  (check ${sum})`);
}

await ensureStore();
const store: OpenedHistoryStore = openStore({ path: dir, readOnly: true });
const query = { ...SERIES_SYMBOL, type: 'trade' as const };
const db = (store.env.openDB({ name: 'tradeBlocks', encoding: 'binary' }) as unknown) as BlockDb;
const prefix = symbolPrefix(SERIES_SYMBOL.exchange, SERIES_SYMBOL.market, SERIES_SYMBOL.symbol);
const values = [...blocksInRange(db, prefix, undefined, undefined)].map((v) => Buffer.from(v)); // Buffers, as lmdb gives them: a decoder fed two kinds of array gets slower for both
console.log(`${count} trades, ${values.length} blocks, ${(values.reduce((s, v) => s + v.length, 0) / count).toFixed(2)} value bytes/trade`);

best('lmdb', () => {
  let bytes = 0;
  for (const v of blocksInRange(db, prefix, undefined, undefined)) bytes += v.length;
  return bytes;
});
best('decode', () => {
  // one per pass, as a scan has: a module-level one would keep its map alive and hide a deopt
  const memory = new ReusedColumns();
  let rows = 0;
  for (const v of values) rows += decodeTradeBlock(v, memory).length;
  return rows;
});
best('columns', () => {
  let lots = 0;
  for (const c of store.readTradeColumns(query)) {
    const a = c.amounts;
    for (let i = 0; i < c.length; i++) lots += lotsOf(a[i]!);
  }
  return lots;
});
best('reused', () => {
  let lots = 0;
  for (const c of store.readTradeColumns(query, { reuse: true })) {
    const a = c.amounts;
    for (let i = 0; i < c.length; i++) lots += lotsOf(a[i]!);
  }
  return lots;
});
best('records', () => {
  let lots = 0;
  for (const r of store.readRange(query)) if (r.type === 'trade') lots += lotsOf(r.amount);
  return lots;
});
await store.close();
if (fresh) rmSync(dir, { recursive: true, force: true });
