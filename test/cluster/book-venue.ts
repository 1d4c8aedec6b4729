/**
 * A venue's order book for the cluster book tests: venue events (sequence, exchange time, levels
 * set) and the records a node stores from them — its own snapshot at the sequence it synced at,
 * then every event as an update (or, where due, a snapshot), each linked to the one before.
 */
import type { LinkedBookRecord } from '../../src/cluster/book-codec.js';
import { Prng } from '../../src/prng.js';
import type { BookLevelTuple, BookRecord } from '../../src/records.js';

export const BOOK_T0 = 1_764_000_000_000;
export const SYMBOL = 'BTC/USDT';

export interface VenueEvent {
  sequence: number;
  timestamp: number;
  bids: BookLevelTuple[];
  asks: BookLevelTuple[];
}

/** exchange time of the event with this sequence */
export const timeOf = (sequence: number): number => BOOK_T0 + sequence * 10;

/** events first..last, each setting a few levels (amount 0 deletes) around a mid of 100 */
export function venueEvents(first: number, last: number, seed = 1): VenueEvent[] {
  const prng = new Prng(seed);
  const out: VenueEvent[] = [];
  const level = (side: 1 | -1): BookLevelTuple => [Math.round((100 - side * (0.01 + prng.int(40) / 100)) * 100) / 100, prng.next() < 0.2 ? 0 : (1 + prng.int(500)) / 100];
  for (let s = first; s <= last; s++) {
    const bids = Array.from({ length: 1 + prng.int(3) }, () => level(1));
    const asks = Array.from({ length: prng.int(3) }, () => level(-1));
    out.push({ sequence: s, timestamp: timeOf(s), bids, asks });
  }
  return out;
}

/** the book after every event up to and including `through` (sequence), best first */
export function bookThrough(events: readonly VenueEvent[], through: number): { bids: BookLevelTuple[]; asks: BookLevelTuple[] } {
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  for (const e of events) {
    if (e.sequence > through) break;
    for (const [p, a] of e.bids) a === 0 ? bids.delete(p) : bids.set(p, a);
    for (const [p, a] of e.asks) a === 0 ? asks.delete(p) : asks.set(p, a);
  }
  return { bids: [...bids].sort((x, y) => y[0] - x[0]), asks: [...asks].sort((x, y) => x[0] - y[0]) };
}

export interface NodeOptions {
  /** the node's book becomes consistent at this sequence (its own snapshot) */
  syncAt: number;
  /** the last event it records */
  until: number;
  /** events recorded as snapshots (a periodic snapshot due there) */
  snapshotsAt?: readonly number[];
  /** this node received every frame this much after the exchange time */
  latencyMs: number;
}

/** a node's linked records of the events, from its own snapshot on */
export function nodeRecords(events: readonly VenueEvent[], o: NodeOptions): LinkedBookRecord[] {
  const base = { type: 'book', exchange: 'binance', market: 'spot', symbol: SYMBOL } as const;
  const snapshot = (s: number): BookRecord => ({ ...base, kind: 'snapshot', timestamp: timeOf(s), localTimestamp: timeOf(s) + o.latencyMs, sequence: s, ...bookThrough(events, s) });
  const out: LinkedBookRecord[] = [{ record: snapshot(o.syncAt) }];
  for (const e of events) {
    if (e.sequence <= o.syncAt || e.sequence > o.until) continue;
    const record: BookRecord = o.snapshotsAt?.includes(e.sequence)
      ? snapshot(e.sequence)
      : { ...base, kind: 'update', timestamp: e.timestamp, localTimestamp: e.timestamp + o.latencyMs, sequence: e.sequence, bids: e.bids, asks: e.asks };
    out.push({ record, prev: e.sequence - 1 });
  }
  return out;
}

/** records in messages of `size`, each tagged with its last sequence (the order they would reach the stream in) */
export function messages(records: readonly LinkedBookRecord[], size: number): { last: number; records: LinkedBookRecord[] }[] {
  const out: { last: number; records: LinkedBookRecord[] }[] = [];
  for (let i = 0; i < records.length; i += size) {
    const slice = records.slice(i, i + size);
    out.push({ last: slice.at(-1)!.record.sequence ?? 0, records: slice });
  }
  return out;
}
