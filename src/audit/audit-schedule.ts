/**
 * Which symbol of a venue to audit when (pure: the caller passes the time). One audit per
 * `intervalMs` per venue, round-robin over the symbols subscribed right now, so the REST cost is
 * one audit per interval whatever the number of symbols. Each symbol remembers where its last
 * audit ended: the next one starts right there, so a symbol's audit windows tile time without
 * holes, and a failed audit is simply tried again from the same place on the symbol's next turn.
 */

export interface AuditTask {
  symbol: string;
  /** the window starts here (inclusive, ms): right after the end of the symbol's previous audit */
  from: number;
  /**
   * the rest of a window an earlier audit could not page through whole (its answer capped at
   * `maxTrades`): the trades below this exchange id, down to `from`, are still to be judged
   */
  beforeId?: string;
  /** with beforeId: the newest time the rest of the window reaches (the capped answer's oldest trade) */
  to?: number;
}

/** The older part of a window that one answer could not page through: [from, to], below `beforeId`. */
export interface AuditBacklog {
  from: number;
  to: number;
  beforeId: string;
}

interface Slot {
  /** the start of the next window */
  from: number;
  subscribed: boolean;
  /**
   * our time when the symbol was first seen, while its first window is still unjudged: that
   * window's start follows the venue's clock offset as it becomes known (see sync)
   */
  seenAt?: number;
  /** what is left of an earlier window, judged before anything newer */
  backlog?: AuditBacklog;
}

export class AuditSchedule {
  /** insertion order is the round-robin order; bounded by the symbols the venue lists */
  private readonly slots = new Map<string, Slot>();
  private order: string[] = [];
  private cursor = 0;
  private lastStartAt = Number.NEGATIVE_INFINITY;

  /**
   * `settleMs`: a window is judged only up to `now - settleMs`, so a symbol whose window starts
   * later than that has nothing to judge yet and its turn is skipped (no REST request wasted).
   */
  /**
   * `resume`: where symbols' windows stood when an earlier process stopped (symbol → next window
   * start): such a symbol, once seen, is audited from there instead of from `now`, so the time
   * before the restart is audited too.
   */
  constructor(
    private readonly intervalMs: number,
    private readonly settleMs = 0,
    private readonly resume: ReadonlyMap<string, number> = new Map(),
  ) {
    if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) throw new RangeError(`audit intervalMs must be a positive number, got ${intervalMs}`);
    if (!(settleMs >= 0) || !Number.isFinite(settleMs)) throw new RangeError(`audit settleMs must be a number >= 0, got ${settleMs}`);
  }

  /**
   * The venue's subscribed symbols at `now`. A symbol seen for the first time is audited from
   * `now - lead` on (its subscription, to within one check), or from its resumed position.
   * Windows are in the exchange's time (trade timestamps): a caller whose venue's clock runs
   * behind ours passes that much more `lead`. The offset is measured from live frames, so it may
   * be unknown or still growing when a symbol is first seen: until its first window is judged, the
   * window's start moves back with every larger lead. `returning`: symbols already seen that are
   * on their way back (reconnecting, resubscribing): audited on as if subscribed. A symbol that is
   * neither (refused, stopped) keeps its place in time: once back, its audits go on from where
   * they ended, so the time it was away is audited too.
   */
  sync(subscribed: Iterable<string>, now: number, returning: Iterable<string> = [], lead = 0): void {
    const current = new Set(subscribed);
    const back = new Set(returning);
    // a symbol on its way back (its socket reconnecting, a stalled stream resubscribing) is still
    // audited: what the exchange publishes meanwhile is ours, and on a venue that serves only its
    // last trades (Bybit) it must be fetched before it ages out, not after the stream returns
    for (const [symbol, slot] of this.slots) {
      slot.subscribed = current.has(symbol) || back.has(symbol);
      if (slot.seenAt !== undefined) slot.from = Math.min(slot.from, slot.seenAt - lead);
    }
    for (const symbol of current) {
      if (this.slots.has(symbol)) continue;
      const resumed = this.resume.get(symbol);
      this.slots.set(symbol, resumed !== undefined ? { from: Math.min(resumed, now), subscribed: true } : { from: now - lead, subscribed: true, seenAt: now });
      this.order.push(symbol);
    }
  }

  /**
   * The audit due at `now`: the next subscribed symbol in turn with something to judge; undefined
   * when the venue's last audit started less than an interval ago or no symbol has anything yet.
   */
  next(now: number): AuditTask | undefined {
    // a backlog does not wait for the interval: the REST share paces it, and time it leaves
    // unjudged drifts towards what the exchange no longer serves
    for (const [symbol, slot] of this.slots) {
      if (slot.backlog === undefined) continue;
      this.lastStartAt = now;
      return { symbol, from: slot.backlog.from, to: slot.backlog.to, beforeId: slot.backlog.beforeId };
    }
    if (now < this.lastStartAt + this.intervalMs) return undefined;
    const n = this.order.length;
    for (let k = 0; k < n; k++) {
      const i = (this.cursor + k) % n;
      const symbol = this.order[i] as string;
      const slot = this.slots.get(symbol) as Slot;
      if (!slot.subscribed || slot.from > now - this.settleMs) continue;
      this.cursor = (i + 1) % n;
      this.lastStartAt = now;
      return { symbol, from: slot.from };
    }
    return undefined;
  }

  /**
   * An audit judged its symbol's trades up to `until` (inclusive): the next window starts right
   * after. `backlog`: the older part of the window is still to be judged (the answer was capped);
   * undefined clears what was left, the backlog task having finished it (or given it up).
   */
  covered(symbol: string, until: number, backlog?: AuditBacklog): void {
    const slot = this.slots.get(symbol);
    if (slot === undefined) return;
    if (until + 1 > slot.from) slot.from = until + 1;
    delete slot.seenAt;
    if (backlog !== undefined) slot.backlog = backlog;
    else delete slot.backlog;
  }

  /** The backlog task finished or was given up: nothing older is left of the symbol's windows. */
  backlogDone(symbol: string): void {
    const slot = this.slots.get(symbol);
    if (slot !== undefined) delete slot.backlog;
  }

  /** The backlog task judged down to its answer's oldest trade: what is left lies below `rest.beforeId`. */
  backlogLeft(symbol: string, rest: AuditBacklog): void {
    const slot = this.slots.get(symbol);
    if (slot !== undefined) slot.backlog = rest;
  }

  /**
   * Everything of the symbol up to this time (inclusive) has been judged: the older end of its
   * backlog when it has one, else the end of its last window. undefined before its first window.
   */
  judgedUntil(symbol: string): number | undefined {
    const slot = this.slots.get(symbol);
    if (slot === undefined) return undefined;
    return (slot.backlog?.from ?? slot.from) - 1;
  }

  /** When the next audit may start (the caller's timer waits for it); see hasBacklog. */
  dueAt(): number {
    return this.lastStartAt + this.intervalMs;
  }

  /** Some symbol has part of a window left to judge: its audit is due at once, not after the interval. */
  hasBacklog(): boolean {
    for (const slot of this.slots.values()) if (slot.backlog !== undefined) return true;
    return false;
  }

  /** every symbol seen so far */
  symbols(): IterableIterator<string> {
    return this.slots.keys();
  }

  /** Where the symbol's next window starts; undefined for a symbol never subscribed. */
  windowStart(symbol: string): number | undefined {
    return this.slots.get(symbol)?.from;
  }
}
