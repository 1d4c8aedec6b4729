/**
 * What a child allocates over a window: V8's sampling heap profile, written to `path` as a
 * .heapprofile (DevTools, or summarise by function). By default every sampled allocation counts,
 * garbage included (what drives the young generation's collections); `survivors` keeps only what
 * outlived the young generation (promoted, whether or not it died later).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { BenchChild } from './child.js';
import { sleep } from './until.js';

export async function allocationProfile(arg: { seconds: number; path: string; survivors?: boolean }): Promise<string> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: arg.survivors !== true });
    await sleep(arg.seconds * 1000);
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(arg.path, JSON.stringify(profile));
    return arg.path;
  } finally {
    session.disconnect();
  }
}

/**
 * Driver side: with BENCH_ALLOC_DIR=DIR, has the child profile what it allocates over the next
 * 1.5 s (a burst) into DIR/NAME.heapprofile; await the result after the burst. Undefined without it.
 */
export function profileAllocations(child: BenchChild, name: string): Promise<unknown> | undefined {
  const dir = process.env.BENCH_ALLOC_DIR;
  return dir ? child.call('allocationProfile', { seconds: 1.5, path: `${dir}/${name}.heapprofile` }) : undefined;
}
