/**
 * CPU per thread of this process, from /proc/self/task/<tid>/stat (Linux only; elsewhere empty):
 * process.cpuUsage sums every thread, and a burst's CPU is spent partly off the main thread (V8's
 * GC helpers, LMDB's write thread, libuv's pool). `BENCH_THREADS=1` prints the split per burst.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** thread name → CPU seconds (user + system), threads of one name summed */
export type ThreadCpu = Map<string, number>;

const TICKS_PER_SEC = 100; // USER_HZ on Linux

export function threadCpu(): ThreadCpu {
  const out: ThreadCpu = new Map();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      const name = tid === String(process.pid) ? 'main' : stat.slice(open + 1, close).replace(/[0-9]+$/, '').trim();
      const fields = stat.slice(close + 2).split(' ');
      // fields[0] is state (field 3); utime and stime are fields 14 and 15
      const ticks = Number(fields[11]) + Number(fields[12]);
      out.set(name, (out.get(name) ?? 0) + ticks / TICKS_PER_SEC);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** the CPU each thread name spent between two readings, largest first, as one line */
export function threadCpuLine(before: ThreadCpu, after: ThreadCpu): string {
  const rows: [string, number][] = [];
  for (const [name, s] of after) rows.push([name, s - (before.get(name) ?? 0)]);
  rows.sort((a, b) => b[1] - a[1]);
  return rows.filter(([, s]) => s >= 0.005).map(([n, s]) => `${n} ${s.toFixed(2)}s`).join(' · ');
}
