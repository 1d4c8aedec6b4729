/**
 * npm run bench [-- --quick] [-- --json]
 * Scenarios against the project's simulator in a separate process on loopback, so the CPU figures
 * are the collector's alone (process.cpuUsage: every thread of this process, LMDB's writer included).
 *   burst    50 symbols, N trades as fast as the socket drains → frame → LMDB commit
 *   latency  steady trades/s → exchange timestamp → commit, p50/p99/max
 *   scale    S symbols subscribed at a modest rate → RSS and CPU at steady state
 */
import { startSimProcess, symbols } from './sim-process.js';
import { startSide, until } from './tickvisor-side.js';

const args = new Set(process.argv.slice(2));
/** --only=burst|latency|scale runs one scenario (profiling) */
const only = [...args].find((a) => a.startsWith('--only='))?.slice('--only='.length);
const wanted = (name: string) => only === undefined || only === name;
const quick = args.has('--quick');
const json = args.has('--json');
const log = (line: string) => (json ? process.stderr : process.stdout).write(line + '\n');

function cpuSeconds(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

async function burst(count: number) {
  const syms = symbols(50);
  const sim = await startSimProcess({
    seed: 1,
    mode: 'manual',
    venues: [{ exchange: 'binance', market: 'spot', symbols: syms.map((symbol) => ({ symbol, tradesPerSecond: 0, tickersPerSecond: 0 })) }],
  });
  const side = await startSide(sim.endpoints, syms, 50);
  try {
    await until(() => side.subscribed() === 50, 30_000);
    global.gc?.();
    const before = side.committed();
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const sent = sim.request<{ sent: number }>({ burst: count }, 'burst');
    const done = await until(() => side.committed() - before >= count, 120_000, 2);
    const elapsed = (performance.now() - t0) / 1000;
    const cpuSec = cpuSeconds(cpu);
    clearInterval(sampler);
    await sent;
    const delivered = side.committed() - before;
    return {
      trades: count,
      seconds: +elapsed.toFixed(3),
      tradesPerSec: Math.round(delivered / elapsed),
      cpuSecPerMillion: +((cpuSec / delivered) * 1e6).toFixed(2),
      deliveredPct: +((delivered / count) * 100).toFixed(2),
      complete: done,
      peakRssMB: Math.round(peakRss / 2 ** 20),
    };
  } finally {
    await side.close();
    await sim.stop();
  }
}

async function latency(ratePerSec: number, seconds: number) {
  const syms = symbols(50);
  const sim = await startSimProcess({
    seed: 2,
    mode: 'auto',
    venues: [{ exchange: 'binance', market: 'spot', symbols: syms.map((symbol) => ({ symbol, tradesPerSecond: ratePerSec / 50, tickersPerSecond: 0 })) }],
  });
  const side = await startSide(sim.endpoints, syms, 50);
  const samples: number[] = [];
  try {
    await until(() => side.subscribed() === 50, 30_000);
    await new Promise((r) => setTimeout(r, 500)); // warm-up
    // committed$ fires once the batch's transaction is durable: that is "stored"
    const sub = committedLatency(side, samples);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    sub.unsubscribe();
  } finally {
    await side.close();
    await sim.stop();
  }
  samples.sort((a, b) => a - b);
  const q = (p: number) => +(samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? NaN).toFixed(2);
  return { rate: ratePerSec, samples: samples.length, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: q(1) };
}

function committedLatency(side: Awaited<ReturnType<typeof startSide>>, samples: number[]) {
  return side.tv.committed$.subscribe((batch) => {
    const now = Date.now();
    for (const r of batch.records) if (r.type === 'trade') samples.push(now - r.timestamp);
  });
}

async function scale(count: number, seconds: number) {
  const syms = symbols(count);
  const sim = await startSimProcess({
    seed: 3,
    mode: 'auto',
    venues: [{ exchange: 'binance', market: 'spot', symbols: syms.map((symbol) => ({ symbol, tradesPerSecond: 0.5, tickersPerSecond: 0 })) }],
  });
  const side = await startSide(sim.endpoints, syms, 200);
  try {
    const t0 = performance.now();
    const ok = await until(() => side.subscribed() === count, 120_000, 50);
    const subscribeSeconds = (performance.now() - t0) / 1000;
    global.gc?.();
    const cpu = process.cpuUsage();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpuPct = (cpuSeconds(cpu) / seconds) * 100;
    return { symbols: count, allSubscribed: ok, subscribeSeconds: +subscribeSeconds.toFixed(2), rssMB: Math.round(process.memoryUsage().rss / 2 ** 20), cpuPct: +cpuPct.toFixed(1) };
  } finally {
    await side.close();
    await sim.stop();
  }
}

const result: Record<string, unknown> = { quick, node: process.version };
log(`tickvisor bench${quick ? ' (quick)' : ''}: simulator in its own process, loopback`);
const b = wanted('burst') ? await burst(quick ? 60_000 : 300_000) : undefined;
if (b) result.burst = b;
if (b) log(`burst    ${b.trades} trades · ${b.tradesPerSec.toLocaleString('en')} trades/s end to end · ${b.cpuSecPerMillion} CPU-s per million · delivered ${b.deliveredPct}% · peak RSS ${b.peakRssMB} MB`);
const lat: Record<string, unknown> = {};
for (const rate of !wanted('latency') ? [] : quick ? [10_000] : [10_000, 50_000]) {
  const l = await latency(rate, quick ? 3 : 8);
  lat[String(rate)] = l;
  log(`latency  ${rate.toLocaleString('en')} trades/s · p50 ${l.p50Ms} ms · p99 ${l.p99Ms} ms · max ${l.maxMs} ms (${l.samples} trades)`);
}
result.latency = lat;
const sc: Record<string, unknown> = {};
for (const n of !wanted('scale') ? [] : quick ? [1, 100, 1_000] : [1, 100, 1_000, 5_000]) {
  const s = await scale(n, quick ? 3 : 8);
  sc[String(n)] = s;
  log(`scale    ${n} symbols · subscribed in ${s.subscribeSeconds} s · RSS ${s.rssMB} MB · CPU ${s.cpuPct}%`);
}
result.scale = sc;
if (json) process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
