/**
 * Which published book records the archive stores (docs/cluster.md#books). Every node publishes
 * its own records of a book; with `redundancy: 2` two nodes publish the same venue book, each
 * with its own snapshots and resyncs, and the archive must hold one book that `storedBookAt`
 * rebuilds correctly: no venue update twice, no update applied to a book it does not follow.
 *
 * The rule, per symbol, against the archive's tip (its newest stored snapshot or update: sequence
 * and exchange time; synced unless a resync came after it):
 * - a snapshot or update whose link (`prev`, the sequence of the record its node stored before
 *   it) is the tip's sequence continues the stored book: stored. The venue's sequences are the
 *   same on every node, so one node's record continues another node's book;
 * - one at or before the tip (sequence and exchange time both not newer) is a venue event the
 *   archive already has (the other node's copy, a redelivery): a duplicate;
 * - on an unsynced archive a snapshot starts the book again; an update has nothing to apply to;
 * - one ahead of the tip that does not continue it (a node's first records after its own sync, a
 *   chain the archive does not follow) waits `graceMs` of exchange time past the tip for another
 *   node's copy to continue the book; past that, the archive has lost the chain: it stores a
 *   resync at the tip's time, then the record if it is a snapshot;
 * - a node's resync is stored when it ends the chain stored (its link is the tip); another node's
 *   break does not break the archived book;
 * - a venue without sequences (Upbit: whole books only) keeps a record newer than the tip.
 * Every decision is made from the store's content and the message alone, so a redelivery of
 * anything stores nothing again.
 */
import type { BookRecord } from '../records.js';
import type { StoredBookTip } from '../store/books/tip.js';
import type { LinkedBookRecord } from './book-codec.js';

export const DEFAULT_BOOK_GRACE_MS = 5_000;

export type BookOutcome = 'stored' | 'duplicate' | 'skipped' | 'gap';

export interface BookJudgement {
  outcome: BookOutcome;
  /** records to store, in order (a gap: the archive's resync first) */
  store: BookRecord[];
  /** the tip once they are stored */
  tip: StoredBookTip | undefined;
}

const after = (r: BookRecord): StoredBookTip => {
  const tip: StoredBookTip = { synced: true, lastKind: r.kind, timestamp: r.timestamp };
  if (r.sequence !== undefined) tip.sequence = r.sequence;
  return tip;
};

const broken = (tip: StoredBookTip): StoredBookTip => ({ ...tip, synced: false, lastKind: 'resync' });

export function judgeBookRecord(tip: StoredBookTip | undefined, linked: LinkedBookRecord, graceMs = DEFAULT_BOOK_GRACE_MS): BookJudgement {
  const { record: r, prev } = linked;
  const keep = (outcome: BookOutcome): BookJudgement => ({ outcome, store: [], tip });
  if (r.kind === 'resync') {
    if (tip !== undefined && tip.synced && prev === tip.sequence) return { outcome: 'stored', store: [r], tip: broken(tip) };
    return keep('skipped');
  }
  const s = r.sequence;
  if (s === undefined) {
    if (tip !== undefined && r.timestamp <= tip.timestamp) return keep('duplicate');
    return r.kind === 'snapshot' || tip?.synced === true ? { outcome: 'stored', store: [r], tip: after(r) } : keep('skipped');
  }
  const t = tip?.sequence;
  if (tip !== undefined && tip.synced && t !== undefined && prev === t && (s > t || (s === t && r.kind === 'snapshot' && tip.lastKind !== 'snapshot'))) {
    return { outcome: 'stored', store: [r], tip: after(r) };
  }
  if (tip !== undefined && t !== undefined && s <= t && r.timestamp <= tip.timestamp) return keep('duplicate');
  if (tip === undefined || !tip.synced) return r.kind === 'snapshot' ? { outcome: 'stored', store: [r], tip: after(r) } : keep('skipped');
  if (r.timestamp <= tip.timestamp + graceMs) return keep('skipped');
  const gap: BookRecord = {
    type: 'book',
    exchange: r.exchange,
    market: r.market,
    symbol: r.symbol,
    kind: 'resync',
    timestamp: tip.timestamp,
    localTimestamp: r.localTimestamp,
    bids: [],
    asks: [],
    reason: `archive: no record continued the book after sequence ${t ?? 'none'}`,
  };
  return r.kind === 'snapshot' ? { outcome: 'gap', store: [gap, r], tip: after(r) } : { outcome: 'gap', store: [gap], tip: broken(tip) };
}

export interface BookPlan {
  /** what to store, each symbol's in order */
  store: BookRecord[];
  written: number;
  duplicates: number;
  skipped: number;
  gaps: number;
  /** the tips once `store` is stored */
  tips: Map<string, StoredBookTip | undefined>;
}

const symbolKey = (r: Pick<BookRecord, 'exchange' | 'market' | 'symbol'>): string => `${r.exchange}\u0000${r.market}\u0000${r.symbol}`;

/**
 * The archiver's side: judges a chunk's records in stream order against the tips, read from the
 * store on a symbol's first record and kept per symbol after each commit (one entry per symbol).
 */
export class BookArchivePlanner {
  private readonly tips = new Map<string, StoredBookTip | undefined>();

  constructor(
    private readonly storedTip: (r: BookRecord) => StoredBookTip | undefined,
    private readonly graceMs = DEFAULT_BOOK_GRACE_MS,
  ) {}

  plan(records: readonly LinkedBookRecord[]): BookPlan {
    const plan: BookPlan = { store: [], written: 0, duplicates: 0, skipped: 0, gaps: 0, tips: new Map() };
    for (const linked of records) {
      const key = symbolKey(linked.record);
      const tip = plan.tips.has(key) ? plan.tips.get(key) : this.tips.has(key) ? this.tips.get(key) : this.storedTip(linked.record);
      const j = judgeBookRecord(tip, linked, this.graceMs);
      plan.tips.set(key, j.tip);
      for (const r of j.store) plan.store.push(r);
      if (j.outcome === 'duplicate') plan.duplicates++;
      else if (j.outcome === 'skipped') plan.skipped++;
      else if (j.outcome === 'gap') {
        plan.gaps++;
        plan.written += j.store.length - 1;
        if (j.store.length === 1) plan.skipped++;
      } else plan.written++;
    }
    return plan;
  }

  /** the plan is on disk: its tips are the store's now */
  committed(plan: BookPlan): void {
    for (const [key, tip] of plan.tips) this.tips.set(key, tip);
  }

  /** a commit failed: what it would have stored may not be there; read the tips again */
  forget(): void {
    this.tips.clear();
  }
}
