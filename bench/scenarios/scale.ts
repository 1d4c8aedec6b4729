/** scale: S symbols across connectors (200 per connection) at a modest rate → RSS and CPU at steady state. */
import { startConsumer } from './consumers.js';
import { binanceSpot, startSimProcess, symbols } from '../sim-process.js';
import { sleep } from '../lib/until.js';

export interface ScaleResult {
  symbols: number;
  connectors: number;
  subscribeSeconds: number;
  rssMB: number;
  heapUsedMB: number;
  cpuPct: number;
}

const GROUP = 200;
/** after the last subscribe, let the start-up work (listing, acks, first batches) finish: steady state */
const SETTLE_MS = 1_000;

export async function scale(count: number, seconds: number): Promise<ScaleResult> {
  const syms = symbols(count);
  const sim = await startSimProcess(binanceSpot(3, syms, 0.5, 'auto'));
  try {
    const tv = await startConsumer('tickvisor', sim, syms, GROUP);
    const subscribeSeconds = tv.subscribeSeconds ?? NaN;
    try {
      await sleep(SETTLE_MS);
      const u = await tv.child.call<{ rssMB: number; heapUsedMB: number; cpuPct: number }>('usage', { seconds });
      // BENCH_HEAP_DIR=DIR: where the memory goes at this scale (V8 spaces on stderr, a heap snapshot per scale)
      const heapDir = process.env.BENCH_HEAP_DIR;
      if (heapDir) {
        process.stderr.write(`scale ${count}: ${JSON.stringify(await tv.child.call('memory', {}))}\n`);
        await tv.child.call('heapSnapshot', { path: `${heapDir}/scale-${count}.heapsnapshot` });
        // what outlives the young generation at steady state (promoted: it drives the old generation's growth)
        await tv.child.call('allocationProfile', { seconds: 3, survivors: true, path: `${heapDir}/scale-${count}-promoted.heapprofile` });
      }
      return { symbols: count, connectors: Math.ceil(count / GROUP), subscribeSeconds: Math.round(subscribeSeconds * 100) / 100, ...u };
    } finally {
      await tv.child.stop();
    }
  } finally {
    await sim.stop();
  }
}
