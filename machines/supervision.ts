/**
 * OTP-style supervision, as pure functions over a child's record. The machines (Collector for
 * its Connectors, Manager for its Collectors) call these and turn the decision into XState actions.
 *
 * - Backoff: delay = min(max, min · factor^n) · (1 + jitter · r), r ∈ [0, 1) — Akka's formula, capped.
 * - Intensity: at most `maxRestarts` restarts within `windowMs`. The window slides by XState delays
 *   (each restart schedules its own expiry), so no wall clock enters the machines.
 * - Past the intensity the failure escalates to the supervisor's own parent.
 */
import type { AnyActorRef } from 'xstate';
import { nextRandom } from '../src/prng.js';

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

export type SupervisionDecision =
  | { kind: 'restart'; delayMs: number; record: ChildRecord; seed: number }
  | { kind: 'escalate'; parkMs: number; record: ChildRecord; seed: number };

/** A child failed (gave up or crashed): restart it after a backoff, or escalate past the intensity. */
export function decideOnFailure(
  record: ChildRecord,
  policy: RestartPolicy,
  error: string,
  seed: number,
): SupervisionDecision {
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
export function recordRestart(record: ChildRecord): ChildRecord {
  return { ...record, restartAttempts: record.restartAttempts + 1, awaitingRecovery: true, state: 'Ready' };
}

/** The parking time after an escalation is over: a fresh window, a fresh backoff. */
export function recordUnpark(record: ChildRecord): ChildRecord {
  return { ...record, parked: false, recentRestarts: 0, backoffAttempt: 0 };
}

/** The child reported a state; reaching its healthy state counts a successful restart. */
export function recordChildState(record: ChildRecord, state: string, healthyState: string): ChildRecord {
  if (state === healthyState && record.awaitingRecovery) {
    return { ...record, state, awaitingRecovery: false, restartSuccesses: record.restartSuccesses + 1, backoffAttempt: 0 };
  }
  return { ...record, state };
}

/** One restart left the intensity window. */
export function recordWindowExpiry(record: ChildRecord): ChildRecord {
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

export interface FailurePlan {
  children: Record<string, ChildRecord>;
  seed: number;
  schedule: ScheduledEvent[];
  /** set when the failure goes past the restart intensity */
  escalation?: { id: string; error: string; restarts: number };
}

/**
 * Everything a supervisor does when child `id` fails, as data: the machine applies it
 * (stop the child, assign, raise the delayed events, report the escalation).
 */
export function planFailure(
  children: Record<string, ChildRecord>,
  id: string,
  error: string,
  policy: RestartPolicy,
  seed: number,
): FailurePlan {
  const record = children[id] ?? newChildRecord(id);
  if (record.parked) return { children, seed, schedule: [] };
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

export function updateChild(
  children: Record<string, ChildRecord>,
  id: string,
  update: (record: ChildRecord) => ChildRecord,
): Record<string, ChildRecord> {
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
