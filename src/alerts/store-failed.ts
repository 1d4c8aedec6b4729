/** The `store-failed` alert: the history store refuses commits, so records pile up in memory. */
import type { Alert } from './types.js';

export function storeFailedAlert(path: string, reason: string, at: number, failingCollectors: number): Alert {
  return {
    kind: 'store-failed',
    key: path,
    severity: 'critical',
    message: `history store at ${path} refuses writes (${reason}); records are kept in memory and retried, intake is slowed`,
    details: { path, reason, failingCollectors },
    at,
  };
}
