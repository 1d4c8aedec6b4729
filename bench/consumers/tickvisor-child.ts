// tickvisor under measurement, in its own process: createTickvisor with a temp store, pointed at
// the simulator process. Answers the burst commands (a trade counts once its LMDB transaction has
// committed) plus latency, steady-state usage and recovery measurements.
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import type { Subscription } from 'rxjs';
import { allocationProfile } from '../lib/allocation-profile.js';
import { burstHandlers } from '../lib/burst-handlers.js';
import { Contiguity } from '../lib/contiguity.js';
import { serve } from '../lib/protocol.js';
import { SplitLatency } from '../lib/split-latency.js';
import { sleep, until } from '../lib/until.js';
import { startSide, type ClusterConfigInput, type Side } from '../tickvisor-side.js';

interface StartArg {
  endpoints: { wsUrl: string; restUrl: string };
  symbols: string[];
  groupSize: number;
  /** run as a node of a NATS cluster (the bench's cluster section) */
  cluster?: ClusterConfigInput;
}

let side: Side | undefined;
let total = 0;
const need = () => {
  if (!side) throw new Error('tickvisor not started');
  return side;
};
const committed = () => side?.committed() ?? 0;
/** when start() was called: subscribe times count from here, not from process start */
let startedAt = 0;

let latency: { samples: SplitLatency; sub: Subscription } | undefined;
let recovery: Recovery | undefined;

/** the collector's gap counters as its snapshot carries them (the fields this bench reads) */
interface GapCounters {
  detected: number;
  filled: number;
  unfilled: number;
  backfilledTrades: number;
  pending: number;
}

interface Recovery {
  sawDown: boolean;
  poll: NodeJS.Timeout | undefined;
  sub: Subscription;
  ids: Contiguity;
  /** per symbol, the exchange time of its newest committed trade */
  newest: Map<string, number>;
  maxMissing: number;
  gaps0: GapCounters | undefined;
}

function gapCounters(): GapCounters | undefined {
  const ref = side?.tv.root?.system.get('collector:binance:spot');
  return (ref?.getSnapshot() as { context?: { gaps?: GapCounters } } | undefined)?.context?.gaps;
}

serve(
  {
    start: async (arg: StartArg) => {
      total = arg.symbols.length;
      startedAt = performance.now();
      side = await startSide(arg.endpoints, arg.symbols, arg.groupSize, arg.cluster);
      return true;
    },
    /** seconds from start() until every coin is Subscribed, or null on timeout */
    waitSubscribed: async (arg: { timeoutMs: number }) => {
      const s = need();
      const ok = await until(() => s.subscribed() === total, arg.timeoutMs, 10);
      return ok ? (performance.now() - startedAt) / 1000 : null;
    },
    /**
     * true once every gap window is closed and backfill is idle (or false after the timeout): a
     * start's first-subscription windows backfill the moments around each subscription, and those
     * old trades are not live latency
     */
    /** the gap counters summed over venues, with the windows still open */
    gapTotals: () => {
      const out: Record<string, number> = { openWindows: 0, detected: 0, merged: 0, filled: 0, unfilled: 0, failures: 0, pending: 0 };
      for (const g of need().tv.gapStats()) for (const k of Object.keys(out)) out[k]! += (g as unknown as Record<string, number>)[k] ?? 0;
      return out;
    },
    waitGapsIdle: async (arg: { timeoutMs: number }) => {
      const s = need();
      return until(() => s.tv.gapStats().every((g) => g.openWindows === 0 && g.idle), arg.timeoutMs, 10);
    },
    /** the ids the store holds per symbol (binance spot, as the bench's venue), each id as often as it is stored */
    storedIds: (arg: { symbols: string[] }) => {
      const { tv } = need();
      const out: Record<string, string[]> = {};
      for (const symbol of arg.symbols) {
        const ids: string[] = (out[symbol] = []);
        for (const r of tv.history({ exchange: 'binance', market: 'spot', symbol, type: 'trade' })) if (r.type === 'trade') ids.push(r.id);
      }
      return out;
    },
    ...burstHandlers(committed),
    latencyStart: () => {
      const samples = new SplitLatency();
      // committed$ fires once the batch's transaction is durable: that is "stored". A trade's
      // localTimestamp is when its frame was read off the socket, which splits the figure into
      // what happened before tickvisor saw the trade (simulator, loopback) and inside tickvisor.
      // Read from the batch's columns where it has them: asking for `records` makes an object per
      // trade on the thread being measured.
      const sub = need().tv.committed$.subscribe((batch) => {
        const now = Date.now();
        const c = batch.trades?.columns;
        if (c !== undefined) {
          for (let i = 0; i < c.length; i++) samples.push(c.timestamps[i] as number, c.localTimestamps[i] as number, now);
          return;
        }
        for (const r of batch.records) if (r.type === 'trade') samples.push(r.timestamp, r.localTimestamp, now);
      });
      latency = { samples, sub };
      return true;
    },
    latencyStop: () => {
      if (!latency) throw new Error('latencyStop before latencyStart');
      latency.sub.unsubscribe();
      const { whole, first, second } = latency.samples.result();
      latency = undefined;
      return { ...whole, inside: second, before: first };
    },
    /** RSS and CPU of this process over a window at steady state */
    usage: async (arg: { seconds: number }) => {
      global.gc?.();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await sleep(arg.seconds * 1000);
      const c = process.cpuUsage(c0);
      const secs = (performance.now() - t0) / 1000;
      const mem = process.memoryUsage();
      return {
        rssMB: Math.round(mem.rss / 2 ** 20),
        // the most this process held at any time so far (start-up included); maxRSS is in KB
        peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
        heapUsedMB: Math.round(mem.heapUsed / 2 ** 20),
        cpuPct: Math.round(((c.user + c.system) / 1e6 / secs) * 1000) / 10,
      };
    },
    /** where the RSS goes: V8's heap spaces (committed vs used) and memory outside the JS heap, MB */
    memory: () => {
      for (let i = 0; i < Number(process.env.BENCH_GCS ?? 1); i++) global.gc?.();
      const mb = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
      const m = process.memoryUsage();
      const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { committed: mb(s.physical_space_size), used: mb(s.space_used_size) }]));
      return { rss: mb(m.rss), ...procRss(), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers), spaces };
    },
    /** a V8 heap snapshot of this process to `path` (after a full GC): what is alive, per constructor */
    heapSnapshot: (arg: { path: string }) => {
      global.gc?.();
      return writeHeapSnapshot(arg.path);
    },
    /** what allocates over a window (lib/allocation-profile.ts) */
    allocationProfile,
    /** before the fault: watch for coins leaving Subscribed and for holes in the committed ids */
    recoveryArm: () => {
      const s = need();
      const ids = new Contiguity();
      const newest = new Map<string, number>();
      const sub = s.tv.committed$.subscribe((batch) => {
        for (const r of batch.records) {
          if (r.type !== 'trade') continue;
          ids.add(r.symbol, Number(r.id));
          if (r.timestamp > (newest.get(r.symbol) ?? 0)) newest.set(r.symbol, r.timestamp);
        }
      });
      const g = gapCounters();
      const rec: Recovery = { sawDown: false, sub, ids, newest, maxMissing: 0, gaps0: g && { ...g }, poll: undefined };
      let ticks = 0;
      rec.poll = setInterval(() => {
        if (!rec.sawDown && s.subscribed() < total) rec.sawDown = true;
        if (++ticks % 25 === 0) rec.maxMissing = Math.max(rec.maxMissing, ids.missing());
      }, 2);
      recovery = rec;
      return true;
    },
    /**
     * After the fault, from `backAt` (the simulator reachable again, its clock): until every coin is
     * Subscribed again, and until the store holds every trade id below each symbol's newest one with
     * every symbol past the recovery (a hole would have shown by then).
     */
    recoveryWait: async (arg: { backAt: number; timeoutMs: number }) => {
      const s = need();
      const rec = recovery;
      if (!rec) throw new Error('recoveryWait before recoveryArm');
      const allUp = await until(() => rec.sawDown && s.subscribed() === total, arg.timeoutMs, 2);
      const subscribedAt = Date.now();
      const everyonePast = () => [...rec.newest.values()].filter((t) => t >= subscribedAt).length === total;
      const filled = allUp && (await until(() => everyonePast() && rec.ids.symbolsWithHoles() === 0, arg.timeoutMs, 2));
      const filledAt = Date.now();
      rec.maxMissing = Math.max(rec.maxMissing, rec.ids.missing());
      clearInterval(rec.poll);
      rec.sub.unsubscribe();
      recovery = undefined;
      // the collector reports its gap counters at most once a second
      await sleep(1_100);
      const g = gapCounters();
      const g0 = rec.gaps0;
      return {
        allSubscribed: allUp,
        subscribedMs: allUp ? Math.max(0, subscribedAt - arg.backAt) : null,
        gapFilled: filled,
        gapFilledMs: filled ? Math.max(0, filledAt - arg.backAt) : null,
        missingAtWorst: rec.maxMissing,
        gaps: g && {
          detected: g.detected - (g0?.detected ?? 0),
          filled: g.filled - (g0?.filled ?? 0),
          unfilled: g.unfilled - (g0?.unfilled ?? 0),
          backfilledTrades: g.backfilledTrades - (g0?.backfilledTrades ?? 0),
          pending: g.pending,
        },
      };
    },
    committed,
    /** this process's CPU so far (user + system, every thread), seconds */
    cpuSeconds: () => {
      const c = process.cpuUsage();
      return (c.user + c.system) / 1e6;
    },
    /** cluster mode: what the stream has acknowledged of this node's trades (batches = messages) */
    clusterPublished: () => need().tv.clusterPublished() ?? null,
  },
  async () => {
    await side?.close();
  },
);

/**
 * Linux's split of the RSS (MB): anonymous memory (heaps, malloc) apart from file pages mapped in
 * (LMDB's data.mdb is memory-mapped: the pages a commit touched count in the RSS but are the page
 * cache's to reclaim). Empty where /proc is not there.
 */
/** the resident MB of each mapped file over 1 MB (data.mdb, the node binary, native addons) */
function mappedFiles(): { files?: Record<string, number> } {
  try {
    const files: Record<string, number> = {};
    const mdbMaps: string[] = [];
    let name = '';
    for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
      const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
      if (head) {
        name = head[1] ?? '';
        if (name.endsWith('data.mdb')) mdbMaps.push(line.split(' ')[0] ?? '');
      }
      else if (line.startsWith('Rss:')) {
        const key = name.startsWith('/') || name.startsWith('[') ? name : '(anon)';
        files[key] = (files[key] ?? 0) + Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024;
      }
    }
    const db = Object.keys(files).find((n) => n.endsWith('/data.mdb'));
    if (db !== undefined && process.env.BENCH_KEEP_DB) copyFileSync(db, process.env.BENCH_KEEP_DB);
    return { ...(db === undefined ? {} : { dataMdbFileMB: Math.round(statSync(db).size / 104857.6) / 10, mdbMaps }), files: Object.fromEntries(Object.entries(files).filter(([, mb]) => mb >= 1).map(([n, mb]) => [n.split('/').slice(-2).join('/'), Math.round(mb * 10) / 10])) };
  } catch {
    return {};
  }
}

function procRss(): { rssAnon?: number; rssFile?: number; files?: Record<string, number> } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssAnon: Math.round(kb('RssAnon') / 102.4) / 10, rssFile: Math.round(kb('RssFile') / 102.4) / 10, ...mappedFiles() };
  } catch {
    return {};
  }
}
