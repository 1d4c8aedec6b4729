/**
 * What the cluster tests check an archive with: temporary directories for the nodes' and the
 * archive's stores, the archive's Binance ids once the archiver has gone quiet, and the holes in a
 * run of ids (Binance numbers a symbol's trades densely, so a lost trade is a missing id).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Archiver } from '../../src/cluster/archiver.js';
import type { Trade } from '../../src/records.js';
import type { HistoryStore } from '../../src/store/index.js';

/** `dir(name)` makes a temporary directory; `removeAll()` deletes every one made */
export function tempDirs(): { dir(name: string): string; removeAll(): void } {
  const dirs: string[] = [];
  return {
    dir(name) {
      const d = mkdtempSync(join(tmpdir(), `tickvisor-${name}-`));
      dirs.push(d);
      return d;
    },
    removeAll() {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/**
 * The archive's Binance spot ids per symbol, numerically sorted, once the archiver has been quiet
 * for a second (every message published before the nodes stopped has been written), or after
 * `timeoutMs`.
 */
export async function archivedIds(archiver: Archiver, store: HistoryStore, symbols: readonly string[], timeoutMs: number): Promise<Map<string, number[]>> {
  let last = -1;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = archiver.stats.written + archiver.stats.duplicates;
    if (now === last && now > 0) break;
    last = now;
  }
  const out = new Map<string, number[]>();
  for (const symbol of symbols) {
    const ids: number[] = [];
    for await (const r of store.readRange({ exchange: 'binance', market: 'spot', symbol, type: 'trade' })) ids.push(Number((r as Trade).id));
    ids.sort((x, y) => x - y);
    out.set(symbol, ids);
  }
  return out;
}

/** each break in a sorted run of dense ids, as `last before→first after` */
export function holes(ids: readonly number[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < ids.length; i++) if (ids[i]! !== ids[i - 1]! + 1) out.push(`${ids[i - 1]}→${ids[i]}`);
  return out;
}
