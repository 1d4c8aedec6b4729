/**
 * Micro-bench of a cluster node's publish path without NATS: committed trade batches (columns, as
 * the pipeline commits them) → the runtime's split into trades → TradePublisher (window batcher,
 * sort, block encode, message id) → a target that acks at once. CPU-seconds per million trades.
 *   node --import tsx bench/micro/publish-path.ts [trades=1000000] [symbols=50] [batch=2000] [rounds=3] [rows|records]
 * `rows` is the runtime's path (the batch's columns to the publisher); `records` makes a Trade per
 * row first, as the path did before the publisher took columns.
 */
import { TradePublisher, type PublishTarget } from '../../src/cluster/publisher.js';
import { TakenBatch } from '../../src/ingest/taken-batch.js';
import type { Trade } from '../../src/records.js';
import type { TradeColumns } from '../../src/store/blocks/columns.js';
import { ManualClock } from '../../src/time/manual-clock.js';

const total = Number(process.argv[2] ?? 1_000_000);
const symbolCount = Number(process.argv[3] ?? 50);
const batchSize = Number(process.argv[4] ?? 2_000);
const rounds = Number(process.argv[5] ?? 3);
const mode = process.argv[6] ?? 'rows';

const symbols = Array.from({ length: symbolCount }, (_, i) => `S${i}/USDT`);
const T0 = Date.UTC(2026, 11, 1);

/** one committed batch: rows interleaved over the symbols, 100 trades a ms, ids rising per symbol */
function batchAt(start: number): TakenBatch {
  const n = batchSize;
  const columns: TradeColumns = {
    length: n,
    timestamps: new Float64Array(n),
    localTimestamps: new Float64Array(n),
    ids: { kind: 'numeric', values: new Float64Array(n) },
    prices: new Float64Array(n),
    amounts: new Float64Array(n),
    sides: new Uint8Array(n),
  };
  const syms: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const k = start + i;
    syms[i] = symbols[k % symbolCount]!;
    columns.timestamps[i] = T0 + Math.floor(k / 100);
    columns.localTimestamps[i] = T0 + Math.floor(k / 100) + 3;
    (columns.ids.values as Float64Array)[i] = 1_000_000 + Math.floor(k / symbolCount);
    columns.prices[i] = 100 + (k % 17) * 0.01;
    columns.amounts[i] = 0.001 * ((k % 7) + 1);
    columns.sides[i] = k & 1;
  }
  return TakenBatch.ofTrades({ exchange: 'binance', market: 'spot', symbols: syms, columns });
}

const batches: TakenBatch[] = [];
for (let s = 0; s < total; s += batchSize) batches.push(batchAt(s));
// the batches keep their columns only; records are made anew per round, as a node does once per commit
const fresh = () => batches.map((b) => TakenBatch.ofTrades(b.trades!));

let published = 0;
const target: PublishTarget = { publish: async () => (published++, { duplicate: false }) };

for (let r = 0; r < rounds; r++) {
  const round = fresh();
  const clock = new ManualClock(T0);
  const publisher = new TradePublisher(target, { clock, maxInFlight: 1 << 30 });
  const before = process.cpuUsage();
  for (const batch of round) {
    if (mode === 'rows') publisher.pushRows(batch.trades!);
    else {
      const trades: Trade[] = [];
      for (const rec of batch.records) if (rec.type === 'trade') trades.push(rec);
      publisher.push(trades);
    }
    clock.advance(20);
    publisher.flushClosed();
  }
  await publisher.close();
  const used = process.cpuUsage(before);
  const cpu = (used.user + used.system) / 1e6;
  console.log(`round ${r + 1}: ${(cpu / (total / 1e6)).toFixed(3)} CPU-s per million trades · ${published} messages`);
  published = 0;
}
