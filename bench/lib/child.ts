/**
 * Driver side of a bench child process: fork a TypeScript script (through tsx) or a compiled one with its own CPU
 * account, then call its commands by name. Commands travel over Node's IPC channel, never over
 * stdout: the child's stdout and stderr both go to our stderr, so `--json` keeps stdout clean.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Reply, Request } from './protocol.js';

export interface BenchChild {
  readonly name: string;
  call<T = unknown>(command: string, arg?: unknown): Promise<T>;
  /** asks the child to stop (its `stop` handler runs), kills it after 10 s */
  stop(): Promise<void>;
}

export class BenchChildError extends Error {
  readonly code = 'TV_ERR_BENCH_CHILD';
  constructor(message: string) {
    super(message);
    this.name = 'BenchChildError';
  }
}

/** `K=V K2=V2 …` (a shell line's variable assignments, values without spaces) as an environment */
export function envAssignments(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of text.split(/\s+/)) {
    const at = pair.indexOf('=');
    if (at > 0) env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

/**
 * `script` is relative to bench/ (e.g. 'consumers/floor-child.ts'); `launch`: node/V8 flags and
 * environment the child runs with (tickvisor's: those its CLI runs with, consumers/dist-child.ts)
 */
export async function startChild(name: string, script: string, launch: { flags?: readonly string[]; env?: Readonly<Record<string, string>> } = {}): Promise<BenchChild> {
  const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
  // BENCH_CPU_PROF=DIR writes .cpuprofile files of each child into DIR/<name>/ (NODE_OPTIONS cannot
  // carry --cpu-prof). Default file names keep pid and thread id apart: tsx's loader runs in a
  // worker thread whose profile would otherwise overwrite the main thread's.
  const profDir = process.env.BENCH_CPU_PROF;
  // a compiled script (.js) runs in plain node: tsx's loader would be measured too
  const execArgv = script.endsWith('.js') ? ['--expose-gc'] : ['--expose-gc', '--import', 'tsx'];
  execArgv.push(...(launch.flags ?? []));
  if (profDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${profDir}/${name}`);
  // BENCH_TICKVISOR_FLAGS='--max-semi-space-size=32 …': V8/node flags for tickvisor's child only (experiments)
  const extra = name === 'tickvisor' ? process.env.BENCH_TICKVISOR_FLAGS : undefined;
  if (extra) execArgv.push(...extra.split(' ').filter((f) => f !== ''));
  // BENCH_TICKVISOR_ENV='MALLOC_ARENA_MAX=8 …': environment for tickvisor's child only (experiments)
  const extraEnv = name === 'tickvisor' ? envAssignments(process.env.BENCH_TICKVISOR_ENV ?? '') : {};
  const child: ChildProcess = fork(path, [], {
    execArgv,
    env: { ...process.env, ...launch.env, ...extraEnv },
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited = false;
  const failAll = (why: string) => {
    for (const p of pending.values()) p.reject(new BenchChildError(`${name}: ${why}`));
    pending.clear();
  };
  child.on('message', (msg: Reply) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if ('error' in msg) p.reject(new BenchChildError(`${name}: ${msg.error}`));
    else p.resolve(msg.ok);
  });
  child.on('exit', (code, signal) => {
    exited = true;
    failAll(`exited (code ${code}, signal ${signal})`);
  });
  const call = <T>(command: string, arg?: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(new BenchChildError(`${name}: already exited`));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const req: Request = { id, command, arg };
      child.send(req);
    });
  await call('ping');
  return {
    name,
    call,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        call('stop').catch(() => undefined);
      }),
  };
}
