/**
 * What the book sink does when the disk falls behind the feed (sink.ts): it sheds records instead
 * of holding more, and sheds them honestly. Dropping an update breaks the chain every later update
 * of that book builds on, so the dropped records are replaced by one `resync` in their place:
 * the stored history then says "no consistent book from here until the next snapshot" instead of
 * pretending continuity. Works on the sink's pending runs (one per symbol, pending-run.ts), never
 * on the records of a commit in flight (each run's first `committing` records).
 */
import type { BookRecord } from '../../records.js';
import { KIND_CODE } from './codec.js';
import { PendingRun } from './pending-run.js';

export function bookSymbolId(r: Pick<BookRecord, 'exchange' | 'market' | 'symbol'>): string {
  return `${r.exchange}\u0000${r.market}\u0000${r.symbol}`;
}

/** a run and how many of its first records a commit in flight holds */
export interface SheddableRun {
  run: PendingRun;
  committing: number;
}

export interface ShedResult {
  /** records dropped (the resyncs put in their place not counted) */
  dropped: number;
  /** resyncs put in the place of dropped records */
  resyncs: number;
  /** symbols whose newest pending records were dropped: their next updates are dropped too, until a snapshot */
  broken: string[];
}

/** weight (records + levels) of a run's records a shed may touch */
function sheddableWeight(s: SheddableRun): number {
  return s.run.weight - s.committing - s.run.levelStart[s.committing]!;
}

/**
 * Sheds whole runs of one symbol at a time, the heaviest symbol first, until the weight the shed
 * may touch is at most `target`:
 * - records before the symbol's last pending snapshot go (that snapshot restarts the book), or
 * - with nothing before it, the updates after it (or all its updates when no snapshot is pending),
 *   and the symbol stays broken until its next snapshot.
 * A symbol down to a resync and one snapshot cannot shed more; the sink's bound is then one
 * snapshot per symbol, which is what a book costs at all. The runs are changed in place.
 */
export function shedRuns(runs: readonly SheddableRun[], target: number, reason: string): ShedResult {
  let dropped = 0;
  let resyncs = 0;
  const broken: string[] = [];
  const stuck = new Set<SheddableRun>();
  for (let guard = 0; guard < 10_000; guard++) {
    let total = 0;
    let heaviest: SheddableRun | undefined;
    let most = -1;
    for (const s of runs) {
      const w = sheddableWeight(s);
      total += w;
      if (!stuck.has(s) && w > most) (heaviest = s), (most = w);
    }
    if (total <= target || heaviest === undefined) break;
    const step = shedRun(heaviest, reason);
    if (step === undefined) {
      stuck.add(heaviest);
      continue;
    }
    dropped += step.dropped;
    resyncs += step.resync ? 1 : 0;
    if (step.broken) broken.push(heaviest.run.id);
  }
  return { dropped, resyncs, broken };
}

function shedRun(s: SheddableRun, reason: string): { dropped: number; resync: boolean; broken: boolean } | undefined {
  const { run, committing: from } = s;
  const kinds = run.kinds;
  let lastSnapshot = -1;
  for (let i = run.count - 1; i >= from; i--) {
    if (kinds[i] === KIND_CODE.snapshot) {
      lastSnapshot = i;
      break;
    }
  }
  // the records (indices into the run) to drop
  let doomed: number[] = [];
  let broken = false;
  const before = lastSnapshot > from ? lastSnapshot - from : 0;
  const onlyAResync = before === 1 && kinds[from] === KIND_CODE.resync;
  if (before > 0 && !onlyAResync) {
    for (let i = from; i < lastSnapshot; i++) doomed.push(i);
  } else {
    for (let i = Math.max(from, lastSnapshot + 1); i < run.count; i++) if (kinds[i] === KIND_CODE.update) doomed.push(i);
    broken = true;
  }
  if (doomed.length === 0) return undefined;
  const first = doomed[0]!;
  // a resync already opening the run stays as it is (its reason is the better one)
  const keepFirst = kinds[first] === KIND_CODE.resync;
  if (keepFirst) doomed = doomed.slice(1);
  if (doomed.length === 0) return undefined;
  const drop = new Set(doomed);
  const out = new PendingRun(run.exchange, run.market, run.symbol, run.id);
  for (let i = 0; i < run.count; i++) {
    if (i === first && !keepFirst) out.pushResync(run.timestamps[i]!, run.localTimestamps[i]!, reason);
    if (!drop.has(i)) out.copyFrom(run, i);
  }
  run.adopt(out);
  return { dropped: drop.size, resync: !keepFirst, broken };
}
