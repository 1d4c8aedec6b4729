/**
 * Which journal group a symbol without journaled rows joins: the groups are contiguous ranges of
 * the symbols' keys, in the order LMDB keeps them (docs/architecture.md, store: the journal).
 *
 * Why ranges and not a hash: a fold writes each of its symbols' blocks, cursor and id bucket, and
 * LMDB copies every B-tree leaf a commit changes. Symbols spread by a hash put every group in
 * every leaf, so each fold copied the whole cursor and block trees (at 5,000 symbols data.mdb
 * grew to 10–12 MB in the bench's 10 s, all of it resident); a range is an eighth of the leaves
 * (6–8 MB).
 *
 * The ranges follow the symbols this writer has seen: the boundaries are recomputed, at equal
 * counts between them, whenever that set has grown by a quarter. A symbol with journaled rows keeps
 * the group they are in (JournalState.groupOf) until they are folded, so moving a boundary never
 * splits a symbol's rows; the assignment is this process's alone and nothing on disk depends on it.
 */
export class JournalRanges {
  /** every key seen, sorted as strings (the order of the venue-and-symbol prefix of LMDB's keys) */
  private readonly known: string[] = [];
  /** the first key of groups 1 … groups-1 */
  private boundaries: string[] = [];
  /** known.length when the boundaries were last set */
  private sizedAt = 0;

  constructor(private readonly groups: number) {}

  /** the group whose range holds `key` (remembering the key) */
  groupOf(key: string): number {
    this.learn(key);
    const b = this.boundaries;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((b[mid] as string) <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** `key` into the keys seen, where it is not there yet */
  private learn(key: string): void {
    const k = this.known;
    let lo = 0;
    let hi = k.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((k[mid] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    if (k[lo] === key) return;
    k.splice(lo, 0, key);
    if (k.length >= this.sizedAt + Math.max(1, this.sizedAt >> 2)) this.resize();
  }

  /** boundaries at equal counts of the keys seen */
  private resize(): void {
    const k = this.known;
    this.sizedAt = k.length;
    const b: string[] = [];
    for (let g = 1; g < this.groups; g++) {
      const at = Math.floor((g * k.length) / this.groups);
      // fewer keys than groups: only the groups that get a key of their own
      if (at > 0 && at < k.length && k[at] !== b[b.length - 1]) b.push(k[at] as string);
    }
    this.boundaries = b;
  }
}
