/** scale: S symbols across connectors (200 per connection) at a modest rate → RSS and CPU at steady state. */
import { startConsumer } from './consumers.js';
import { binanceSpot, startSimProcess, symbols } from '../sim-process.js';
import { sleep } from '../lib/until.js';

export interface ScaleResult {
  symbols: number;
  connectors: number;
  subscribeSeconds: number;
  /** RSS and CPU over the window starting SETTLE_MS after every symbol was subscribed */
  rssMB: number;
  heapUsedMB: number;
  cpuPct: number;
  /** the most the process held until the end of that window */
  peakRssMB: number;
  /**
   * once the start-up backfill is done (each symbol's first subscription is a window REST fills,
   * paced by the venue's request budget: thousands of requests at 5,000 symbols), when asked for:
   * how long that took after the first window, and RSS and CPU over a window after it
   */
  steady?: { afterSeconds: number; rssMB: number; heapUsedMB: number; cpuPct: number; peakRssMB: number } | { error: string };
}

/** how long the steady reading waits for the start-up backfill at most */
const BACKFILL_TIMEOUT_MS = 900_000;

const GROUP = 200;
/** after the last subscribe, let the start-up work (listing, acks, first batches) finish: steady state */
const SETTLE_MS = 1_000;

export async function scale(count: number, seconds: number, steady = false): Promise<ScaleResult> {
  const syms = symbols(count);
  const sim = await startSimProcess(binanceSpot(3, syms, 0.5, 'auto'));
  try {
    const tv = await startConsumer('tickvisor', sim, syms, GROUP);
    const subscribeSeconds = tv.subscribeSeconds ?? NaN;
    try {
      await sleep(SETTLE_MS);
      type Usage = { rssMB: number; heapUsedMB: number; cpuPct: number; peakRssMB: number };
      const u = await tv.child.call<Usage>('usage', { seconds });
      // BENCH_HEAP_DIR=DIR: where the memory goes at this scale (V8 spaces on stderr, a heap snapshot per scale)
      const heapDir = process.env.BENCH_HEAP_DIR;
      if (heapDir) {
        process.stderr.write(`scale ${count}: ${JSON.stringify(await tv.child.call('memory', {}))}\n`);
        await tv.child.call('heapSnapshot', { path: `${heapDir}/scale-${count}.heapsnapshot` });
        // what outlives the young generation at steady state (promoted: it drives the old generation's growth)
        await tv.child.call('allocationProfile', { seconds: 3, survivors: true, path: `${heapDir}/scale-${count}-promoted.heapprofile` });
      }
      let steadyResult: ScaleResult['steady'];
      if (steady) {
        const t0 = performance.now();
        const progress = process.env.BENCH_SCALE_GAPS ? setInterval(() => void tv.child.call('gapTotals', {}).then((g) => process.stderr.write(`scale gaps ${JSON.stringify(g)}\n`)), 10_000) : undefined;
        const idle = await tv.child.call<boolean>('waitGapsIdle', { timeoutMs: BACKFILL_TIMEOUT_MS }).finally(() => clearInterval(progress));
        const afterSeconds = Math.round((performance.now() - t0) / 100) / 10;
        steadyResult = idle ? { afterSeconds, ...(await tv.child.call<Usage>('usage', { seconds })) } : { error: `the start-up backfill was not done after ${BACKFILL_TIMEOUT_MS / 1000} s` };
      }
      return { symbols: count, connectors: Math.ceil(count / GROUP), subscribeSeconds: Math.round(subscribeSeconds * 100) / 100, ...u, ...(steadyResult !== undefined ? { steady: steadyResult } : {}) };
    } finally {
      await tv.child.stop();
    }
  } finally {
    await sim.stop();
  }
}
