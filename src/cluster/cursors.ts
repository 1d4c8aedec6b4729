/**
 * Per-symbol cursors in a KV bucket (docs/cluster.md#cursors): the newest trade each symbol has in
 * the stream, written after the publish was acked, so a node taking a unit over resumes and
 * backfills from there. Written at most once per flush per symbol (a put per batch would cost a
 * KV write every 50 ms per symbol), so a cursor may lag by one flush interval: the next holder
 * then backfills a little more, and the archive's id guard keeps one copy.
 */
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ExchangeId, Market, Trade } from '../records.js';
import type { TradeColumns } from '../store/blocks/columns.js';
import { tradeIdAt } from '../store/blocks/trade-rows.js';

export const CURSOR_BUCKET = 'tickvisor-cursors';

export interface PublishedCursor {
  tradeId: string;
  /** exchange time of that trade (ms) */
  timestamp: number;
}

/**
 * KV keys take only `[-/_=.A-Za-z0-9]`; unified symbols also hold `:` (and could hold anything):
 * every other character becomes `=XX` (hex), `=` itself included, so the mapping is one-to-one.
 */
export function cursorKey(exchange: ExchangeId, market: Market, symbol: string): string {
  const escaped = symbol.replace(/[^-/_A-Za-z0-9]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `=${code.toString(16).padStart(2, '0').toUpperCase()}` : `=u${code.toString(16).padStart(4, '0').toUpperCase()}`;
  });
  return `${cursorUnit(exchange, market)}.${escaped}`;
}

/** the part of a unit's cursor keys before the symbol: what a floor for the whole unit is keyed by */
export function cursorUnit(exchange: ExchangeId, market: Market): string {
  return `${exchange}.${market}`;
}

/** cursorUnit of a cursor key (an escaped symbol holds no `.`: it ends at the last one) */
function unitOfKey(key: string): string {
  return key.slice(0, key.lastIndexOf('.'));
}

/** the symbol of a cursor key (cursorKey's inverse), undefined for a key of another shape */
export function cursorSymbol(key: string): string | undefined {
  const parts = key.split('.');
  if (parts.length !== 3) return undefined;
  const escaped = parts[2] as string;
  if (!/^(?:[-/_A-Za-z0-9]|=[0-9A-F]{2}|=u[0-9A-F]{4})*$/.test(escaped)) return undefined;
  return escaped.replace(/=u([0-9A-F]{4})|=([0-9A-F]{2})/g, (_, u: string | undefined, b: string | undefined) => String.fromCharCode(parseInt((u ?? b) as string, 16)));
}

/** which of two trades of one symbol is newer: by exchange time, then by id (numerically for digit ids) */
function newer(a: PublishedCursor, b: PublishedCursor): boolean {
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  const digits = /^\d+$/;
  if (digits.test(a.tradeId) && digits.test(b.tradeId) && a.tradeId.length !== b.tradeId.length) return a.tradeId.length > b.tradeId.length;
  return a.tradeId > b.tradeId;
}

/** keeps the newest acked trade per symbol and writes the ones that moved on each flush */
export class CursorTracker {
  private readonly newest = new Map<string, PublishedCursor>();
  private readonly dirty = new Set<string>();

  constructor(private readonly put: (key: string, value: Uint8Array) => Promise<unknown>) {}

  /** a batch the stream acknowledged (stored or duplicate: either way the stream has it) */
  noteAcked(trades: readonly Trade[]): void {
    // a batch is one symbol's window: its key is escaped once, not once per trade
    let key = '';
    let keyOf: Trade | undefined;
    for (const t of trades) {
      if (keyOf === undefined || t.symbol !== keyOf.symbol || t.exchange !== keyOf.exchange || t.market !== keyOf.market) {
        key = cursorKey(t.exchange, t.market, t.symbol);
        keyOf = t;
      }
      this.note(key, { tradeId: t.id, timestamp: t.timestamp });
    }
  }

  /** a window the stream acknowledged, as columns in (timestamp, id) order (window-batcher.ts) */
  noteAckedWindow(w: { exchange: ExchangeId; market: Market; symbol: string; columns: TradeColumns }): void {
    const c = w.columns;
    const last = c.length - 1;
    if (last < 0) return;
    // the newest is among the rows of the last timestamp; `newer` decides between their ids
    const timestamp = c.timestamps[last] as number;
    let best: PublishedCursor = { tradeId: tradeIdAt(c, last), timestamp };
    for (let i = last - 1; i >= 0 && c.timestamps[i] === timestamp; i--) {
      const candidate = { tradeId: tradeIdAt(c, i), timestamp };
      if (newer(candidate, best)) best = candidate;
    }
    this.note(cursorKey(w.exchange, w.market, w.symbol), best);
  }

  private note(key: string, candidate: PublishedCursor): void {
    const current = this.newest.get(key);
    if (!current || newer(candidate, current)) {
      this.newest.set(key, candidate);
      this.dirty.add(key);
    }
  }

  /**
   * Writes every cursor that moved since the last flush; one that fails stays dirty for the next.
   * `floors` (cursor key → the oldest exchange time of that symbol's trades not yet acked, see
   * TradePublisher.pendingFloors) holds a cursor back while an older batch of its symbol is still
   * unacked: acks come out of order (a publish that timed out in a leader election is retried while
   * later ones land), and a cursor past a batch the stream never got would tell the next holder
   * to backfill from after it, should this node die before the retry lands. `unitFloors`
   * (cursorUnit → an exchange time) holds back every cursor of that unit the same way: the
   * oldest trade the node's pipeline still holds uncommitted, of whichever symbol.
   */
  async flush(floors?: ReadonlyMap<string, number>, unitFloors?: ReadonlyMap<string, number>): Promise<number> {
    const keys: string[] = [];
    for (const key of this.dirty) {
      const newest = this.newest.get(key)!.timestamp;
      const floor = floors?.get(key);
      if (floor !== undefined && floor <= newest) continue; // stays dirty
      if (unitFloors !== undefined && unitFloors.size > 0) {
        const unitFloor = unitFloors.get(unitOfKey(key));
        if (unitFloor !== undefined && unitFloor <= newest) continue;
      }
      keys.push(key);
    }
    for (const key of keys) this.dirty.delete(key);
    const encoder = new TextEncoder();
    const results = await Promise.allSettled(keys.map((key) => this.put(key, encoder.encode(JSON.stringify(this.newest.get(key))))));
    results.forEach((r, i) => r.status === 'rejected' && this.dirty.add(keys[i]!));
    return results.filter((r) => r.status === 'fulfilled').length;
  }
}

export async function openCursorBucket(nc: NatsConnection, replicas: number): Promise<KV> {
  return new Kvm(nc).create(CURSOR_BUCKET, { history: 1, replicas });
}

/** a symbol's cursor, or undefined when none was written (or it cannot be read) */
export async function readPublishedCursor(kv: KV, exchange: ExchangeId, market: Market, symbol: string): Promise<PublishedCursor | undefined> {
  return cursorOf(await kv.get(cursorKey(exchange, market, symbol)));
}

/** the cursor a KV entry holds; undefined for none, a deletion, or a value we did not write */
export function cursorOf(entry: KvEntry | null): PublishedCursor | undefined {
  if (!entry || entry.operation !== 'PUT') return undefined;
  try {
    const value = entry.json<Partial<PublishedCursor>>();
    if (typeof value.tradeId === 'string' && typeof value.timestamp === 'number' && Number.isFinite(value.timestamp)) return { tradeId: value.tradeId, timestamp: value.timestamp };
  } catch {
    // a value we did not write: as good as none
  }
  return undefined;
}
