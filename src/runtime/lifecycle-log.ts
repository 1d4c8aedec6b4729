/**
 * Logs the tree's lifecycle from XState inspection: every change of a collector's or connector's
 * top-level state, on a child logger bound to its exchange, market and connector. Coins and the
 * data path never log here (no per-tick log lines: docs/architecture.md#data-path).
 */
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { readFailure } from '../../machines/selectors.js';
import type { Logger } from '../log/logger.js';

/**
 * `level`: where ordinary changes log. A person watching a terminal wants a summary instead of
 * a hundred lines pushing the banner away (`tickvisor run` logs them at debug on a TTY); failures
 * and recoveries stay warnings either way.
 */
export function lifecycleLogger(log: Logger, level: 'info' | 'debug' = 'info'): (event: InspectionEvent) => void {
  const last = new Map<string, string>();
  const children = new Map<string, Logger>();
  const loggerFor = (id: string): Logger => {
    let child = children.get(id);
    if (!child) {
      const [kind, exchange, market] = id.split(':');
      child = log.child(kind === 'connector' ? { exchange, market, connector: id } : { exchange, market });
      children.set(id, child);
    }
    return child;
  };
  return (event) => {
    if (event.type !== '@xstate.snapshot') return;
    const ref = event.actorRef as AnyActorRef;
    const id = ref.id;
    if (!id.startsWith('connector:') && !id.startsWith('collector:')) return;
    const snapshot = readFailure(event.snapshot);
    const value = dotted(snapshot.value);
    if (value === undefined || last.get(ref.sessionId) === value) return;
    last.set(ref.sessionId, value);
    const state = typeof snapshot.value === 'string' ? snapshot.value : Object.keys(snapshot.value as object)[0];
    const child = loggerFor(id);
    // Failed passes within one step on the way to Recovering: log the error with either
    if (state === 'Failed' || state === 'Recovering') child.warn({ state: value, error: snapshot.lastError }, `${id} ${value}: ${snapshot.lastError ?? ''}`);
    else child[level]({ state: value }, `${id} ${value}`);
  };
}

/** `{ Running: 'Listing' }` → `Running.Listing` */
function dotted(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [head, rest] = Object.entries(value)[0] ?? [];
    if (head === undefined) return undefined;
    const inner = dotted(rest);
    return inner ? `${head}.${inner}` : head;
  }
  return undefined;
}
