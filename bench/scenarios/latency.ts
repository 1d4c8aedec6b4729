/** latency: a steady rate over 50 symbols → exchange timestamp to LMDB commit, p50/p99/max. */
import { startConsumer } from './consumers.js';
import { binanceSpot, startSimProcess, symbols } from '../sim-process.js';
import { sleep } from '../lib/until.js';

/** the simulator's generation tick during the latency runs (see below) */
export const SIM_TICK_MS = 1;

export interface LatencyResult {
  rate: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** from the frame's arrival (the trade's localTimestamp) to the commit: tickvisor's own share */
  inside: LatencySplit;
  /** from the exchange timestamp to the frame's arrival: the simulator and loopback */
  before: LatencySplit;
  /**
   * the peer in the same run: the floor client (ws + JSON.parse + one lmdb-js put per trade, its
   * puts batched into durable commits by lmdb-js) on its own simulator at the same rate
   */
  floor?: LatencySplit & { inside: LatencySplit; before: LatencySplit } | { error: string };
}

export interface LatencySplit {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function latency(rate: number, seconds: number): Promise<LatencyResult> {
  const tickvisor = await measured('tickvisor', rate, seconds);
  let floor: LatencyResult['floor'];
  try {
    floor = await measured('floor-lmdb', rate, seconds);
  } catch (error) {
    floor = { error: error instanceof Error ? error.message : String(error) };
  }
  return { rate, ...tickvisor, floor };
}

type Measured = Omit<LatencyResult, 'rate' | 'floor'>;

async function measured(kind: 'tickvisor' | 'floor-lmdb', rate: number, seconds: number): Promise<Measured> {
  const syms = symbols(50);
  // A venue publishes each trade as it happens; the simulator generates in ticks and stamps each
  // trade inside its tick, so its default 10 ms tick alone would add up to 10 ms (5 on average) of
  // waiting before tickvisor could see the trade. 1 ms keeps that artefact under the figure's noise.
  const sim = await startSimProcess({ ...binanceSpot(2, syms, rate / syms.length, 'auto'), timing: { tickMs: SIM_TICK_MS } });
  try {
    const c = await startConsumer(kind, sim, syms);
    try {
      // steady state: the start's backfill (the moments around each first subscription) is done
      if (kind === 'tickvisor') await c.child.call('waitGapsIdle', { timeoutMs: 30_000 });
      await sleep(500); // warm-up at the target rate
      await c.child.call('latencyStart');
      await sleep(seconds * 1000);
      return await c.child.call<Measured>('latencyStop');
    } finally {
      await c.child.stop();
    }
  } finally {
    await sim.stop();
  }
}
