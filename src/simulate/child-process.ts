/**
 * The tickvisor under test in a child process, so that a scenario can SIGKILL it mid-write and
 * start a fresh one on the same store while the simulator (in this process) keeps trading —
 * the crash a real deployment suffers. Every path ends the child: stop(), a failed start, and
 * this process going away (the child exits on IPC disconnect).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Alert } from '../alerts/index.js';
import type { TickvisorConfigInput } from '../config/schema.js';
import { SimulateError } from './errors.js';
import { bookKeyText, type BookKey, type CollectorBooks } from './book-sampler.js';
import type { ChildBookReading, FromChild, ToChild } from './child-messages.js';
import { addTotals, emptyStatus, type CollectorStatus, type CollectorUnderTest } from './collector.js';

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

/** the compiled child next to this file, or the TypeScript source when running under tsx */
function childEntry(): { path: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./collector-child.js', import.meta.url));
  if (existsSync(js)) return { path: js, execArgv: [] };
  return { path: fileURLToPath(new URL('./collector-child.ts', import.meta.url)), execArgv: ['--import', 'tsx'] };
}

export interface CollectorChild {
  child: ChildProcess;
  last: CollectorStatus;
  exited: Promise<void>;
  drained: Array<() => void>;
}

/** what a collector child reports besides its status */
export interface ChildSinks {
  onStatus?(m: Extract<FromChild, { type: 'status' }>): void;
  onAlert?(alert: Alert): void;
}

/**
 * Forks one collector process and resolves once it has started (its collectors are up); a child
 * that fails or exits before that is killed and the start rejects in one line.
 */
export async function forkCollector(config: TickvisorConfigInput, sinks: ChildSinks, what = 'the collector process'): Promise<CollectorChild> {
  const entry = childEntry();
  const child = fork(entry.path, [JSON.stringify(config)], { execArgv: entry.execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const run: CollectorChild = { child, last: emptyStatus(), exited, drained: [] };
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new SimulateError('TV_ERR_SIMULATE_CHILD', `${what} did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    child.on('message', (m: FromChild) => {
      if (m.type === 'started') {
        clearTimeout(timer);
        resolve();
      } else if (m.type === 'failed') {
        clearTimeout(timer);
        reject(new SimulateError('TV_ERR_SIMULATE_CHILD', `${what} failed to start: ${m.message}`));
      } else if (m.type === 'status') {
        run.last = m.status;
        sinks.onStatus?.(m);
      } else if (m.type === 'alert') sinks.onAlert?.(m.alert);
      else if (m.type === 'drained') for (const w of run.drained.splice(0)) w();
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new SimulateError('TV_ERR_SIMULATE_CHILD', `${what} exited before it started`));
    });
  });
  try {
    await started;
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  return run;
}

/** a message to a child, when it still listens */
export function tellChild(run: CollectorChild, m: ToChild): void {
  if (run.child.connected) run.child.send(m);
}

/** resolves once the child drained (every backfill ran, every pipeline committed), or exited */
export async function drainChild(run: CollectorChild): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  await Promise.race([
    new Promise<void>((resolve) => {
      run.drained.push(resolve);
      tellChild(run, { type: 'drain' });
    }),
    run.exited,
  ]);
}

/** asks a child to stop (graceful: drained, leases released), SIGKILL after the grace time */
export async function stopChild(run: CollectorChild): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  tellChild(run, { type: 'stop' });
  const grace = setTimeout(() => run.child.kill('SIGKILL'), STOP_GRACE_MS);
  await run.exited;
  clearTimeout(grace);
}

/**
 * `watchBooks`: the books a book scenario samples. Each status of the child carries their top
 * levels (at most one status interval old, which the sampler allows for: it compares a book with
 * the truth at the version the collector held); while no process runs, no book is held.
 */
export async function startChildProcess(config: TickvisorConfigInput, watchBooks?: { books: BookKey[]; depth: number }): Promise<CollectorUnderTest> {
  const alerts: Alert[] = [];
  const commits: number[] = [];
  /** the final status of every process killed so far */
  const earlier: CollectorStatus[] = [];
  let current: CollectorChild | undefined;
  let stopping: Promise<void> | undefined;
  let restarting: Promise<void> | undefined;

  let storeFullUntil = 0;
  /** the running process's latest reading of each watched book */
  const readings = new Map<string, ChildBookReading>();
  /** resyncs counted by the processes killed so far, per book */
  const resyncsBefore = new Map<string, number>();
  const launch = async (): Promise<CollectorChild> => {
    const run = await forkCollector(config, {
      onStatus: (m) => {
        for (const x of m.commits) commits.push(x);
        for (const r of m.books ?? []) readings.set(bookKeyText(r.key), r);
      },
      onAlert: (alert) => alerts.push(alert),
    });
    // a store that was full when the last process died is still full for the next one
    if (storeFullUntil > Date.now()) tellChild(run, { type: 'store-full', untilMs: storeFullUntil });
    if (watchBooks) tellChild(run, { type: 'watch-books', ...watchBooks });
    return run;
  };

  current = await launch();

  return {
    status: () => current?.last ?? emptyStatus(),
    alerts,
    commits,
    ...(watchBooks
      ? {
          books: {
            book: (exchange, market, symbol) => readings.get(bookKeyText({ exchange, market, symbol }))?.book,
            bookCounters: (exchange, market, symbol) => {
              const key = bookKeyText({ exchange, market, symbol });
              const r = readings.get(key);
              const before = resyncsBefore.get(key);
              return r?.resyncs === undefined && before === undefined ? undefined : { resyncs: (before ?? 0) + (r?.resyncs ?? 0) };
            },
          } satisfies CollectorBooks,
        }
      : {}),
    async drain() {
      if (current) await drainChild(current);
    },
    failStore(untilMs) {
      storeFullUntil = untilMs;
      if (current) tellChild(current, { type: 'store-full', untilMs });
    },
    killAndRestart(downMs) {
      const run = current;
      if (!run || stopping) return Promise.resolve();
      restarting = (async () => {
        run.child.kill('SIGKILL');
        await run.exited;
        earlier.push(run.last);
        // the dead process's books are gone with it; its resyncs still count
        for (const [key, r] of readings) resyncsBefore.set(key, (resyncsBefore.get(key) ?? 0) + (r.resyncs ?? 0));
        readings.clear();
        current = undefined;
        if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
        if (!stopping) current = await launch();
      })();
      return restarting;
    },
    stop() {
      stopping ??= (async () => {
        // a restart under way finishes first, so the process it starts is the one stopped here
        await restarting?.catch(() => undefined);
        if (current) await stopChild(current);
      })();
      return stopping;
    },
    totals() {
      return addTotals([...earlier, current?.last ?? emptyStatus()]);
    },
  };
}
