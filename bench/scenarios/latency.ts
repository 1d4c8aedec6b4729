/** latency: a steady rate over 50 symbols → exchange timestamp to LMDB commit, p50/p99/max. */
import { startConsumer } from './consumers.js';
import { binanceSpot, startSimProcess, symbols } from '../sim-process.js';
import { sleep } from '../lib/until.js';

export interface LatencyResult {
  rate: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function latency(rate: number, seconds: number): Promise<LatencyResult> {
  const syms = symbols(50);
  const sim = await startSimProcess(binanceSpot(2, syms, rate / syms.length, 'auto'));
  try {
    const tv = await startConsumer('tickvisor', sim, syms);
    try {
      // steady state: the start's backfill (the moments around each first subscription) is done
      await tv.child.call('waitGapsIdle', { timeoutMs: 30_000 });
      await sleep(500); // warm-up at the target rate
      await tv.child.call('latencyStart');
      await sleep(seconds * 1000);
      const q = await tv.child.call<Omit<LatencyResult, 'rate'>>('latencyStop');
      return { rate, ...q };
    } finally {
      await tv.child.stop();
    }
  } finally {
    await sim.stop();
  }
}
