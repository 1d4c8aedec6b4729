/**
 * The floor under every durable commit: lmdb-js alone, one 2 KB put per child transaction, each
 * awaited until flushed (as the store's commit is), `inflight` transactions at a time. Prints the
 * commit's p50/p90/p99/p99.9 and commits per second. What it showed on the 2-core VM (idle): one in
 * flight p50 0.73, p99 2.4, p99.9 4.1 ms; with noSync p50 0.13 ms, so the sync is most of a
 * commit; two or four in flight keep each commit's time and double or quadruple the rate (lmdb-js
 * overlaps them). That tail, under load, is most of what is left of the latency p99
 * (docs/architecture.md, store: what is left of the p99).
 *
 *   node --import tsx bench/micro/lmdb-commit-floor.ts [inflight=1] [commits=3000] [sync=1|0]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';

const inflight = Number(process.argv[2] ?? 1);
const commits = Number(process.argv[3] ?? 3000);
const sync = process.argv[4] !== '0';
const dir = mkdtempSync(join(tmpdir(), 'tv-lmdb-floor-'));
const root = open({ path: dir, noSync: !sync, eventTurnBatching: false, mapSize: 2 ** 30 });
const db = root.openDB<Uint8Array, number>({ name: 'j', encoding: 'binary' });
const value = new Uint8Array(2000);
const times: number[] = [];
let next = 0;
async function writer(): Promise<void> {
  while (next < commits) {
    const key = next++;
    const t0 = performance.now();
    await db.childTransaction(() => {
      db.putSync(key, value);
    });
    await root.flushed;
    times.push(performance.now() - t0);
  }
}
const w0 = performance.now();
await Promise.all(Array.from({ length: inflight }, writer));
const wall = performance.now() - w0;
times.sort((a, b) => a - b);
const q = (p: number) => (times[Math.min(times.length - 1, Math.floor(p * times.length))] as number).toFixed(2);
console.log(`${inflight} in flight, sync ${sync}: commit p50 ${q(0.5)} p90 ${q(0.9)} p99 ${q(0.99)} p99.9 ${q(0.999)} ms; ${Math.round((commits / wall) * 1000)} commits/s`);
await root.close();
rmSync(dir, { recursive: true, force: true });
