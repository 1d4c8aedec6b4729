/**
 * Plays a scenario's fault timeline against a simulator: each fault is injected `at` ms after
 * start(). Pure scheduling — the timer functions are injected, so tests drive it with fake timers
 * and a scripted run can drive it with its own clock.
 */
import type { SimFault } from '../sim/types.js';
import { systemClock, type Clock, type TimerHandle } from '../time/clock.js';
import { toSimFault } from './load.js';
import { isClusterFault, isCollectorFault, isSimFault, type ClusterScenarioFault, type CollectorScenarioFault, type ScenarioFault } from './schema.js';

/** What receives the faults: a SimExchange, or anything with its `inject`. */
export interface FaultTarget {
  inject(fault: SimFault): void;
}

export interface FaultTimelineOptions {
  /** the timeline's time (real time by default); only its timers are used */
  clock?: Clock;
  /** called after each fault is injected, with its position in the scenario's list */
  onFault?: (fault: ScenarioFault, index: number) => void;
  /** receives the faults meant for the collector, not the exchange (`store-full`) */
  onCollectorFault?: (fault: CollectorScenarioFault) => void;
  /** receives the faults on a cluster's processes (`kill-node`, `kill-nats`, ...) */
  onClusterFault?: (fault: ClusterScenarioFault) => void;
}

export class FaultTimeline {
  private readonly steps: Array<{ at: number; entries: Array<{ fault: ScenarioFault; index: number }> }>;
  private readonly clock: Clock;
  private readonly onFault: FaultTimelineOptions['onFault'];
  private readonly onCollectorFault: FaultTimelineOptions['onCollectorFault'];
  private readonly onClusterFault: FaultTimelineOptions['onClusterFault'];
  private handles: TimerHandle[] = [];
  private started = false;
  private playedCount = 0;

  constructor(
    faults: readonly ScenarioFault[],
    private readonly target: FaultTarget,
    options: FaultTimelineOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.onFault = options.onFault;
    this.onCollectorFault = options.onCollectorFault;
    this.onClusterFault = options.onClusterFault;
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
      else this.handles.push(this.clock.setTimeout(() => this.play(step.entries), step.at));
    }
  }

  /** Cancels the faults not yet injected (the ones already injected stay in the simulator). */
  stop(): void {
    for (const handle of this.handles) this.clock.clearTimeout(handle);
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
      else if (isClusterFault(fault)) this.onClusterFault?.(fault);
      this.playedCount++;
      this.onFault?.(fault, index);
    }
  }
}
