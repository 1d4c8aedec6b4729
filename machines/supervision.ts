/**
 * OTP-style supervision, one module for both supervisors (Collector for its Connectors, Manager for
 * its Collectors): pure functions over a child's record, and the steps a supervisor's actions take
 * (a child failed, its restart timer fired, it reported a state, a restart left the window), generic
 * over the kind of child. A machine adds only what is its own: how to spawn the child, and what an
 * escalation means for it (a report to its parent, an alert).
 *
 * - Backoff: delay = min(max, min · factor^n) · (1 + jitter · r), r ∈ [0, 1) — Akka's formula, capped.
 * - Intensity: at most `maxRestarts` restarts within `windowMs`. The window slides by XState delays
 *   (each restart schedules its own expiry), so no wall clock enters the machines.
 * - Past the intensity the failure escalates to the supervisor's own parent.
 */
import type { AnyActorRef } from 'xstate';
import { nextRandom } from '../src/prng.js';
import { reapCrashed } from './reap.js';

export interface BackoffPolicy {
  /** first delay, ms (> 0) */
  minDelayMs: number;
  /** cap, ms */
  maxDelayMs: number;
  /** growth per attempt (>= 1) */
  factor: number;
  /** 0..1: fraction of random extra delay */
  jitter: number;
}

export interface RestartPolicy {
  backoff: BackoffPolicy;
  /** restart intensity: at most this many restarts ... */
  maxRestarts: number;
  /** ... within this sliding window, ms */
  windowMs: number;
  /** after an escalation the child stays parked this long, then gets a fresh window and tries again */
  parkAfterEscalationMs: number;
}

// After an escalation the child is retried once a minute (collectors: every two): the operator
// has been told, and the market data is worth another try the moment the exchange is back.
export const DEFAULT_CONNECTOR_RESTART: RestartPolicy = {
  backoff: { minDelayMs: 1_000, maxDelayMs: 30_000, factor: 2, jitter: 0.2 },
  maxRestarts: 5,
  windowMs: 10 * 60_000,
  parkAfterEscalationMs: 60_000,
};

export const DEFAULT_COLLECTOR_RESTART: RestartPolicy = {
  backoff: { minDelayMs: 2_000, maxDelayMs: 120_000, factor: 2, jitter: 0.2 },
  maxRestarts: 3,
  windowMs: 15 * 60_000,
  parkAfterEscalationMs: 2 * 60_000,
};

export function backoffDelay(policy: BackoffPolicy, attempt: number, random: number): number {
  const base = Math.min(policy.maxDelayMs, policy.minDelayMs * Math.pow(policy.factor, Math.max(0, attempt)));
  return Math.round(base * (1 + policy.jitter * random));
}

/** What a supervisor knows about one child; plain data, so it shows in snapshots and /health. */
export interface ChildRecord {
  /** the child's systemId, also its local id */
  id: string;
  /** last top-level state the child reported */
  state: string;
  /** restarts still inside the intensity window */
  recentRestarts: number;
  /** consecutive restarts without a recovery: the backoff exponent */
  backoffAttempt: number;
  restartAttempts: number;
  restartSuccesses: number;
  /** a restart was made and the child has not yet come back healthy */
  awaitingRecovery: boolean;
  escalations: number;
  /** parked after an escalation */
  parked: boolean;
  lastError?: string;
}

export function newChildRecord(id: string): ChildRecord {
  return {
    id,
    state: 'Ready',
    recentRestarts: 0,
    backoffAttempt: 0,
    restartAttempts: 0,
    restartSuccesses: 0,
    awaitingRecovery: false,
    escalations: 0,
    parked: false,
  };
}

export type SupervisionDecision<R extends ChildRecord = ChildRecord> =
  | { kind: 'restart'; delayMs: number; record: R; seed: number }
  | { kind: 'escalate'; parkMs: number; record: R; seed: number };

/** A child failed (gave up or crashed): restart it after a backoff, or escalate past the intensity. */
export function decideOnFailure<R extends ChildRecord>(
  record: R,
  policy: RestartPolicy,
  error: string,
  seed: number,
): SupervisionDecision<R> {
  if (record.recentRestarts >= policy.maxRestarts) {
    return {
      kind: 'escalate',
      parkMs: policy.parkAfterEscalationMs,
      record: {
        ...record,
        state: 'Failed',
        lastError: error,
        escalations: record.escalations + 1,
        parked: true,
        awaitingRecovery: false,
      },
      seed,
    };
  }
  const r = nextRandom(seed);
  return {
    kind: 'restart',
    delayMs: backoffDelay(policy.backoff, record.backoffAttempt, r.value),
    record: {
      ...record,
      state: 'Failed',
      lastError: error,
      recentRestarts: record.recentRestarts + 1,
      backoffAttempt: record.backoffAttempt + 1,
    },
    seed: r.seed,
  };
}

/** The restart timer fired: a fresh actor is being spawned. */
export function recordRestart<R extends ChildRecord>(record: R): R {
  return { ...record, restartAttempts: record.restartAttempts + 1, awaitingRecovery: true, state: 'Ready' };
}

/** The parking time after an escalation is over: a fresh window, a fresh backoff. */
export function recordUnpark<R extends ChildRecord>(record: R): R {
  return { ...record, parked: false, recentRestarts: 0, backoffAttempt: 0 };
}

/** The child reported a state; reaching its healthy state counts a successful restart. */
export function recordChildState<R extends ChildRecord>(record: R, state: string, healthyState: string): R {
  if (state === healthyState && record.awaitingRecovery) {
    return { ...record, state, awaitingRecovery: false, restartSuccesses: record.restartSuccesses + 1, backoffAttempt: 0 };
  }
  return { ...record, state };
}

/** One restart left the intensity window. */
export function recordWindowExpiry<R extends ChildRecord>(record: R): R {
  return { ...record, recentRestarts: Math.max(0, record.recentRestarts - 1) };
}

export function validateRestartPolicy(policy: RestartPolicy, where: string): void {
  const b = policy.backoff;
  const bad = (field: string, why: string) => {
    throw new RangeError(`${where}.${field}: ${why}`);
  };
  if (!(b.minDelayMs > 0)) bad('backoff.minDelayMs', 'must be > 0');
  if (!(b.maxDelayMs >= b.minDelayMs)) bad('backoff.maxDelayMs', 'must be >= minDelayMs');
  if (!(b.factor >= 1)) bad('backoff.factor', 'must be >= 1');
  if (!(b.jitter >= 0 && b.jitter <= 1)) bad('backoff.jitter', 'must be within 0..1');
  if (!(Number.isInteger(policy.maxRestarts) && policy.maxRestarts >= 0)) bad('maxRestarts', 'must be an integer >= 0');
  if (!(policy.windowMs > 0)) bad('windowMs', 'must be > 0');
  if (!(policy.parkAfterEscalationMs > 0)) bad('parkAfterEscalationMs', 'must be > 0');
}

/** Delayed events a supervisor schedules for itself. */
export type SupervisorTimerEvent =
  | { type: 'CHILD.RESTART'; id: string }
  | { type: 'CHILD.WINDOW_EXPIRED'; id: string }
  | { type: 'CHILD.UNPARK'; id: string };

export interface ScheduledEvent {
  event: SupervisorTimerEvent;
  delayMs: number;
  /** timer id, unique per child, so a stop can cancel it */
  timerId: string;
}

export interface FailurePlan<R extends ChildRecord = ChildRecord> {
  children: Record<string, R>;
  seed: number;
  schedule: ScheduledEvent[];
  /** set when the failure goes past the restart intensity */
  escalation?: { id: string; error: string; restarts: number };
}

/**
 * Everything a supervisor does when child `id` fails, as data: the machine applies it
 * (stop the child, assign, raise the delayed events, report the escalation).
 */
export function planFailure<R extends ChildRecord>(
  children: Record<string, R>,
  id: string,
  error: string,
  policy: RestartPolicy,
  seed: number,
): FailurePlan<R> {
  const record = children[id];
  // a child the supervisor does not know (any more) is not restarted; a parked one waits its time
  if (!record || record.parked) return { children, seed, schedule: [] };
  const decision = decideOnFailure(record, policy, error, seed);
  const next = { ...children, [id]: decision.record };
  if (decision.kind === 'escalate') {
    return {
      children: next,
      seed: decision.seed,
      schedule: [{ event: { type: 'CHILD.UNPARK', id }, delayMs: decision.parkMs, timerId: `unpark:${id}` }],
      escalation: { id, error, restarts: record.restartAttempts },
    };
  }
  return {
    children: next,
    seed: decision.seed,
    schedule: [
      { event: { type: 'CHILD.RESTART', id }, delayMs: decision.delayMs, timerId: `restart:${id}` },
      {
        event: { type: 'CHILD.WINDOW_EXPIRED', id },
        delayMs: policy.windowMs,
        timerId: `window:${id}:${record.restartAttempts + record.recentRestarts}`,
      },
    ],
  };
}

export function updateChild<R extends ChildRecord>(
  children: Record<string, R>,
  id: string,
  update: (record: R) => R,
): Record<string, R> {
  const record = children[id];
  return record ? { ...children, [id]: update(record) } : children;
}

/** `xstate.error.actor.<id>` → `<id>` */
export function crashedChildId(eventType: string): string {
  return eventType.slice('xstate.error.actor.'.length);
}

/** An error's message, whatever was thrown. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Which child failed and why, from either kind of failure a supervisor hears about: the child's
 * own report that it gave up (`gaveUpType`), or XState's error event for a child that crashed.
 * `crashed` is set for a crash: the supervisor must reap what that actor leaves behind.
 */
export function childFailure(
  event: { type: string; id?: unknown; error?: unknown },
  gaveUpType: string,
  children: Record<string, AnyActorRef | undefined>,
): { id: string; error: string; crashed?: AnyActorRef | undefined } | undefined {
  if (event.type === gaveUpType && typeof event.id === 'string') {
    return { id: event.id, error: typeof event.error === 'string' ? event.error : errorText(event.error) };
  }
  if (event.type.startsWith('xstate.error.actor.')) {
    const id = crashedChildId(event.type);
    return { id, error: `crashed: ${errorText(event.error)}`, crashed: children[id] };
  }
  return undefined;
}

/**
 * The part of XState's `enqueue` the supervision steps use. Each machine passes its own; the
 * spawning stays in the machine, because what a child is spawned from is the machine's own.
 */
export interface SupervisorEnqueue {
  (action: () => void): void;
  stopChild(id: string): void;
  cancel(id: string): void;
  raise(event: SupervisorTimerEvent, options: { id: string; delay: number }): void;
}

export interface SupervisedFailure<R extends ChildRecord> {
  id: string;
  error: string;
  plan: FailurePlan<R>;
}

/**
 * A child gave up (`gaveUpType`) or crashed: reap what a crashed actor leaves behind, stop it, let
 * the machine record the plan (`record`), schedule the restart (or the unparking), and hand an
 * escalation to the machine (`escalate`). Children the supervisor does not hold are only reaped.
 */
export function superviseFailure<R extends ChildRecord>(
  enqueue: SupervisorEnqueue,
  args: {
    event: { type: string; id?: unknown; error?: unknown };
    gaveUpType: string;
    /** the supervisor's live children (its snapshot's), to find a crashed one */
    live: Record<string, AnyActorRef | undefined>;
    records: Record<string, R>;
    policy: RestartPolicy;
    seed: number;
    record: (failure: SupervisedFailure<R>) => void;
    escalate: (escalation: NonNullable<FailurePlan['escalation']>, failure: SupervisedFailure<R>) => void;
  },
): void {
  const failure = childFailure(args.event, args.gaveUpType, args.live);
  if (!failure) return;
  const { id, error, crashed } = failure;
  if (crashed) enqueue(() => reapCrashed(crashed));
  if (!args.records[id]) return;
  const plan = planFailure(args.records, id, error, args.policy, args.seed);
  const supervised = { id, error, plan };
  enqueue.stopChild(id);
  args.record(supervised);
  for (const s of plan.schedule) enqueue.raise(s.event, { id: s.timerId, delay: s.delayMs });
  if (plan.escalation) args.escalate(plan.escalation, supervised);
}

/**
 * The restart timer (or the end of parking) fired for a child: its record as restarted, for the
 * machine to assign before it spawns the fresh actor; undefined when the child is no longer held.
 */
export function restartedChild<R extends ChildRecord>(
  records: Record<string, R>,
  event: { type: string; id?: string },
): { id: string; record: R; records: Record<string, R> } | undefined {
  if ((event.type !== 'CHILD.RESTART' && event.type !== 'CHILD.UNPARK') || event.id === undefined) return undefined;
  const old = records[event.id];
  if (!old) return undefined;
  const record = recordRestart(event.type === 'CHILD.UNPARK' ? recordUnpark(old) : old);
  return { id: event.id, record, records: { ...records, [event.id]: record } };
}

/** The child reported `state`; `healthyState` is the one that proves a restart worked. */
export function noteChildState<R extends ChildRecord>(records: Record<string, R>, id: string, state: string, healthyState: string): Record<string, R> {
  return updateChild(records, id, (r) => recordChildState(r, state, healthyState));
}

/** One of a child's restarts left the intensity window. */
export function expireChildWindow<R extends ChildRecord>(records: Record<string, R>, event: { type: string; id?: string }): Record<string, R> | undefined {
  return event.type === 'CHILD.WINDOW_EXPIRED' && event.id !== undefined ? updateChild(records, event.id, recordWindowExpiry) : undefined;
}

/** The timers that would bring a child back: cancelled when it is removed for good. */
export function restartTimerIds(id: string): string[] {
  return [`restart:${id}`, `unpark:${id}`];
}

/** Every timer a child may have pending, its intensity-window expiries included: cancelled on stop. */
export function allTimerIds(id: string, record: ChildRecord): string[] {
  const ids = restartTimerIds(id);
  for (let n = 0; n <= record.restartAttempts + record.recentRestarts; n++) ids.push(`window:${id}:${n}`);
  return ids;
}
