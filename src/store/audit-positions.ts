/**
 * Where each symbol's REST audit (src/audit/) has got to, kept in the store so that a restarted
 * process audits on from there instead of from its own start. Without it, frames dropped silently
 * shortly before a crash (on venues whose trade ids have no density to show the hole: Upbit,
 * Bybit, OKX) fell between the dead process's last audit and the new one's first window, and were
 * never found.
 *
 *   auditPositions: [exchange, market, symbol] → the start (ms) of the symbol's next audit window
 *
 * A small database of its own, only added to: older readers never open it. Writes are
 * fire-and-forget (lmdb-js batches them): losing the last few on a crash only means auditing a
 * window again, which finds nothing twice.
 */
import type { Database, Key, RootDatabase } from 'lmdb';
import type { ExchangeId, Market } from '../records.js';

export const AUDIT_POSITIONS_DB = 'auditPositions';

export interface AuditPositions {
  /** every stored position of one venue: symbol → next window start (ms) */
  load(exchange: ExchangeId, market: Market): Map<string, number>;
  save(exchange: ExchangeId, market: Market, symbol: string, from: number): void;
  /** no save after this: call it before the store closes (lmdb-js throws, uncaught, on a write queued after its close began) */
  close(): void;
}

export function openAuditPositions(env: RootDatabase, onError: (error: unknown) => void = () => undefined): AuditPositions {
  const db: Database<number, Key> = env.openDB<number, Key>({ name: AUDIT_POSITIONS_DB, encoding: 'msgpack' });
  let closed = false;
  return {
    close() {
      closed = true;
    },
    load(exchange, market) {
      const out = new Map<string, number>();
      for (const { key, value } of db.getRange({ start: [exchange, market], end: [exchange, market, '\uffff'] })) {
        const symbol = Array.isArray(key) ? key[2] : undefined;
        if (typeof symbol === 'string' && typeof value === 'number' && Number.isFinite(value)) out.set(symbol, value);
      }
      return out;
    },
    save(exchange, market, symbol, from) {
      if (closed || (env as { status?: string }).status !== 'open') {
        onError(new Error(`audit position of ${exchange}:${market}:${symbol} not saved: the store is closed`));
        return;
      }
      // a failing store throws here or rejects later: reported either way, never thrown
      try {
        db.put([exchange, market, symbol], from).catch(onError);
      } catch (error) {
        onError(error);
      }
    },
  };
}
