/**
 * Micro-bench of tickvisor's trade path after the socket: Binance spot `trade` frames (text, made
 * before the clock starts) → the parser → admission, gap tracking and the batch writer → the
 * columnar store, committed. The same stages the burst runs (src/ingest/venue-data-path.ts
 * `deliver`), without the simulator, `ws` and the supervision tree, so it measures the part of the
 * burst's CPU that is tickvisor's own and is far less noisy than the burst on a shared machine.
 * Backpressure is obeyed as the link does: while the pipeline says stop, no frame is read.
 *
 * The figure is CPU-s per million trades (process.cpuUsage: every thread, the LMDB writer and GC
 * helpers included), main thread apart; each round uses a fresh store; the best round (least
 * disturbed) is reported with the median beside it.
 *
 *   node --expose-gc --max-semi-space-size=4 --import tsx bench/micro/trade-path.ts [trades=300000] [rounds=5] [symbols=50] [sink=store|none] [delay=busy|fixed]
 *
 * (`--max-semi-space-size=4`: what `npm start` runs the collector with.) `sink=none` commits each
 * batch at once without storing it: what the path costs before the store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBinanceParser } from '../../src/exchanges/binance/parser.js';
import { GapTracker } from '../../src/ingest/gap-tracker.js';
import { createPipeline } from '../../src/ingest/pipeline.js';
import { openHistoryStore } from '../../src/store/index.js';
import { eventLoopBusy } from '../../src/runtime/event-loop-busy.js';
import { threadCpu, threadCpuLine } from '../lib/thread-cpu.js';

const trades = Number(process.argv[2] ?? 300_000);
const rounds = Number(process.argv[3] ?? 5);
const symbolCount = Number(process.argv[4] ?? 50);
const storeless = process.argv[5] === 'none';
const FRAMES_PER_TICK = 64; // frames read per macrotask, about what one socket read carries under a burst

/** the runtime's batch delays (config defaults, the event loop's busy meter); `fixed` as argument 6: always the base delay */
const delays = process.argv[6] === 'fixed' ? { batchMaxDelayMs: 2 } : { batchMaxDelayMs: 2, batchBusyDelayMs: 10, busy: eventLoopBusy() };

const SYMBOLS = Array.from({ length: symbolCount }, (_, k) => `S${k}USDT`);

/**
 * frames as src/sim/venues/binance.ts writes them, as the bytes a socket hands over: one buffer and
 * each frame's end in it (the link turns each frame into a string, as timed here; a Buffer per
 * frame would keep a million small objects alive through the round, and the collector's marking
 * of them was a cost no collector has). Ids dense per symbol (no gap opens).
 */
function frames(): { bytes: Buffer; ends: Uint32Array } {
  const parts: string[] = [];
  const ends = new Uint32Array(trades);
  const now = Date.now();
  let price = 97000;
  let at = 0;
  for (let k = 0; k < trades; k++) {
    price += (k % 7) - 3;
    const s = k % symbolCount;
    const id = 1_000_000 + Math.floor(k / symbolCount);
    const ts = now + Math.floor(k / 1000);
    const p = (price + (k % 100) / 100).toFixed(8);
    const q = ((k % 997) / 1000 + 0.001).toFixed(8);
    const frame = `{"e":"trade","E":${ts},"s":"${SYMBOLS[s]}","t":${id},"p":"${p}","q":"${q}","T":${ts},"m":${k % 2 === 0},"M":true}`;
    parts.push(frame);
    at += frame.length; // ASCII: one byte per character
    ends[k] = at;
  }
  return { bytes: Buffer.from(parts.join('')), ends };
}

interface Round {
  cpuPerMillion: number;
  mainPerMillion: number;
}

/** made once: every round writes them into a fresh store */
const input = frames();

async function round(): Promise<Round> {
  const dir = mkdtempSync(join(tmpdir(), 'tv-trade-path-'));
  const history = storeless ? undefined : openHistoryStore({ path: dir });
  const store = history ?? { writeBatch: (batch: readonly unknown[]) => Promise.resolve({ written: batch.length, duplicates: 0 }) };
  const gaps = new GapTracker(true);
  const pipeline = createPipeline({ store, highWaterMark: 50_000, hardLimit: 200_000, openGaps: () => new Set(), ...delays });
  const parser = createBinanceParser('spot');
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = threadCpu();
  const c0 = process.cpuUsage();
  let i = 0;
  while (i < trades) {
    const stop = Math.min(trades, i + FRAMES_PER_TICK);
    let writable = true;
    for (; i < stop; i++) {
      const text = input.bytes.toString('utf8', i === 0 ? 0 : (input.ends[i - 1] as number), input.ends[i] as number);
      const records = parser.parse(text, Date.now()).records;
      const { accepted, writable: w } = pipeline.submit(records, 'live');
      if (accepted.length > 0) gaps.observe(accepted);
      writable = w;
    }
    if (!writable) await pipeline.whenWritable();
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await pipeline.flush();
  const used = process.cpuUsage(c0);
  const t1 = threadCpu();
  const committed = pipeline.stats().committed;
  if (committed !== trades) throw new Error(`committed ${committed} of ${trades}`);
  await pipeline.close();
  await history?.close();
  rmSync(dir, { recursive: true, force: true });
  if (process.env.TP_THREADS) console.log(threadCpuLine(t0, t1));
  const main = (t1.get('main') ?? 0) - (t0.get('main') ?? 0);
  return { cpuPerMillion: ((used.user + used.system) / 1e6 / trades) * 1e6, mainPerMillion: (main / trades) * 1e6 };
}

const results: Round[] = [];
for (let r = 0; r < rounds; r++) {
  const res = await round();
  results.push(res);
  console.log(`round ${r + 1}: ${res.cpuPerMillion.toFixed(2)} CPU-s per million (main thread ${res.mainPerMillion.toFixed(2)})`);
}
const sorted = [...results].sort((a, b) => a.cpuPerMillion - b.cpuPerMillion);
const best = sorted[0] as Round;
const median = sorted[Math.floor(sorted.length / 2)] as Round;
console.log(`trade path${storeless ? ' (no store)' : ''}, ${trades.toLocaleString('en')} trades over ${symbolCount} symbols: best ${best.cpuPerMillion.toFixed(2)} CPU-s per million (main ${best.mainPerMillion.toFixed(2)}) · median ${median.cpuPerMillion.toFixed(2)} (main ${median.mainPerMillion.toFixed(2)})`);
