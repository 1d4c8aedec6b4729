/**
 * Turns a detector's output into raise/resolve calls. A detector reports the conditions that hold
 * now; the watch remembers, per kind, which keys held last time, so a key that has cleared is
 * resolved (and alerts again at once if it comes back) while a key that still holds is raised
 * again and left to the router's dedup.
 */
import type { AlertRouter } from './alert-router.js';
import type { Alert, AlertKind } from './types.js';

export interface AlertWatch {
  /** `alerts`: every condition of `kind` that holds now (all of them, not only the new ones) */
  update(kind: AlertKind, alerts: readonly Alert[]): void;
  /** keys of `kind` currently holding */
  active(kind: AlertKind): ReadonlySet<string>;
}

export function createAlertWatch(router: Pick<AlertRouter, 'raise' | 'resolve'>): AlertWatch {
  const activeByKind = new Map<AlertKind, Set<string>>();
  return {
    update(kind, alerts) {
      const previous = activeByKind.get(kind) ?? new Set<string>();
      const current = new Set<string>();
      for (const alert of alerts) {
        if (alert.kind !== kind) continue;
        current.add(alert.key);
        router.raise(alert);
      }
      for (const key of previous) if (!current.has(key)) router.resolve(kind, key);
      activeByKind.set(kind, current);
    },
    active: (kind) => activeByKind.get(kind) ?? new Set<string>(),
  };
}
