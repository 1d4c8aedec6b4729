/** An exchange's `audit` configuration → the options one venue's auditor runs with (defaults resolved). */
import type { AuditConfig, ExchangeConfig } from '../config/schema.js';

export interface AuditOptions {
  intervalMs: number;
  share: number;
  settleMs: number;
  maxTrades: number;
}

/**
 * One audit every 10 s per venue keeps a quiet venue's cost near 0.1 request/s whatever its symbol
 * count. A busy one pages more: a window holding more than 1000 trades (two Upbit pages, ten OKX
 * pages) leaves a backlog that is worked through back to back, and half the REST pace lets that
 * keep up with ~500 trades/s per host on OKX (100 rows a page at 5 requests/s). Half is safe for
 * gap backfill because no audit starts while backfill has work: it competes with at most the one
 * audit request in flight. 5 s covers a frame's way from the exchange into the store with room.
 */
export const AUDIT_DEFAULTS: AuditOptions = { intervalMs: 10_000, share: 0.5, settleMs: 5_000, maxTrades: 1_000 };

/**
 * Only Binance numbers its trades densely, so only there is a frame lost without a disconnect
 * already visible (a hole in the ids, backfilled by the gap filler); every other venue is audited
 * unless the configuration turns it off. Fields come from the exchange's own `audit`, then from
 * the top-level `audit`, then from AUDIT_DEFAULTS. undefined: no audit for this venue.
 */
export function auditOptionsFor(exchange: Pick<ExchangeConfig, 'exchange' | 'audit'>, defaults: AuditConfig = {}): AuditOptions | undefined {
  const own = exchange.audit ?? {};
  const pick = <K extends keyof AuditOptions>(key: K): AuditOptions[K] => own[key] ?? defaults[key] ?? AUDIT_DEFAULTS[key];
  const enabled = own.enabled ?? defaults.enabled ?? exchange.exchange !== 'binance';
  if (!enabled) return undefined;
  return { intervalMs: pick('intervalMs'), share: pick('share'), settleMs: pick('settleMs'), maxTrades: pick('maxTrades') };
}
