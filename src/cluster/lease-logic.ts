/**
 * One work unit's lease as seen by one node: pure decisions over an injected clock (docs/cluster.md#leases).
 *
 * The lease lives in a KV bucket whose entries expire max_age (= the lease TTL) after the server
 * stored them. Clocks of different machines are never compared: before sending each create or
 * renew the holder notes its own monotonic time t0, and once the server confirms, it holds the
 * lease until t0 + ttl − margin. The server started counting the TTL when it received the request,
 * which is no earlier than t0, so the holder gives the lease up strictly before the server can
 * expire it and let another node create it. A renew is a compare-and-set on the revision: a
 * refused CAS means someone else wrote the key, and the lease is lost at once.
 *
 * Everything here is a function of (timing, state, event): the runner performs the commands.
 */
import { TickvisorError } from '../errors.js';

export interface LeaseTiming {
  /** the bucket's max_age: the server drops an entry this long after it stored it */
  ttlMs: number;
  /** how often a holder renews */
  renewIntervalMs: number;
  /** how much before t0 + ttl the holder stops its work (≥ 2 × renewIntervalMs) */
  marginMs: number;
  /** a renew that failed for want of an answer (timeout, no connection) is tried again after this */
  retryMs: number;
  /** how often a node without the lease tries to create it */
  acquireIntervalMs: number;
}

export function leaseTiming(options: { ttlMs: number; renewIntervalMs?: number; marginMs?: number; retryMs?: number; acquireIntervalMs?: number }): LeaseTiming {
  const ttlMs = options.ttlMs;
  const renewIntervalMs = options.renewIntervalMs ?? Math.floor(ttlMs / 5);
  const marginMs = options.marginMs ?? 2 * renewIntervalMs;
  const retryMs = options.retryMs ?? Math.max(1, Math.floor(renewIntervalMs / 2));
  const acquireIntervalMs = options.acquireIntervalMs ?? renewIntervalMs;
  const bad = (why: string) => new TickvisorError('TV_ERR_INVALID_ARGUMENT', `lease timing: ${why}`);
  for (const [name, value] of Object.entries({ ttlMs, renewIntervalMs, marginMs, retryMs, acquireIntervalMs })) {
    if (!Number.isFinite(value) || value <= 0) throw bad(`${name} must be a positive number of ms (got ${value})`);
  }
  // a margin under two renew intervals leaves no room for one lost renew plus the request's own time
  if (marginMs < 2 * renewIntervalMs) throw bad(`marginMs (${marginMs}) must be at least 2 × renewIntervalMs (${renewIntervalMs})`);
  // at least two renews must fit in what a renew buys, so one failed renew can be tried again
  if (ttlMs - marginMs < 2 * renewIntervalMs) throw bad(`ttlMs (${ttlMs}) must be at least marginMs + 2 × renewIntervalMs (${marginMs + 2 * renewIntervalMs})`);
  return { ttlMs, renewIntervalMs, marginMs, retryMs, acquireIntervalMs };
}

export type LeaseState =
  /** not held; `nextAttemptAt`: when to try to create it */
  | { kind: 'free'; nextAttemptAt: number }
  /** a create is in flight, sent at `sentAt` (t0); given up after `timeoutMs` (ttl − margin) */
  | { kind: 'acquiring'; sentAt: number; timeoutMs: number }
  /** held at `revision` until `validUntil`; the next renew is due at `renewAt` */
  | { kind: 'held'; revision: number; validUntil: number; renewAt: number; since: number }
  /** held, and a renew (CAS on `revision`) sent at `sentAt` is in flight */
  | { kind: 'renewing'; revision: number; validUntil: number; sentAt: number; since: number }
  /** the work was stopped at `at`; the entry may still be on the server until it expires */
  | { kind: 'lost'; at: number; reason: LostReason; nextAttemptAt: number }
  /** released on purpose (shutdown): no more attempts */
  | { kind: 'stopped' };

export type LostReason = 'deadline' | 'conflict';

export type LeaseEvent =
  | { type: 'tick'; now: number }
  /**
   * the create sent at `sentAt` (the `create` command's own, echoed back) was stored at `revision`.
   * An answer to a create the lease no longer waits for (released, given up, superseded) is told
   * apart by `sentAt`.
   */
  | { type: 'acquired'; now: number; revision: number; sentAt: number }
  /** the create sent at `sentAt` was refused (someone holds the key) or failed: try again later */
  | { type: 'acquire-failed'; now: number; sentAt: number }
  | { type: 'renewed'; now: number; revision: number }
  /** the CAS was refused: the key was written by someone else (or expired and re-created) */
  | { type: 'renew-conflict'; now: number }
  /** no answer (timeout, connection down): the lease is still ours until its deadline */
  | { type: 'renew-failed'; now: number }
  /**
   * the CAS was refused but the entry holds our own value at `revision`: an earlier renew whose
   * answer was lost did reach the server. When it was received is unknown, so the deadline stays
   * the last confirmed one (never later than the truth) and the next renew goes out at once.
   */
  | { type: 'renew-adopted'; now: number; revision: number }
  | { type: 'release'; now: number };

export type LeaseCommand =
  /** `sentAt`: the attempt's send time (t0), to be echoed in its `acquired` event */
  | { type: 'create'; sentAt: number }
  | { type: 'update'; revision: number }
  /** best effort, on release: the next holder need not wait for the entry to expire */
  | { type: 'delete'; revision: number }
  | { type: 'start-work'; revision: number }
  | { type: 'stop-work'; reason: LostReason | 'released' };

export interface LeaseStep {
  state: LeaseState;
  commands: LeaseCommand[];
}

export const initialLease = (now: number): LeaseState => ({ kind: 'free', nextAttemptAt: now });

const holding = (s: LeaseState): s is Extract<LeaseState, { kind: 'held' | 'renewing' }> => s.kind === 'held' || s.kind === 'renewing';

/** whether the node may do the unit's work right now (the fence every write should check) */
export function mayWork(state: LeaseState, now: number): boolean {
  return holding(state) && now < state.validUntil;
}

/** when the runner must call `tick` next (undefined: only an answer can move the state) */
export function nextWake(state: LeaseState): number | undefined {
  switch (state.kind) {
    case 'free':
    case 'lost':
      return state.nextAttemptAt;
    case 'held':
      return Math.min(state.renewAt, state.validUntil);
    case 'renewing':
      // the deadline holds even while a renew hangs: the work stops on time whatever the network does
      return state.validUntil;
    case 'acquiring':
      // a create whose answer never comes must not leave the node waiting for ever
      return state.sentAt + state.timeoutMs;
    case 'stopped':
      return undefined;
  }
}

const lose = (timing: LeaseTiming, now: number, reason: LostReason): LeaseStep => ({
  state: { kind: 'lost', at: now, reason, nextAttemptAt: now + timing.acquireIntervalMs },
  commands: [{ type: 'stop-work', reason }],
});

export function leaseStep(timing: LeaseTiming, state: LeaseState, event: LeaseEvent): LeaseStep {
  const same: LeaseStep = { state, commands: [] };
  if (event.type === 'acquired' && !(state.kind === 'acquiring' && state.sentAt === event.sentAt)) {
    // a create that succeeded after we stopped waiting for it: the key is ours on the server but
    // nobody here will renew it, so left alone it would keep every other node out until it
    // expires (a redundancy slot taken by nobody for up to one TTL). Give it back at once.
    return { state, commands: [{ type: 'delete', revision: event.revision }] };
  }
  if (state.kind === 'stopped') return same;
  if (event.type === 'release') {
    if (holding(state)) return { state: { kind: 'stopped' }, commands: [{ type: 'stop-work', reason: 'released' }, { type: 'delete', revision: state.revision }] };
    return { state: { kind: 'stopped' }, commands: [] };
  }
  // past the deadline nothing else matters: an answer arriving late cannot extend it
  if (holding(state) && event.now >= state.validUntil) return lose(timing, event.now, 'deadline');

  switch (event.type) {
    case 'tick':
      if ((state.kind === 'free' || state.kind === 'lost') && event.now >= state.nextAttemptAt) {
        return { state: { kind: 'acquiring', sentAt: event.now, timeoutMs: timing.ttlMs - timing.marginMs }, commands: [{ type: 'create', sentAt: event.now }] };
      }
      // no answer in time: whatever the create did, a lease that would already be spent is useless
      if (state.kind === 'acquiring' && event.now >= state.sentAt + state.timeoutMs) return { state: { kind: 'free', nextAttemptAt: event.now }, commands: [] };
      if (state.kind === 'held' && event.now >= state.renewAt) {
        return { state: { kind: 'renewing', revision: state.revision, validUntil: state.validUntil, sentAt: event.now, since: state.since }, commands: [{ type: 'update', revision: state.revision }] };
      }
      return same;
    case 'acquired': {
      if (state.kind !== 'acquiring') return same;
      const validUntil = state.sentAt + timing.ttlMs - timing.marginMs;
      // an answer so late that the lease is already spent: never start work on it, and give the key back
      if (event.now >= validUntil) return { state: { kind: 'free', nextAttemptAt: event.now }, commands: [{ type: 'delete', revision: event.revision }] };
      return {
        state: { kind: 'held', revision: event.revision, validUntil, renewAt: state.sentAt + timing.renewIntervalMs, since: event.now },
        commands: [{ type: 'start-work', revision: event.revision }],
      };
    }
    case 'acquire-failed':
      // an older attempt's failure says nothing about the create in flight now
      if (state.kind !== 'acquiring' || state.sentAt !== event.sentAt) return same;
      return { state: { kind: 'free', nextAttemptAt: event.now + timing.acquireIntervalMs }, commands: [] };
    case 'renewed':
      if (state.kind !== 'renewing') return same;
      return {
        state: { kind: 'held', revision: event.revision, validUntil: state.sentAt + timing.ttlMs - timing.marginMs, renewAt: state.sentAt + timing.renewIntervalMs, since: state.since },
        commands: [],
      };
    case 'renew-conflict':
      if (state.kind !== 'renewing') return same;
      return lose(timing, event.now, 'conflict');
    case 'renew-adopted':
      if (state.kind !== 'renewing') return same;
      return { state: { kind: 'held', revision: event.revision, validUntil: state.validUntil, renewAt: event.now, since: state.since }, commands: [] };
    case 'renew-failed':
      if (state.kind !== 'renewing') return same;
      return { state: { kind: 'held', revision: state.revision, validUntil: state.validUntil, renewAt: event.now + timing.retryMs, since: state.since }, commands: [] };
  }
}
