/** Starts bench/sim-child.ts and talks to it: one request, one JSON line answer. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { SimOptions } from '../src/sim/index.js';

export interface SimProcess {
  endpoints: { wsUrl: string; restUrl: string };
  request<T = Record<string, unknown>>(command: Record<string, unknown>, answerKey: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startSimProcess(options: SimOptions): Promise<SimProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bench/sim-child.ts', JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: Array<{ key: string; resolve: (v: Record<string, unknown>) => void }> = [];
  let endpoints: SimProcess['endpoints'] | undefined;
  let ready: (() => void) | undefined;
  const started = new Promise<void>((r) => (ready = r));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line) as Record<string, unknown>;
    if (msg.endpoints) {
      endpoints = msg.endpoints as SimProcess['endpoints'];
      ready!();
      return;
    }
    const i = waiting.findIndex((w) => w.key in msg);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(msg);
  });
  await started;
  return {
    endpoints: endpoints!,
    request: (command, key) =>
      new Promise((resolve) => {
        waiting.push({ key, resolve: resolve as (v: Record<string, unknown>) => void });
        child.stdin!.write(JSON.stringify(command) + '\n');
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.write(JSON.stringify({ stop: true }) + '\n');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

export function symbols(n: number): string[] {
  // BASE0/USDT … synthetic bases keep any count possible; the first few are real names
  const real = ['BTC', 'ETH', 'SOL', 'XRP', 'ADA', 'DOGE', 'TRX', 'DOT', 'LINK', 'AVAX'];
  return Array.from({ length: n }, (_, i) => `${i < real.length ? real[i] : `C${i}X`}/USDT`);
}
