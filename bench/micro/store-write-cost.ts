/**
 * Micro-bench of the store's write path per symbol: `batches` batches, each touching `symbols`
 * symbols with `rows` live trades each (numeric ids, increasing), written one after another as the
 * pipeline does. The figure is CPU-µs (user + system, this process) per symbol-batch, so it holds
 * on a shared machine; each round uses a fresh store, the best round is reported (least
 * disturbed), with the median next to it. Also counted, exactly: rows encoded into trade blocks per
 * row stored (1 = each row encoded once; tail compaction re-encodes rows).
 *
 *   node --import tsx bench/micro/store-write-cost.ts [symbols=500] [batches=400] [rows=1] [rounds=3] [durable=0]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Trade } from '../../src/records.js';
import { openHistoryStore } from '../../src/store/index.js';
import { tradeRows } from '../../src/store/blocks/trade-rows.js';

// counts the rows every trade block encode takes (the object is the store's own, patched in place)
let encodedRows = 0;
const encode = tradeRows.encode;
tradeRows.encode = (c) => {
  encodedRows += c.length;
  return encode(c);
};

const symbols = Number(process.argv[2] ?? 500);
const batches = Number(process.argv[3] ?? 400);
const rows = Number(process.argv[4] ?? 1);
const rounds = Number(process.argv[5] ?? 3);
const durable = process.argv[6] === '1';

function batch(b: number): Trade[] {
  const out: Trade[] = [];
  for (let s = 0; s < symbols; s++) {
    for (let r = 0; r < rows; r++) {
      const n = b * rows + r;
      const ts = 1_700_000_000_000 + n * 7;
      out.push({
        type: 'trade', exchange: 'binance', market: 'spot', symbol: `S${s}USDT`, id: String(10_000_000 + n),
        price: 97_000 + ((n * 13) % 200) / 100, amount: ((n % 997) + 1) / 1000, side: n % 2 === 0 ? 'buy' : 'sell',
        timestamp: ts, localTimestamp: ts + 3,
      });
    }
  }
  return out;
}

async function round(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tickvisor-wcost-'));
  const store = openHistoryStore({ path: dir, noSync: !durable });
  try {
    const all = Array.from({ length: batches }, (_, b) => batch(b));
    // warm-up: the first batch creates every symbol (cursor gets, tail reads), not the steady state
    await store.writeBatch(all[0] as Trade[]);
    encodedRows = 0;
    const start = process.cpuUsage();
    for (let b = 1; b < batches; b++) {
      const result = await store.writeBatch(all[b] as Trade[]);
      if (result.written !== symbols * rows) throw new Error(`batch ${b}: wrote ${result.written}`);
    }
    const used = process.cpuUsage(start);
    encodedPerRow = encodedRows / ((batches - 1) * symbols * rows);
    return (used.user + used.system) / ((batches - 1) * symbols);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

let encodedPerRow = 0;
const results: number[] = [];
for (let i = 0; i < rounds; i++) results.push(await round());
results.sort((a, b) => a - b);
console.log(
  `symbols=${symbols} batches=${batches} rows=${rows} durable=${durable ? 1 : 0}: ` +
  `best ${results[0]?.toFixed(1)} µs CPU per symbol-batch, median ${results[Math.floor(results.length / 2)]?.toFixed(1)}; ` +
  `rows encoded per row stored ${encodedPerRow.toFixed(2)}`,
);
