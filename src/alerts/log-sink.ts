/**
 * Log sink: one pino line per alert — `error` for critical, `warn` for warning — with the alert's
 * kind, key and details as fields, so log search finds it by any of them. Always configured.
 */
import type { Logger } from '../log/logger.js';
import type { AlertSink } from './types.js';

export function createLogSink(logger: Pick<Logger, 'error' | 'warn'>): AlertSink {
  return {
    name: 'log',
    send(alert) {
      const fields = { alert: { kind: alert.kind, key: alert.key, severity: alert.severity, at: alert.at, details: alert.details } };
      if (alert.severity === 'critical') logger.error(fields, alert.message);
      else logger.warn(fields, alert.message);
    },
  };
}
