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
import type { FromChild, ToChild } from './child-messages.js';
import { addTotals, emptyStatus, type CollectorStatus, type CollectorUnderTest } from './collector.js';

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

/** the compiled child next to this file, or the TypeScript source when running under tsx */
function childEntry(): { path: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./collector-child.js', import.meta.url));
  if (existsSync(js)) return { path: js, execArgv: [] };
  return { path: fileURLToPath(new URL('./collector-child.ts', import.meta.url)), execArgv: ['--import', 'tsx'] };
}

interface Running {
  child: ChildProcess;
  last: CollectorStatus;
  exited: Promise<void>;
  drained: Array<() => void>;
}

export async function startChildProcess(config: TickvisorConfigInput): Promise<CollectorUnderTest> {
  const alerts: Alert[] = [];
  const latencies: number[] = [];
  /** the final status of every process killed so far */
  const earlier: CollectorStatus[] = [];
  const entry = childEntry();
  let current: Running | undefined;
  let stopping: Promise<void> | undefined;
  let restarting: Promise<void> | undefined;

  let storeFullUntil = 0;
  const launch = async (): Promise<Running> => {
    const child = fork(entry.path, [JSON.stringify(config)], { execArgv: entry.execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const run: Running = { child, last: emptyStatus(), exited, drained: [] };
    const started = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SimulateError('TV_ERR_SIMULATE_CHILD', `the collector process did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      child.on('message', (m: FromChild) => {
        if (m.type === 'started') {
          clearTimeout(timer);
          resolve();
        } else if (m.type === 'failed') {
          clearTimeout(timer);
          reject(new SimulateError('TV_ERR_SIMULATE_CHILD', `the collector process failed to start: ${m.message}`));
        } else if (m.type === 'status') {
          run.last = m.status;
          for (const l of m.latencies) latencies.push(l);
        } else if (m.type === 'alert') alerts.push(m.alert);
        else if (m.type === 'drained') for (const w of run.drained.splice(0)) w();
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new SimulateError('TV_ERR_SIMULATE_CHILD', 'the collector process exited before it started'));
      });
    });
    try {
      await started;
      // a store that was full when the last process died is still full for the next one
      if (storeFullUntil > Date.now()) child.send({ type: 'store-full', untilMs: storeFullUntil } satisfies ToChild);
    } catch (error) {
      child.kill('SIGKILL');
      await exited;
      throw error;
    }
    return run;
  };

  const tell = (run: Running, m: ToChild) => {
    if (run.child.connected) run.child.send(m);
  };

  current = await launch();

  return {
    status: () => current?.last ?? emptyStatus(),
    alerts,
    latencies,
    async drain() {
      const run = current;
      if (!run || run.child.exitCode !== null) return;
      await Promise.race([new Promise<void>((resolve) => {
        run.drained.push(resolve);
        tell(run, { type: 'drain' });
      }), run.exited]);
    },
    failStore(untilMs) {
      storeFullUntil = untilMs;
      if (current) tell(current, { type: 'store-full', untilMs });
    },
    killAndRestart(downMs) {
      const run = current;
      if (!run || stopping) return Promise.resolve();
      restarting = (async () => {
        run.child.kill('SIGKILL');
        await run.exited;
        earlier.push(run.last);
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
        const run = current;
        if (!run || run.child.exitCode !== null || run.child.signalCode !== null) return;
        tell(run, { type: 'stop' });
        const grace = setTimeout(() => run.child.kill('SIGKILL'), STOP_GRACE_MS);
        await run.exited;
        clearTimeout(grace);
      })();
      return stopping;
    },
    totals() {
      return addTotals([...earlier, current?.last ?? emptyStatus()]);
    },
  };
}
