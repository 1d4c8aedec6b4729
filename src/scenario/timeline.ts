/**
 * Plays a scenario's fault timeline against a simulator: each fault is injected `at` ms after
 * start(). Pure scheduling — the timer functions are injected, so tests drive it with fake timers
 * and a scripted run can drive it with its own clock.
 */
import type { SimFault } from '../sim/types.js';
import { toSimFault } from './load.js';
import { isCollectorFault, isSimFault, type CollectorScenarioFault, type ScenarioFault } from './schema.js';

/** The two timer functions the timeline needs (global setTimeout/clearTimeout by default). */
export interface TimelineTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What receives the faults: a SimExchange, or anything with its `inject`. */
export interface FaultTarget {
  inject(fault: SimFault): void;
}

export interface FaultTimelineOptions {
  timers?: TimelineTimers;
  /** called after each fault is injected, with its position in the scenario's list */
  onFault?: (fault: ScenarioFault, index: number) => void;
  /** receives the faults meant for the collector, not the exchange (`store-full`) */
  onCollectorFault?: (fault: CollectorScenarioFault) => void;
}

const globalTimers: TimelineTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class FaultTimeline {
  private readonly steps: Array<{ at: number; entries: Array<{ fault: ScenarioFault; index: number }> }>;
  private readonly timers: TimelineTimers;
  private readonly onFault: FaultTimelineOptions['onFault'];
  private readonly onCollectorFault: FaultTimelineOptions['onCollectorFault'];
  private handles: unknown[] = [];
  private started = false;
  private playedCount = 0;

  constructor(
    faults: readonly ScenarioFault[],
    private readonly target: FaultTarget,
    options: FaultTimelineOptions = {},
  ) {
    this.timers = options.timers ?? globalTimers;
    this.onFault = options.onFault;
    this.onCollectorFault = options.onCollectorFault;
    // faults at the same instant share one timer, so they are injected in the order written
    const byAt = new Map<number, Array<{ fault: ScenarioFault; index: number }>>();
    faults.forEach((fault, index) => {
      const group = byAt.get(fault.at) ?? [];
      group.push({ fault, index });
      byAt.set(fault.at, group);
    });
    this.steps = [...byAt.entries()].sort(([a], [b]) => a - b).map(([at, entries]) => ({ at, entries }));
  }

  /** Schedules every fault; the ones `at: 0` are injected before start() returns. Once only. */
  start(): void {
    if (this.started) throw new Error('FaultTimeline.start() called twice');
    this.started = true;
    for (const step of this.steps) {
      if (step.at <= 0) this.play(step.entries);
      else this.handles.push(this.timers.setTimeout(() => this.play(step.entries), step.at));
    }
  }

  /** Cancels the faults not yet injected (the ones already injected stay in the simulator). */
  stop(): void {
    for (const handle of this.handles) this.timers.clearTimeout(handle);
    this.handles = [];
  }

  /** faults injected so far */
  get played(): number {
    return this.playedCount;
  }

  get total(): number {
    return this.steps.reduce((n, s) => n + s.entries.length, 0);
  }

  private play(entries: Array<{ fault: ScenarioFault; index: number }>): void {
    for (const { fault, index } of entries) {
      if (isSimFault(fault)) this.target.inject(toSimFault(fault));
      else if (isCollectorFault(fault)) this.onCollectorFault?.(fault);
      this.playedCount++;
      this.onFault?.(fault, index);
    }
  }
}
