/**
 * The `store-failed` alert of one tickvisor. Every collector's pipeline writes to the same store
 * and reports its own write health; the alert is raised when the first one fails (and again, to
 * the router's dedup, on each further collector) and resolved only when none fails any more.
 */
import { storeFailedAlert, type AlertRouter } from '../alerts/index.js';

export type WriteHealthListener = (collector: string, failing: boolean, error?: unknown) => void;

export function storeHealthAlerts(options: {
  alerting: Pick<AlertRouter, 'raise' | 'resolve'>;
  storePath: string;
  now?: () => number;
  onRecovered?: () => void;
}): WriteHealthListener & { readonly failing: ReadonlySet<string> } {
  const failing = new Set<string>();
  const now = options.now ?? Date.now;
  const listener = (collector: string, isFailing: boolean, error?: unknown): void => {
    const before = failing.size;
    if (isFailing) {
      failing.add(collector);
      const reason = error instanceof Error ? error.message : String(error);
      options.alerting.raise(storeFailedAlert(options.storePath, reason, now(), failing.size));
    } else {
      failing.delete(collector);
      if (before > 0 && failing.size === 0) {
        options.alerting.resolve('store-failed', options.storePath);
        options.onRecovered?.();
      }
    }
  };
  return Object.assign(listener, { failing: failing as ReadonlySet<string> });
}
