/**
 * Driver side of the burst consumers: tickvisor and its peers, each in its own process so that
 * process.cpuUsage there is that consumer's CPU alone. All are fed the same simulated Binance spot
 * feed; the driver only coordinates.
 */
import { round, type BurstResult } from '../lib/burst-meter.js';
import { tickvisorChildScript, tickvisorLaunch } from '../consumers/dist-child.js';
import { startChild, type BenchChild } from '../lib/child.js';
import { sleep } from '../lib/until.js';
import type { SimProcess } from '../sim-process.js';

export type ConsumerKind = 'tickvisor' | 'floor' | 'floor-lmdb' | 'ccxt';

export interface Consumer {
  kind: ConsumerKind;
  child: BenchChild;
  /** tickvisor: seconds from createTickvisor().start() until every coin was Subscribed */
  subscribeSeconds?: number;
}

/** tickvisor's child runs the compiled package (consumers/dist-child.ts) */
const SCRIPTS: Record<Exclude<ConsumerKind, 'tickvisor'>, string> = {
  floor: 'consumers/floor-child.ts',
  'floor-lmdb': 'consumers/floor-child.ts',
  ccxt: 'consumers/ccxt-child.ts',
};

/** starts the consumer and returns once it is subscribed to every symbol */
export async function startConsumer(kind: ConsumerKind, sim: SimProcess, symbols: string[], groupSize = 50): Promise<Consumer> {
  const child = kind === 'tickvisor' ? await startChild(kind, await tickvisorChildScript(), tickvisorLaunch()) : await startChild(kind, SCRIPTS[kind]);
  let subscribeSeconds: number | undefined;
  try {
    if (kind === 'tickvisor') {
      await child.call('start', { endpoints: sim.endpoints, symbols, groupSize });
      const s = await child.call<number | null>('waitSubscribed', { timeoutMs: 120_000 });
      if (s === null) throw new Error('tickvisor: not every coin Subscribed within 120 s');
      subscribeSeconds = s;
    } else if (kind === 'ccxt') {
      await child.call('start', { ...sim.endpoints, symbols });
    } else {
      const streams = symbols.map((s) => `${s.replace('/', '').toLowerCase()}@trade`);
      await child.call('start', { wsUrl: sim.endpoints.wsUrl, streams, lmdb: kind === 'floor-lmdb' });
    }
  } catch (e) {
    await child.stop();
    throw e;
  }
  return { kind, child, ...(subscribeSeconds !== undefined ? { subscribeSeconds } : {}) };
}

/**
 * Warm-up bursts until the consumer has seen trades (ccxt subscribes lazily, on the first watch)
 * and the JIT has run the hot path; then waits until nothing is arriving any more.
 * `everyTrade`: the consumer counts each trade exactly once (the cluster's archive), so the wait
 * is first for the whole warm-up burst to have arrived. Nothing arriving for 300 ms alone ended
 * the warm-up early once when the archive paused on a loaded machine, and the rest of the
 * warm-up then counted in the measured burst (26,000 archived of 20,000 sent).
 */
export async function warmUp(c: Consumer, sim: SimProcess, trades: number, options: { everyTrade?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const seen = () => c.child.call<number>('seen');
  for (let round = 0; round < 50 && (await seen()) === 0; round++) {
    await sim.burst(Math.min(trades, 1_000));
    await sleep(100);
  }
  if ((await seen()) === 0) throw new Error(`${c.kind}: no trade arrived during warm-up`);
  const before = await seen();
  await sim.burst(trades);
  if (options.everyTrade) {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    while ((await seen()) < before + trades) {
      if (Date.now() > deadline) throw new Error(`${c.kind}: the warm-up burst did not arrive whole within ${options.timeoutMs ?? 60_000} ms`);
      await sleep(100);
    }
  }
  let last = -1;
  for (let n = await seen(); n !== last; n = await seen()) {
    last = n;
    await sleep(300);
  }
}

/**
 * One timed burst of `count` trades. `prepared`: the simulator generates and renders them before
 * the clock starts (prepareBurst), so the timed part is only its writing them: generated live, the
 * simulator spent as much CPU per trade as the floor consumer, on the same two cores, and capped
 * the rate of every fast consumer. Every consumer gets the same trades, ids and frames either way.
 * Preparing takes ~1 s per 300k trades, during which the consumer's feed is silent: far longer
 * (millions of trades) and tickvisor's data-stall watchdog (4 s) rightly reconnects, losing the
 * socket the frames were rendered for; so long runs generate live (sustained.ts).
 */
export async function measure(
  c: Consumer, sim: SimProcess, count: number, quietMs: number, timeoutMs = 180_000, prepared = true,
): Promise<BurstResult & { simCpuPct: number }> {
  if (prepared) await sim.prepareBurst(count);
  const cpu0 = await sim.cpuSeconds();
  await c.child.call('arm', { count, quietMs, timeoutMs });
  const [result] = await Promise.all([c.child.call<BurstResult>('burstResult'), prepared ? sim.sendBurst() : sim.burst(count)]);
  const simCpu = (await sim.cpuSeconds()) - cpu0;
  // the simulator's CPU while it sent, % of one core: near 100 it was the bound, not the consumer
  return { ...result, simCpuPct: result.seconds > 0 ? round((simCpu / result.seconds) * 100, 1) : 0 };
}
