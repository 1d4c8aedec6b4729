/**
 * Entry point of a collector run in a child process by a scripted run (a scenario that kills the
 * collector mid-run). The configuration arrives as JSON in argv[2]; status, alerts and committed
 * trades' times go to the parent over IPC. The child ends when told to stop, and on its own when the
 * parent goes away: it never outlives the run.
 */
import { createLogger, silentLogger, type LevelWithSilent } from '../log/logger.js';
import { createStoreFaultGate } from '../store/index.js';
import { createTickvisor } from '../compose/tickvisor.js';
import type { BookKey } from './book-sampler.js';
import type { ChildBookReading, FromChild, NodeClusterStatus, ToChild } from './child-messages.js';
import { STATUS_INTERVAL_MS } from './child-messages.js';
import { statusFromTree } from './collector.js';
import { collectorId } from '../../machines/ids.js';
import type { ExchangeId, Market } from '../records.js';

const send = (m: FromChild) => {
  if (process.connected) process.send!(m);
};

const storeFaults = createStoreFaultGate();
const config = JSON.parse(process.argv[2] ?? '{}') as { log?: { level?: LevelWithSilent } };
const level = config.log?.level ?? 'silent';
const tv = createTickvisor(config as Parameters<typeof createTickvisor>[0], { logger: level === 'silent' ? silentLogger() : createLogger(level), storeFaultGate: storeFaults });
let commits: number[] = [];
let watched: { books: BookKey[]; depth: number } | undefined;
let timer: NodeJS.Timeout | undefined;
let stopping: Promise<void> | undefined;

const clustered = (config as { cluster?: unknown }).cluster !== undefined;
const clusterStatus = (): NodeClusterStatus => {
  const published = tv.clusterPublished();
  return {
    held: tv.clusterLeases().filter((l) => l.held).map((l) => `${l.unit}#${l.slot ?? 0}`),
    duplicatesDropped: published?.duplicatesDropped ?? 0,
    publishedTrades: published?.trades ?? 0,
    backlog: published?.backlog ?? 0,
  };
};

/**
 * A cluster node's gap windows and audits count only on the units it runs: a node that collected
 * a unit before (before a restart, or before it handed the unit over) keeps that unit's stream in
 * doubt and its audit where it stopped until it runs it again, which is no recovery of this
 * node's to wait for.
 */
const running = () => new Set(tv.clusterLeases().filter((l) => l.held).map((l) => l.unit));
const onRunningUnits = <T extends { exchange: ExchangeId; market: Market }>(rows: T[]): T[] => {
  if (!clustered) return rows;
  const units = running();
  return rows.filter((r) => units.has(collectorId(r.exchange, r.market)));
};

/** the watched books as this process holds them now */
const bookReadings = (books: readonly BookKey[], depth: number): ChildBookReading[] =>
  books.map((key) => {
    const book = tv.book(key.exchange, key.market, key.symbol, depth);
    const resyncs = tv.bookCounters(key.exchange, key.market, key.symbol)?.resyncs;
    return { key, ...(book ? { book } : {}), ...(resyncs !== undefined ? { resyncs } : {}) };
  });

const report = () =>
  send({
    type: 'status',
    status: statusFromTree(tv.state(), onRunningUnits(tv.gapStats()), Object.values(tv.pipelineStats()).reduce((n, s) => n + s.committed, 0), onRunningUnits(tv.auditStats())),
    commits: commits.splice(0),
    ...(clustered ? { cluster: clusterStatus() } : {}),
    ...(watched ? { books: bookReadings(watched.books, watched.depth) } : {}),
  });

function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    if (timer) clearInterval(timer);
    try {
      report();
    } catch {
      /* not started */
    }
    await tv.stop().catch(() => undefined);
    process.exit(code);
  })();
  return stopping;
}

process.on('message', (m: ToChild) => {
  if (m.type === 'stop') void stop(0);
  if (m.type === 'store-full') storeFaults.failUntil(m.untilMs);
  if (m.type === 'watch-books') watched = { books: m.books, depth: m.depth };
  if (m.type === 'drain') {
    void tv.drain().then(() => {
      report();
      send({ type: 'drained' });
    });
  }
});
process.once('disconnect', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

tv.alerts$.subscribe((alert) => send({ type: 'alert', alert }));
tv.committed$.subscribe((batch) => {
  const now = Date.now();
  for (const r of batch.records) if (r.type === 'trade') commits.push(r.timestamp, now);
});
try {
  await tv.start();
  timer = setInterval(report, STATUS_INTERVAL_MS);
  send({ type: 'started' });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  await stop(1);
}
