/**
 * A Clock that moves only when told: advance() runs due timers in time order (equal times in the
 * order they were armed) with now() at each timer's due time. For tests and scripted runs.
 */
import type { Clock, TimerHandle } from './clock.js';

interface Pending {
  at: number;
  seq: number;
  callback: () => void;
}

export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, Pending>();

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now = (): number => this.t;

  setTimeout = (callback: () => void, ms: number): TimerHandle => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), seq: id, callback });
    return id;
  };

  clearTimeout = (handle: TimerHandle): void => {
    this.timers.delete(handle as number);
  };

  /** timers armed and not yet run or cleared */
  get pending(): number {
    return this.timers.size;
  }

  /** when the next timer is due, if any */
  nextAt(): number | undefined {
    let next: number | undefined;
    for (const p of this.timers.values()) if (next === undefined || p.at < next) next = p.at;
    return next;
  }

  /** moves time forward by ms, running each timer that falls due on the way */
  advance(ms: number): void {
    const end = this.t + ms;
    while (this.runNext(end));
    this.t = end;
  }

  /**
   * Runs the one earliest timer due by `until` (time moves to it, never back) and says whether
   * there was one: for callers that let promises settle between timers.
   */
  runNext(until: number): boolean {
    let due: [number, Pending] | undefined;
    for (const entry of this.timers) {
      const p = entry[1];
      if (p.at <= until && (!due || p.at < due[1].at || (p.at === due[1].at && p.seq < due[1].seq))) due = entry;
    }
    if (!due) return false;
    this.timers.delete(due[0]);
    this.t = Math.max(this.t, due[1].at);
    due[1].callback();
    return true;
  }

  /** sets the time without running timers that would fall due (a clock jump, as after a suspend) */
  set(t: number): void {
    this.t = t;
  }
}
