/** An exchange's `audit` configuration → the options one venue's auditor runs with (defaults resolved). */
import { auditSchema, type ExchangeConfig } from '../config/schema.js';

export interface AuditOptions {
  intervalMs: number;
  share: number;
  settleMs: number;
  maxTrades: number;
}

/**
 * Only Binance numbers its trades densely, so only there is a frame lost without a disconnect
 * already visible (a hole in the ids, backfilled by the gap filler); every other venue is audited
 * unless the configuration turns it off. undefined: no audit for this venue.
 */
export function auditOptionsFor(exchange: Pick<ExchangeConfig, 'exchange' | 'audit'>): AuditOptions | undefined {
  const audit = exchange.audit ?? auditSchema.parse({});
  const enabled = audit.enabled ?? exchange.exchange !== 'binance';
  if (!enabled) return undefined;
  return { intervalMs: audit.intervalMs, share: audit.share, settleMs: audit.settleMs, maxTrades: audit.maxTrades };
}
