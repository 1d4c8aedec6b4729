/**
 * A switch in front of the store's commits, for fault scenarios: while armed, every writeBatch
 * fails the way a full disk makes it fail (a rejected write, nothing stored), without touching
 * LMDB. Production stores have no gate; `simulate` hands one to the tickvisor it runs and arms it
 * at a scenario's `store-full` fault, so the collector's retry, backpressure and alert paths are
 * exercised for real.
 */
export interface StoreFaultGate {
  /** why the next commit must fail, or undefined to let it through */
  failure(): string | undefined;
}

export interface ArmableStoreFaultGate extends StoreFaultGate {
  /** commits fail until `untilMs` on `now()`'s clock */
  failUntil(untilMs: number, reason?: string): void;
  clear(): void;
  readonly armed: boolean;
}

export function createStoreFaultGate(now: () => number = Date.now): ArmableStoreFaultGate {
  let until = -Infinity;
  let why = 'no space left on device (simulated)';
  return {
    failure: () => (now() < until ? why : undefined),
    failUntil(untilMs, reason) {
      until = untilMs;
      if (reason !== undefined) why = reason;
    },
    clear() {
      until = -Infinity;
    },
    get armed() {
      return now() < until;
    },
  };
}
