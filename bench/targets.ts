/**
 * The issue's targets, each against the figure this run measured: met, not met, or not measured
 * (the section was skipped with --only, failed, or the quick plan leaves it out). Pure: the run's
 * figures in, rows out; run.ts prints them and puts them in the JSON under `targets`.
 */

/** the few fields of a burst or sustained outcome a target reads */
export interface RateFigures {
  tradesPerSec: number;
  cpuSecPerMillion: number;
  deliveredPct: number;
}
type Outcome<T> = T | { error: string } | undefined;

export interface TargetInputs {
  burst?: Outcome<RateFigures>;
  floorBurst?: Outcome<RateFigures>;
  sustained?: Outcome<RateFigures>;
  floorSustained?: Outcome<RateFigures>;
  /** trades in each sustained run (the figure's label says it) */
  sustainedTrades?: number;
  store?: Outcome<{
    trades: number;
    bytesPerTrade: number;
    readTradesPerSec: number;
    readColumnarTradesPerSec: number | null;
    duckdbScanTradesPerSec: number | null;
    naive: Outcome<{ bytesPerTrade: number; readTradesPerSec: number }>;
  }>;
  /** scale results by symbol count */
  scale?: Record<string, Outcome<{ rssMB: number }>>;
  /** latency results by offered rate */
  latency?: Record<string, Outcome<{ p99Ms: number; floor?: Outcome<{ p99Ms: number }> }>>;
  /** the book section: tickvisor's and ccxt pro's runs */
  book?: Outcome<BookFigures>;
  ccxtBook?: Outcome<BookFigures>;
  /** the cluster section: the burst archived through the 3-server R3 stream, and the paced run's latency */
  cluster?: Outcome<ClusterFigures>;
}

/** the fields of the cluster outcome a target reads */
export interface ClusterFigures {
  /** archived through the stream (its CPU is split by process, not one figure) */
  tradesPerSec: number;
  deliveredPct: number;
  /** exchange timestamp → committed in the archive at the paced rate */
  p99Ms: number;
  /** the paced rate p99Ms was measured at */
  pacedRate: number;
}

/** the fields of a book outcome a target reads */
export interface BookFigures {
  updatesPerCpuSec: number;
  /** books whose top 10 differed from the true book after the burst */
  mismatched: number;
}

export interface TargetRow {
  figure: string;
  measured: number | null;
  /** the same figure for the peer named in peerName, when there is one */
  peer: number | null;
  peerName: string | null;
  target: string;
  /** null: not measured in this run */
  met: boolean | null;
}

const ok = <T>(o: Outcome<T>): T | undefined => (o === undefined || (typeof o === 'object' && o !== null && 'error' in o) ? undefined : o);
const num = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function atLeast(measured: number | null, min: number): boolean | null {
  return measured === null ? null : measured >= min;
}
function atMost(measured: number | null, max: number): boolean | null {
  return measured === null ? null : measured <= max;
}
/** a rate counts only when every trade arrived: a lossy consumer's rate is not the one asked for */
function rateMet(f: Pick<RateFigures, 'tradesPerSec' | 'deliveredPct'> | undefined, min: number): boolean | null {
  if (f === undefined || num(f.tradesPerSec) === null) return null;
  return f.tradesPerSec >= min && f.deliveredPct === 100;
}

export const BURST_CPU_FACTOR = 1.7;
/** book updates per CPU-second, tickvisor / ccxt pro (issue 14) */
export const BOOK_VS_CCXT_FACTOR = 3;
/** issue 15: archived through the 3-server R3 stream on the 2-core box */
export const CLUSTER_MIN_TRADES_PER_SEC = 150_000;
export const CLUSTER_MAX_P99_MS = 250;

export function targets(i: TargetInputs): TargetRow[] {
  const burst = ok(i.burst);
  const floor = ok(i.floorBurst);
  const sus = ok(i.sustained);
  const floorSus = ok(i.floorSustained);
  const store = ok(i.store);
  const naive = ok(store?.naive);
  const rss5k = ok(i.scale?.['5000']);
  const lat = (rate: string) => num(ok(i.latency?.[rate])?.p99Ms);
  const latFloor = (rate: string) => num(ok(ok(i.latency?.[rate])?.floor)?.p99Ms);
  const book = ok(i.book);
  const bookRate = num(book?.updatesPerCpuSec);
  const ccxtBookRate = num(ok(i.ccxtBook)?.updatesPerCpuSec);
  const bookMin = ccxtBookRate === null ? null : Math.round(ccxtBookRate * BOOK_VS_CCXT_FACTOR);

  const cluster = ok(i.cluster);
  const clusterP99 = num(cluster?.p99Ms);
  const pacedRate = cluster ? ` at ${cluster.pacedRate.toLocaleString('en')}/s` : '';

  const burstCpu = num(burst?.cpuSecPerMillion);
  const floorCpu = num(floor?.cpuSecPerMillion);
  const cpuLimit = floorCpu === null ? null : Math.round(floorCpu * BURST_CPU_FACTOR * 100) / 100;
  const storeN = store ? ` (${store.trades.toLocaleString('en')} trades, one symbol)` : '';

  return [
    {
      figure: 'burst CPU-s per million',
      measured: burstCpu,
      peer: floorCpu,
      peerName: 'floor',
      target: `≤ ${BURST_CPU_FACTOR} × floor${cpuLimit === null ? '' : ` (${cpuLimit})`}`,
      met: burstCpu === null || cpuLimit === null ? null : burstCpu <= cpuLimit,
    },
    {
      figure: 'burst trades/s',
      measured: num(burst?.tradesPerSec),
      peer: num(floor?.tradesPerSec),
      peerName: 'floor',
      target: '≥ 400,000, 100% delivered',
      met: rateMet(burst, 400_000),
    },
    {
      figure: `sustained trades/s${i.sustainedTrades === undefined ? '' : ` (${i.sustainedTrades.toLocaleString('en')} trades)`}`,
      measured: num(sus?.tradesPerSec),
      peer: num(floorSus?.tradesPerSec),
      peerName: 'floor',
      target: '≥ 350,000, 100% delivered (3M trades)',
      met: rateMet(sus, 350_000),
    },
    {
      figure: `bytes per trade on disk${storeN}`,
      measured: num(store?.bytesPerTrade),
      peer: num(naive?.bytesPerTrade),
      peerName: 'naive',
      target: '≤ 12 (1M trades, one symbol)',
      met: atMost(num(store?.bytesPerTrade), 12),
    },
    {
      figure: 'history read records/s',
      measured: num(store?.readTradesPerSec),
      peer: num(naive?.readTradesPerSec),
      peerName: 'naive',
      target: '≥ 5,000,000',
      met: atLeast(num(store?.readTradesPerSec), 5_000_000),
    },
    {
      figure: 'columnar read trades/s',
      measured: num(store?.readColumnarTradesPerSec),
      peer: num(store?.duckdbScanTradesPerSec),
      peerName: 'duckdb scan',
      target: '≥ 30,000,000',
      met: atLeast(num(store?.readColumnarTradesPerSec), 30_000_000),
    },
    {
      figure: 'RSS at 5,000 symbols, MB',
      measured: num(rss5k?.rssMB),
      peer: null,
      peerName: null,
      target: '≤ 150',
      met: atMost(num(rss5k?.rssMB), 150),
    },
    { figure: 'p99 exchange → commit at 10k/s, ms', measured: lat('10000'), peer: latFloor('10000'), peerName: 'floor', target: '≤ 10', met: atMost(lat('10000'), 10) },
    { figure: 'p99 exchange → commit at 50k/s, ms', measured: lat('50000'), peer: latFloor('50000'), peerName: 'floor', target: '≤ 20', met: atMost(lat('50000'), 20) },
    {
      figure: 'book updates per CPU-s',
      measured: bookRate,
      peer: ccxtBookRate,
      peerName: 'ccxt pro',
      // a rate of wrong books is not the one asked for: every final book must equal the true one
      target: `≥ ${BOOK_VS_CCXT_FACTOR} × ccxt pro${bookMin === null ? '' : ` (${bookMin.toLocaleString('en')})`}, books right`,
      met: bookRate === null || bookMin === null ? null : bookRate >= bookMin && book?.mismatched === 0,
    },
    {
      // the same burst into a node that only stores (the burst section) is the figure to hold it against
      figure: 'cluster archived trades/s (3 servers, R3)',
      measured: num(cluster?.tradesPerSec),
      peer: num(burst?.tradesPerSec),
      peerName: 'single process',
      target: `≥ ${CLUSTER_MIN_TRADES_PER_SEC.toLocaleString('en')}, 100% delivered`,
      met: rateMet(cluster, CLUSTER_MIN_TRADES_PER_SEC),
    },
    {
      figure: `cluster p99 exchange → archive${pacedRate}, ms`,
      measured: clusterP99,
      peer: null,
      peerName: null,
      target: `≤ ${CLUSTER_MAX_P99_MS}`,
      met: atMost(clusterP99, CLUSTER_MAX_P99_MS),
    },
  ];
}

/** the rows as an aligned text table, one line each */
export function targetTable(rows: readonly TargetRow[]): string[] {
  const fmt = (v: number | null) => (v === null ? '–' : v.toLocaleString('en'));
  const cells = rows.map((r) => [
    r.figure,
    fmt(r.measured),
    r.peerName === null || r.peer === null ? '–' : `${fmt(r.peer)} (${r.peerName})`,
    r.target,
    r.met === null ? 'not measured' : r.met ? 'met' : 'NOT met',
  ]);
  const head = ['figure', 'measured', 'peer', 'target', ''];
  const widths = head.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  return [line(head), ...cells.map(line)];
}
