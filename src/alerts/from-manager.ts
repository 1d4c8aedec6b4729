/**
 * The Manager's `alert` event (recovery failed: escalation reached the root) as an Alert. Keyed by
 * the actor whose recovery failed, so repeated escalations of one collector are one alert per
 * dedup window, while each different actor alerts on its own.
 */
import type { RecoveryFailedAlert } from '../../machines/manager.js';
import type { Alert } from './types.js';

export function recoveryFailedAlert(alert: RecoveryFailedAlert, at: number): Alert {
  return {
    kind: 'recovery-failed',
    key: alert.actor,
    severity: 'critical',
    message: `${alert.message}: ${alert.actor} (supervisor ${alert.supervisor}, ${alert.restarts} restarts, last error: ${alert.lastError})`,
    details: { actor: alert.actor, supervisor: alert.supervisor, restarts: alert.restarts, lastError: alert.lastError },
    at,
  };
}
