/**
 * Micro-bench of one commit's wall time as a steady stream makes them: `batches` small batches of
 * `perBatch` trades spread round-robin over `symbols` symbols, each awaited before the next (one
 * write in flight, as the pipeline does). Prints the commit time's p50/p99/p99.9/max and the
 * process's CPU. What it showed (20-trade batches over 50 symbols, durable): commit p50 0.85 ms,
 * p99 4.5, p99.9 7–8; of the commits over 2 ms, about two in three rewrote no tail, so a budget on
 * the tails' rewrites per transaction (tried) did not move the p99. A synchronous transaction on
 * the main thread (tried) cut this micro's CPU by a fifth, but with it the cluster bench archived
 * ~43k instead of ~110k trades/s: not kept (docs/architecture.md, store).
 *
 *   node --import tsx bench/micro/store-commit-latency.ts [symbols=50] [batches=10000] [perBatch=20] [durable=0|1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Trade } from '../../src/records.js';
import { openHistoryStore } from '../../src/store/index.js';
const symbols = Number(process.argv[2] ?? 50);
const batches = Number(process.argv[3] ?? 10000);
const perBatch = Number(process.argv[4] ?? 20);
const durable = process.argv[5] === '1';
let n = 0;
function batch(b: number): Trade[] {
  const out: Trade[] = [];
  for (let k = 0; k < perBatch; k++) {
    const s = (b * perBatch + k) % symbols; n++;
    const ts = 1_700_000_000_000 + n * 7;
    out.push({ type: 'trade', exchange: 'binance', market: 'spot', symbol: `S${s}USDT`, id: String(10_000_000 + n),
      price: 97_000 + ((n * 13) % 200) / 100, amount: ((n % 997) + 1) / 1000, side: n % 2 === 0 ? 'buy' : 'sell', timestamp: ts, localTimestamp: ts + 3 });
  }
  return out;
}
const dir = mkdtempSync(join(tmpdir(), 'tv-ctail-'));
const store = openHistoryStore({ path: dir, noSync: !durable });
const times: number[] = [];
const c0 = process.cpuUsage();
const w0 = performance.now();
for (let b = 0; b < batches; b++) {
  const recs = batch(b);
  const t0 = performance.now();
  await store.writeBatch(recs);
  times.push(performance.now() - t0);
}
const wall = performance.now() - w0;
const cpu = process.cpuUsage(c0);
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2);
console.log(`batches ${batches} × ${perBatch} rows over ${symbols} symbols (durable ${durable}): p50 ${q(0.5)} p99 ${q(0.99)} p99.9 ${q(0.999)} max ${times[times.length - 1]!.toFixed(1)} ms; CPU ${((cpu.user + cpu.system) / 1e3).toFixed(0)} ms, wall ${wall.toFixed(0)} ms`);
await store.close();
rmSync(dir, { recursive: true, force: true });
