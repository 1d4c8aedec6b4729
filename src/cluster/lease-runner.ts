/**
 * Drives one lease (lease-logic.ts) with real I/O: a clock, timers and a lease store, all injected,
 * so tests run it on fake time against a fake store, and production on the NATS KV (kv-leases.ts).
 */
import type { Clock } from '../time/clock.js';
import { initialLease, leaseStep, mayWork, nextWake, type LeaseCommand, type LeaseEvent, type LeaseState, type LeaseTiming, type LostReason } from './lease-logic.js';

/** what one lease needs from the KV; every call rejects with a LeaseStoreError when it fails */
export interface LeaseStore {
  /** creates the key when absent (or deleted/expired); resolves to the new revision */
  create(key: string, value: Uint8Array): Promise<number>;
  /** compare-and-set on `revision`; resolves to the new revision */
  update(key: string, value: Uint8Array, revision: number): Promise<number>;
  /** deletes the key if still at `revision` */
  delete(key: string, revision: number): Promise<void>;
  /** the key's current value and revision, or null when absent */
  get(key: string): Promise<{ value: Uint8Array; revision: number } | null>;
}

/** `conflict`: the server refused the CAS or the create (someone else wrote it); `unavailable`: no answer */
export class LeaseStoreError extends Error {
  constructor(
    readonly kind: 'conflict' | 'unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'LeaseStoreError';
  }
}

/**
 * Lease deadlines are measured on a monotonic clock: the wall clock may be stepped (NTP, a
 * suspend) and a step forward or back must not stretch a lease. Timers never keep the process alive.
 */
export const monotonicClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => {
    const t = setTimeout(callback, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** the value stored under a lease key */
export interface LeaseValue {
  node: string;
  /** wall-clock ms when this node took the lease: for people reading the bucket, never for decisions */
  since: number;
  /** this node's count of acquisitions of the key: tells our own earlier write from another's */
  epoch: number;
}

export interface LeaseCallbacks {
  /** the lease was taken: start the unit's work (`revision`: the create's, a fencing token) */
  onAcquired?(revision: number): void;
  /** stop the unit's work now: called before the server can let anyone else take the lease */
  onLost?(reason: LostReason | 'released'): void;
  onState?(state: LeaseState): void;
}

export interface LeaseRunnerOptions {
  key: string;
  node: string;
  timing: LeaseTiming;
  store: LeaseStore;
  /** monotonic by default (monotonicClock) */
  clock?: Clock;
  /** wall clock for LeaseValue.since */
  wallClock?: () => number;
  /**
   * asked before each attempt to take the lease; false skips the attempt (retried after the
   * acquire interval): a node at its fair share of the units leaves free ones to the others
   */
  mayAcquire?: () => boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class LeaseRunner {
  private state: LeaseState;
  private timer: unknown;
  private epoch = 0;
  private since = 0;
  /** creates sent and not yet answered (with the work their answers start) */
  private readonly creates = new Set<Promise<void>>();
  private readonly clock: Clock;

  constructor(
    private readonly options: LeaseRunnerOptions,
    private readonly callbacks: LeaseCallbacks = {},
  ) {
    this.clock = options.clock ?? monotonicClock;
    this.state = initialLease(this.clock.now());
  }

  get current(): LeaseState {
    return this.state;
  }

  /** the fence: true only while the lease is held and its local deadline has not passed */
  mayWork(): boolean {
    return mayWork(this.state, this.clock.now());
  }

  start(): void {
    this.dispatch({ type: 'tick', now: this.clock.now() });
  }

  /**
   * Stops renewing without a word to the store, as a frozen or killed process would: the work is
   * stopped (onLost 'released') and the entry is left to expire. For tests and for a node that
   * knows its store connection is gone for good.
   */
  abandon(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const held = this.state.kind === 'held' || this.state.kind === 'renewing';
    this.state = { kind: 'stopped' };
    this.callbacks.onState?.(this.state);
    if (held) this.callbacks.onLost?.('released');
  }

  /**
   * Stops the work, deletes the key if still ours (so the next holder need not wait), no more
   * attempts. A create still in flight is waited for: if it succeeds, its key is deleted too.
   */
  async release(): Promise<void> {
    const deletion = this.dispatch({ type: 'release', now: this.clock.now() });
    await Promise.all([deletion, ...this.creates]);
  }

  private track(create: Promise<void>): Promise<void> {
    this.creates.add(create);
    const done = () => void this.creates.delete(create);
    create.then(done, done);
    return create;
  }

  private value(): Uint8Array {
    const value: LeaseValue = { node: this.options.node, since: this.since, epoch: this.epoch };
    return encoder.encode(JSON.stringify(value));
  }

  private dispatch(event: LeaseEvent): Promise<void> {
    const { state, commands } = leaseStep(this.options.timing, this.state, event);
    const changed = state !== this.state;
    this.state = state;
    if (changed) this.callbacks.onState?.(state);
    let pending: Promise<void> = Promise.resolve();
    for (const command of commands) pending = this.perform(command) ?? pending;
    this.schedule();
    return pending;
  }

  private schedule(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const at = nextWake(this.state);
    if (at === undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.dispatch({ type: 'tick', now: this.clock.now() });
    }, Math.max(0, at - this.clock.now()));
  }

  private perform(command: LeaseCommand): Promise<void> | undefined {
    const { store, key } = this.options;
    switch (command.type) {
      case 'create':
        if (this.options.mayAcquire?.() === false) {
          return Promise.resolve().then(() => void this.dispatch({ type: 'acquire-failed', now: this.clock.now(), sentAt: command.sentAt }));
        }
        this.epoch += 1;
        this.since = this.options.wallClock?.() ?? Date.now();
        // the answer's own work (a start, or the delete of a create no longer wanted) is part of
        // this promise, so release() can wait for a create still in flight and give it back
        return this.track(
          store.create(key, this.value()).then(
            (revision) => this.dispatch({ type: 'acquired', now: this.clock.now(), revision, sentAt: command.sentAt }),
            () => void this.dispatch({ type: 'acquire-failed', now: this.clock.now(), sentAt: command.sentAt }),
          ),
        );
      case 'update':
        return store.update(key, this.value(), command.revision).then(
          (revision) => void this.dispatch({ type: 'renewed', now: this.clock.now(), revision }),
          (error: unknown) => this.onRenewError(error),
        );
      case 'delete':
        return store.delete(key, command.revision).catch(() => undefined);
      case 'start-work':
        this.callbacks.onAcquired?.(command.revision);
        return undefined;
      case 'stop-work':
        this.callbacks.onLost?.(command.reason);
        return undefined;
    }
  }

  private async onRenewError(error: unknown): Promise<void> {
    if (!(error instanceof LeaseStoreError) || error.kind !== 'conflict') {
      this.dispatch({ type: 'renew-failed', now: this.clock.now() });
      return;
    }
    // a refused CAS may be our own earlier renew whose answer was lost: the entry then holds our value
    const entry = await this.options.store.get(this.options.key).catch(() => null);
    if (entry && this.isOurs(entry.value)) this.dispatch({ type: 'renew-adopted', now: this.clock.now(), revision: entry.revision });
    else this.dispatch({ type: 'renew-conflict', now: this.clock.now() });
  }

  private isOurs(raw: Uint8Array): boolean {
    try {
      const value = JSON.parse(decoder.decode(raw)) as Partial<LeaseValue>;
      return value.node === this.options.node && value.epoch === this.epoch && value.since === this.since;
    } catch {
      return false;
    }
  }
}
