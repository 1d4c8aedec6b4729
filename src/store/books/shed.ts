/**
 * What the book sink does when the disk falls behind the feed (sink.ts): it sheds records instead
 * of holding more, and sheds them honestly. Dropping an update breaks the chain every later update
 * of that book builds on, so the dropped records are replaced by one `resync` in their place:
 * the stored history then says "no consistent book from here until the next snapshot" instead of
 * pretending continuity. Pure: pending records in, pending records out.
 */
import type { BookRecord } from '../../records.js';

/** memory a pending record holds, in levels (+1 for the record itself) */
export function bookWeight(r: BookRecord): number {
  return 1 + r.bids.length + r.asks.length;
}

export function bookSymbolId(r: Pick<BookRecord, 'exchange' | 'market' | 'symbol'>): string {
  return `${r.exchange}\u0000${r.market}\u0000${r.symbol}`;
}

export interface ShedResult {
  pending: BookRecord[];
  /** records dropped (the resyncs put in their place not counted) */
  dropped: number;
  /** resyncs put in the place of dropped records */
  resyncs: number;
  /** symbols whose newest pending records were dropped: their next updates are dropped too, until a snapshot */
  broken: string[];
}

/**
 * Sheds whole runs of one symbol at a time, the heaviest symbol first, until the pending weight is
 * at most `target`:
 * - records before the symbol's last pending snapshot go (that snapshot restarts the book), or
 * - with nothing before it, the updates after it (or all its updates when no snapshot is pending),
 *   and the symbol stays broken until its next snapshot.
 * A symbol down to a resync and one snapshot cannot shed more; the sink's bound is then one
 * snapshot per symbol, which is what a book costs at all.
 */
export function shedBooks(pending: readonly BookRecord[], target: number, reason: string): ShedResult {
  let current = pending.slice();
  let dropped = 0;
  let resyncs = 0;
  const broken: string[] = [];
  const stuck = new Set<string>();
  for (let guard = 0; guard < 10_000; guard++) {
    const weights = new Map<string, number>();
    let total = 0;
    for (const r of current) {
      const w = bookWeight(r);
      total += w;
      const id = bookSymbolId(r);
      if (!stuck.has(id)) weights.set(id, (weights.get(id) ?? 0) + w);
    }
    if (total <= target) break;
    let heaviest: string | undefined;
    let most = -1;
    for (const [id, w] of weights) if (w > most) (heaviest = id), (most = w);
    if (heaviest === undefined) break;
    const step = shedSymbol(current, heaviest, reason);
    if (step === undefined) {
      stuck.add(heaviest);
      continue;
    }
    current = step.pending;
    dropped += step.dropped;
    resyncs += step.resync ? 1 : 0;
    if (step.broken) broken.push(heaviest);
  }
  return { pending: current, dropped, resyncs, broken };
}

interface SymbolShed {
  pending: BookRecord[];
  dropped: number;
  resync: boolean;
  broken: boolean;
}

function shedSymbol(pending: readonly BookRecord[], id: string, reason: string): SymbolShed | undefined {
  const mine: number[] = [];
  for (let i = 0; i < pending.length; i++) if (bookSymbolId(pending[i] as BookRecord) === id) mine.push(i);
  let lastSnapshot = -1;
  for (let j = mine.length - 1; j >= 0; j--) {
    if ((pending[mine[j] as number] as BookRecord).kind === 'snapshot') {
      lastSnapshot = j;
      break;
    }
  }
  // the symbol's records (positions in `mine`) to drop
  let doomed: number[];
  let broken = false;
  const before = lastSnapshot > 0 ? mine.slice(0, lastSnapshot) : [];
  const onlyAResync = before.length === 1 && (pending[before[0] as number] as BookRecord).kind === 'resync';
  if (before.length > 0 && !onlyAResync) {
    doomed = before;
  } else {
    doomed = mine.slice(lastSnapshot + 1).filter((i) => (pending[i] as BookRecord).kind === 'update');
    broken = true;
  }
  if (doomed.length === 0) return undefined;
  const first = pending[doomed[0] as number] as BookRecord;
  // a resync already opening the run stays as it is (its reason is the better one)
  const keepFirst = first.kind === 'resync';
  const drop = new Set(keepFirst ? doomed.slice(1) : doomed);
  if (drop.size === 0) return undefined;
  const out: BookRecord[] = [];
  for (let i = 0; i < pending.length; i++) {
    if (i === doomed[0] && !keepFirst) {
      out.push({
        type: 'book',
        exchange: first.exchange,
        market: first.market,
        symbol: first.symbol,
        kind: 'resync',
        timestamp: first.timestamp,
        localTimestamp: first.localTimestamp,
        bids: [],
        asks: [],
        reason,
      });
    }
    if (!drop.has(i)) out.push(pending[i] as BookRecord);
  }
  return { pending: out, dropped: drop.size, resync: !keepFirst, broken };
}
