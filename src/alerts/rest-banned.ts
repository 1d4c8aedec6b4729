/** The `rest-banned` alert: a venue banned our IP from its REST API until a given time. */
import type { Alert } from './types.js';

export interface RestBan {
  exchange: string;
  /** the venue's budget key: host, plus a path prefix on the simulator */
  host: string;
  /** ms since epoch */
  until: number;
  status: number;
  url: string;
}

export function restBannedAlert(ban: RestBan, at: number): Alert {
  const until = new Date(ban.until).toISOString();
  return {
    kind: 'rest-banned',
    key: `${ban.exchange}:${ban.host}`,
    severity: 'critical',
    message: `${ban.exchange} (${ban.host}) banned this IP from its REST API until ${until} (HTTP ${ban.status}); no backfill, audit or listing reaches it before then`,
    details: { exchange: ban.exchange, host: ban.host, until, untilMs: ban.until, status: ban.status, url: ban.url },
    at,
  };
}
