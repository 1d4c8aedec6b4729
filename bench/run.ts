/**
 * npm run bench [-- --quick] [-- --json] [-- --only=burst,peers,sustained,latency,scale,recovery,store,book,cluster]
 *               [-- --sustained-trades=N] [-- --store-trades=N] [-- --cluster-trades=N] [-- --cluster-rate=N] [-- --archiver-chunk=N]
 *
 * Every scenario runs against the project's simulator on loopback, in its own process; the consumer
 * under measurement (tickvisor, or a peer) runs in another process, so process.cpuUsage there is its
 * CPU alone (every thread: LMDB's writer included). This process only coordinates.
 *   burst     50 symbols, N trades as fast as the socket drains → frame received → LMDB commit
 *   peers     the same burst consumed by a bare ws + JSON.parse client (the floor), the floor plus one
 *             LMDB put per trade, and ccxt pro's watchTradesForSymbols; ratios tickvisor / peer
 *   sustained 50 symbols, 3M trades (quick: 300k) at the highest rate each consumer keeps up with
 *             (the simulator writes as fast as the socket drains), tickvisor and the same peers
 *   latency   steady trades/s → exchange timestamp → commit, p50/p99/max
 *   scale     S symbols subscribed across connectors at a modest rate → RSS and CPU at steady state
 *   recovery  disconnect, and a server restart → time until every coin is Subscribed, until the gap is filled
 *   store     1M trades of one symbol (quick: 200k) through the history store and through one LMDB
 *             put per trade → bytes per trade on disk, write and read rates (columnar when present)
 *   book      50 Binance spot books, N diff events each as fast as the socket drains → applied (and
 *             stored): tickvisor, ccxt pro's watchOrderBookForSymbols, the floor; final books checked
 *   cluster   the burst through one tickvisor node with `cluster:` → the R3 stream of a 3-server NATS
 *             cluster → an archiver process → LMDB: trades/s archived, CPU per million per process;
 *             then paced rates → exchange timestamp → committed in the archive, p50/p99
 * Then the issue's targets, each met, not met or not measured in this run.
 * --json prints exactly one JSON object on stdout; every other line goes to stderr.
 */
import { cpus, platform, totalmem } from 'node:os';
import type { BurstResult } from './lib/burst-meter.js';
import { burst, type BurstOutcome } from './scenarios/burst.js';
import { latency, type LatencyResult } from './scenarios/latency.js';
import { recovery, type RecoveryResult } from './scenarios/recovery.js';
import { ratios } from './ratios.js';
import { scale, type ScaleResult } from './scenarios/scale.js';
import { store, type StoreResult } from './scenarios/store.js';
import { book, type BookConsumerKind, type BookOutcome, type BookResult } from './scenarios/book.js';
import { cluster, type ClusterOutcome } from './scenarios/cluster.js';
import { sustained, type SustainedOutcome } from './scenarios/sustained.js';
import { targetTable, targets } from './targets.js';

const SCENARIOS = ['burst', 'peers', 'sustained', 'latency', 'scale', 'recovery', 'store', 'book', 'cluster'] as const;
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const json = args.includes('--json');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const wanted = (name: (typeof SCENARIOS)[number]) => only === undefined || only.includes(name);
const log = (line: string) => (json ? process.stderr : process.stdout).write(line + '\n');

const unknown = only?.filter((name) => !(SCENARIOS as readonly string[]).includes(name)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown scenario ${unknown.join(', ')} in --only (known: ${SCENARIOS.join(', ')})\n`);
  process.exit(2);
}

const plan = quick
  ? { burst: 60_000, warm: 5_000, sustained: 300_000, latencyRates: [10_000], latencySeconds: 3, scale: [1, 5_000], scaleSeconds: 2, faults: ['disconnect'], storeTrades: 200_000, bookEvents: 400, bookWarm: 100, clusterTrades: 60_000, clusterRates: [20_000], clusterSeconds: 3 }
  : { burst: 300_000, warm: 20_000, sustained: 3_000_000, latencyRates: [10_000, 50_000], latencySeconds: 8, scale: [1, 100, 1_000, 5_000], scaleSeconds: 8, faults: ['disconnect', 'server-restart'], storeTrades: 1_000_000, bookEvents: 2_000, bookWarm: 200, clusterTrades: 300_000, clusterRates: [10_000, 50_000], clusterSeconds: 8 };
/** `--name=N`: a positive integer overriding the plan, or the plan's own figure */
function countArg(name: string, planned: number): number {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (raw === undefined) return planned;
  const n = Number(raw.replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n <= 0) {
    process.stderr.write(`bench: --${name} must be a positive whole number, got ${raw}\n`);
    process.exit(2);
  }
  return n;
}
plan.sustained = countArg('sustained-trades', plan.sustained);
plan.storeTrades = countArg('store-trades', plan.storeTrades);
plan.bookEvents = countArg('book-events', plan.bookEvents);
plan.bookWarm = countArg('book-warm', plan.bookWarm);
plan.clusterTrades = countArg('cluster-trades', plan.clusterTrades);
/** --cluster-rate=N: one paced run at N trades/s instead of the plan's rates */
if (args.some((a) => a.startsWith('--cluster-rate='))) plan.clusterRates = [countArg('cluster-rate', 1)];
/** the archiver's messages per store transaction (A/B runs); its own default without the flag */
const archiverChunk = args.some((a) => a.startsWith('--archiver-chunk=')) ? countArg('archiver-chunk', 0) : undefined;
/** level changes per book event on average (a busy Binance symbol's 100 ms diff carries tens) */
const BOOK_MEAN_CHANGES = 10;
/** trades per store write: what the pipeline's batch writer commits at a time under load */
const STORE_BATCH = 1_000;

/** how long the simulator stays down in the server-restart fault */
const RESTART_DOWN_MS = 2_000;
const fmt = (n: number) => n.toLocaleString('en');
const burstLine = (name: string, b: BurstOutcome) =>
  'error' in b
    ? `${name.padEnd(11)} error: ${b.error}`
    : `${name.padEnd(11)} ${fmt(b.delivered)}/${fmt(b.sent)} trades · ${fmt(b.tradesPerSec)} trades/s · ${b.cpuSecPerMillion} CPU-s per million · delivered ${b.deliveredPct}% · peak RSS ${b.peakRssMB} MB · simulator CPU ${b.simCpuPct}%`;

/** a scenario that throws is reported as { error } and fails the run (peers excepted: see below) */
let failed = false;
async function attempt<T>(name: string, run: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await run();
  } catch (e) {
    failed = true;
    const error = e instanceof Error ? e.message : String(e);
    log(`${name.padEnd(11)} error: ${error}`);
    return { error };
  }
}
const isError = (v: unknown): v is { error: string } => typeof v === 'object' && v !== null && 'error' in v;

const started = performance.now();
const cpu = cpus();
const result: Record<string, unknown> = {
  quick,
  machine: { cores: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', node: process.version, platform: platform(), totalMemMB: Math.round(totalmem() / 2 ** 20) },
};
log(`tickvisor bench${quick ? ' (quick)' : ''}: simulator and each consumer in their own processes, loopback, ${cpu.length} cores, node ${process.version}`);

let tickvisorBurst: BurstOutcome | undefined;
if (wanted('burst') || wanted('peers')) {
  tickvisorBurst = await burst('tickvisor', plan.burst, plan.warm);
  result.burst = tickvisorBurst;
  if ('error' in tickvisorBurst) failed = true;
  log(burstLine('tickvisor', tickvisorBurst));
}

if (wanted('peers')) {
  const floor = await burst('floor', plan.burst, plan.warm);
  log(burstLine('floor', floor));
  const floorLmdb = await burst('floor-lmdb', plan.burst, plan.warm);
  log(burstLine('floor+lmdb', floorLmdb));
  const ccxt = await burst('ccxt', plan.burst, plan.warm);
  log(burstLine('ccxt pro', ccxt));
  result.peers = { floor, floorLmdb, ccxt };
  const ok = (b: BurstOutcome | undefined): BurstResult | undefined => (b && !('error' in b) ? b : undefined);
  result.ratios = {
    vsFloor: ratios(ok(tickvisorBurst), ok(floor)),
    vsFloorLmdb: ratios(ok(tickvisorBurst), ok(floorLmdb)),
    vsCcxt: ratios(ok(tickvisorBurst), ok(ccxt)),
  };
  const r = result.ratios as Record<string, Record<string, number | null>>;
  for (const [k, v] of Object.entries(r)) {
    log(`ratio ${k.padEnd(11)} trades/s ×${v.tradesPerSec ?? '–'} · CPU per million ×${v.cpuSecPerMillion ?? '–'} · delivered ×${v.deliveredPct ?? '–'}  (tickvisor / peer)`);
  }
}

let sustainedRuns: Record<'tickvisor' | 'floor' | 'floorLmdb' | 'ccxt', SustainedOutcome> | undefined;
if (wanted('sustained')) {
  log(`sustained  ${fmt(plan.sustained)} trades over 50 symbols per consumer, as fast as each keeps up with`);
  const line = (name: string, s: SustainedOutcome) => log(burstLine(name, s));
  const tv = await sustained('tickvisor', plan.sustained, plan.warm);
  if ('error' in tv) failed = true;
  line('tickvisor', tv);
  const floor = await sustained('floor', plan.sustained, plan.warm);
  line('floor', floor);
  const floorLmdb = await sustained('floor-lmdb', plan.sustained, plan.warm);
  line('floor+lmdb', floorLmdb);
  const ccxt = await sustained('ccxt', plan.sustained, plan.warm);
  line('ccxt pro', ccxt);
  sustainedRuns = { tickvisor: tv, floor, floorLmdb, ccxt };
  const ok = (b: SustainedOutcome): BurstResult | undefined => ('error' in b ? undefined : b);
  result.sustained = {
    trades: plan.sustained,
    symbols: 50,
    ...sustainedRuns,
    ratios: { vsFloor: ratios(ok(tv), ok(floor)), vsFloorLmdb: ratios(ok(tv), ok(floorLmdb)), vsCcxt: ratios(ok(tv), ok(ccxt)) },
  };
}

if (wanted('latency')) {
  const lat: Record<string, LatencyResult | { error: string }> = {};
  for (const rate of plan.latencyRates) {
    const l = await attempt('latency', () => latency(rate, plan.latencySeconds));
    lat[String(rate)] = l;
    if (!isError(l)) {
      log(`latency    ${fmt(rate)} trades/s · p50 ${l.p50Ms} ms · p99 ${l.p99Ms} ms · max ${l.maxMs} ms (${fmt(l.samples)} trades)`);
      log(`           arrival → commit p50 ${l.inside.p50Ms} · p99 ${l.inside.p99Ms} · max ${l.inside.maxMs} ms; exchange → arrival p50 ${l.before.p50Ms} · p99 ${l.before.p99Ms} · max ${l.before.maxMs} ms`);
      const f = l.floor;
      if (f !== undefined && 'error' in f) log(`  floor    ${f.error}`);
      else if (f !== undefined) log(`  floor    p50 ${f.p50Ms} ms · p99 ${f.p99Ms} ms · max ${f.maxMs} ms (arrival → commit p99 ${f.inside.p99Ms}; exchange → arrival p99 ${f.before.p99Ms})`);
    }
  }
  result.latency = lat;
}

if (wanted('scale')) {
  const sc: Record<string, ScaleResult | { error: string }> = {};
  for (const n of plan.scale) {
    // BENCH_SCALE_STEADY=1: also the reading after the start-up backfill, for the largest count (it
    // takes minutes at 5,000 symbols: one REST fill per symbol, paced by the venue's request weight)
    const s = await attempt('scale', () => scale(n, plan.scaleSeconds, process.env.BENCH_SCALE_STEADY === '1' && n === plan.scale[plan.scale.length - 1]));
    sc[String(n)] = s;
    if (!isError(s)) {
      log(`scale      ${fmt(n)} symbols on ${s.connectors} connectors · all Subscribed in ${s.subscribeSeconds} s · RSS ${s.rssMB} MB · CPU ${s.cpuPct}% · peak RSS ${s.peakRssMB} MB`);
      const st = s.steady;
      if (st !== undefined) {
        log(isError(st) ? `           steady: ${st.error}` : `           after the start-up backfill (done ${st.afterSeconds} s later): RSS ${st.rssMB} MB · CPU ${st.cpuPct}% · peak RSS ${st.peakRssMB} MB`);
      }
    }
  }
  result.scale = sc;
}

if (wanted('recovery')) {
  const rec: Record<string, RecoveryResult | { error: string }> = {};
  for (const fault of plan.faults as Array<'disconnect' | 'server-restart'>) {
    const key = fault === 'disconnect' ? 'disconnect' : 'serverRestart';
    const down = fault === 'disconnect' ? 0 : RESTART_DOWN_MS;
    const r = await attempt('recovery', () => recovery(fault, down));
    rec[key] = r;
    // a trade lost or stored twice is a failed scenario, whatever the timings
    if (isError(r) || r.lost > 0 || r.duplicated > 0 || r.unexpected > 0) failed = true;
    if (!isError(r)) log(
      `recovery   ${fault}${down ? ` (${down} ms down)` : ''} · all Subscribed ${r.subscribedMs ?? 'never'} ms · gap filled ${r.gapFilledMs ?? 'never'} ms after the simulator was back` +
        ` · ${r.missingAtWorst} trades missing at worst · lost ${r.lost} of ${fmt(r.generated)}, duplicated ${r.duplicated}` +
        (r.lostSample ? ` (e.g. ${r.lostSample.slice(0, 3).join(', ')})` : ''),
    );
  }
  result.recovery = rec;
}

if (wanted('store')) {
  const st = await attempt('store', () => store(plan.storeTrades, STORE_BATCH));
  result.store = st;
  if (!isError(st)) {
    const perSec = (v: number | null) => (v === null ? 'not measured' : `${fmt(v)}/s`);
    log(
      `store      ${fmt(st.trades)} trades of one symbol in batches of ${fmt(st.batchSize)} · ${st.bytesPerTrade} bytes/trade on disk · write ${fmt(st.writeTradesPerSec)}/s` +
        ` · read ${fmt(st.readTradesPerSec)} records/s · columnar ${perSec(st.readColumnarTradesPerSec)} · DuckDB scan ${perSec(st.duckdbScanTradesPerSec)}` +
        ` (Parquet export ${perSec(st.exportParquetTradesPerSec)}, ${st.parquetBytesPerTrade ?? '?'} bytes/trade)`,
    );
    const n = st.naive;
    if ('error' in n) log(`store      naive (one LMDB put per trade) error: ${n.error}`);
    else log(`store      naive (one LMDB put per trade, msgpack object) · ${n.bytesPerTrade} bytes/trade on disk · write ${fmt(n.writeTradesPerSec)}/s · read ${fmt(n.readTradesPerSec)} records/s`);
    log(`store      bytes on disk = ${st.bytesMeasure}`);
    for (const note of st.notes) log(`store      note: ${note}`);
  }
}

let bookRuns: Record<BookConsumerKind, BookOutcome> | undefined;
if (wanted('book')) {
  log(`book       50 Binance spot books × ${fmt(plan.bookEvents)} diff events (≈${BOOK_MEAN_CHANGES} level changes each) per consumer, as fast as each keeps up with`);
  const bookPlan = { eventsPerSymbol: plan.bookEvents, warmEventsPerSymbol: plan.bookWarm, liveWarmEventsPerSymbol: plan.bookEvents, meanChanges: BOOK_MEAN_CHANGES };
  const line = (name: string, b: BookOutcome) =>
    log(
      'error' in b
        ? `${name.padEnd(11)} error: ${b.error}`
        : `${name.padEnd(11)} ${fmt(b.applied)}/${fmt(b.sent)} updates · ${fmt(b.updatesPerSec)} updates/s · ${b.cpuSecPerMillion} CPU-s per million · ${fmt(b.updatesPerCpuSec)} per CPU-s` +
            ` · delivered ${b.deliveredPct}% · mismatched ${b.mismatched} · peak RSS ${b.peakRssMB} MB · simulator CPU ${b.simCpuPct}%` +
            (b.mismatchExamples.length > 0 ? ` (${b.mismatchExamples.join('; ')})` : ''),
    );
  const tv = await book('tickvisor', bookPlan);
  if ('error' in tv) failed = true;
  line('tickvisor', tv);
  const ccxt = await book('ccxt', bookPlan);
  line('ccxt pro', ccxt);
  const floor = await book('floor', bookPlan);
  line('floor', floor);
  bookRuns = { tickvisor: tv, ccxt, floor };
  const ok = (b: BookOutcome): BookResult | undefined => ('error' in b ? undefined : b);
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? Math.round((a / b) * 100) / 100 : null);
  const ratios = {
    vsCcxt: { updatesPerCpuSec: ratio(ok(tv)?.updatesPerCpuSec, ok(ccxt)?.updatesPerCpuSec), updatesPerSec: ratio(ok(tv)?.updatesPerSec, ok(ccxt)?.updatesPerSec) },
    vsFloor: { updatesPerCpuSec: ratio(ok(tv)?.updatesPerCpuSec, ok(floor)?.updatesPerCpuSec), updatesPerSec: ratio(ok(tv)?.updatesPerSec, ok(floor)?.updatesPerSec) },
  };
  for (const [k, v] of Object.entries(ratios)) log(`ratio ${k.padEnd(11)} updates per CPU-s ×${v.updatesPerCpuSec ?? '–'} · updates/s ×${v.updatesPerSec ?? '–'}  (tickvisor / peer)`);
  result.book = { symbols: 50, eventsPerSymbol: plan.bookEvents, meanChanges: BOOK_MEAN_CHANGES, ...bookRuns, ratios };
}

let clusterRun: ClusterOutcome | undefined;
if (wanted('cluster')) {
  clusterRun = await cluster({ burst: plan.clusterTrades, warm: plan.warm, pacedRates: plan.clusterRates, pacedSeconds: plan.clusterSeconds, ...(archiverChunk !== undefined ? { maxChunk: archiverChunk } : {}) });
  result.cluster = clusterRun;
  if ('error' in clusterRun) {
    // no nats-server on this machine is reported, not a failure of tickvisor
    if (!clusterRun.error.startsWith('nats-server is not installed')) failed = true;
    log(`cluster     error: ${clusterRun.error}`);
  } else {
    const c = clusterRun;
    const cpu = c.cpuSecPerMillion;
    log(
      `cluster     ${fmt(c.archived)}/${fmt(c.sent)} trades archived through ${c.servers} servers (R${c.replicas}) · ${fmt(c.tradesPerSec)} trades/s · ${fmt(c.messages)} messages (${c.tradesPerMessage} trades each, ${c.messagesPerCommit} per archive commit)` +
        ` · delivered ${c.deliveredPct}% · CPU-s per million: node ${cpu.node}, archiver ${cpu.archiver}, servers ${cpu.servers} (total ${cpu.total})`,
    );
    for (const p of c.paced) {
      log(
        `cluster     paced ${fmt(p.rate)} trades/s (archived ${fmt(p.archivedPerSec)}/s, ${fmt(p.messagesPerSec)} messages/s) · exchange → archive p50 ${p.p50Ms} ms · p99 ${p.p99Ms} ms · max ${p.maxMs} ms` +
          ` · CPU % of a core: node ${p.cpuPct.node}, archiver ${p.cpuPct.archiver}, servers ${p.cpuPct.servers}`,
      );
      log(`            exchange → node p50 ${p.toNode.p50Ms} · p99 ${p.toNode.p99Ms} ms; node → archive p50 ${p.nodeToArchive.p50Ms} · p99 ${p.nodeToArchive.p99Ms} ms`);
    }
    log(`cluster     load average ${c.loadavg.join(' ')} (1, 5, 15 min) at the end of the section`);
  }
}

const peers = result.peers as { floor?: BurstOutcome } | undefined;
const scaleRuns = result.scale as Record<string, ScaleResult | { error: string }> | undefined;
const latencyRuns = result.latency as Record<string, LatencyResult | { error: string }> | undefined;
const targetRows = targets({
  burst: tickvisorBurst,
  floorBurst: peers?.floor,
  sustained: sustainedRuns?.tickvisor,
  floorSustained: sustainedRuns?.floor,
  ...(sustainedRuns ? { sustainedTrades: plan.sustained } : {}),
  store: result.store as StoreResult | { error: string } | undefined,
  scale: scaleRuns,
  latency: latencyRuns,
  ...(bookRuns ? { book: bookRuns.tickvisor, ccxtBook: bookRuns.ccxt } : {}),
  cluster: clusterRun,
});
result.targets = targetRows;
log('');
log(`targets${quick ? ' (quick run: smaller counts than the targets are stated for)' : ''}`);
for (const line of targetTable(targetRows)) log(line);

result.durationSec = Math.round((performance.now() - started) / 100) / 10;
log(`done in ${result.durationSec} s`);
if (json) process.stdout.write(JSON.stringify(result) + '\n');
// a peer that cannot run is reported, not fatal; tickvisor's own scenarios must all run
process.exit(failed ? 1 : 0);
