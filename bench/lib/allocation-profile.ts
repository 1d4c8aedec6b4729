/**
 * What a child allocates over a window: V8's sampling heap profile, written to `path` as a
 * .heapprofile (DevTools, or summarise by function). By default every sampled allocation counts,
 * garbage included (what drives the young generation's collections); `survivors` keeps only what
 * outlived the young generation (promoted, whether or not it died later).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
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
