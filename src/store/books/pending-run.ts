/**
 * One symbol's book records as columns: what the sink holds until a commit (sink.ts), what a block
 * is encoded from and decoded into (block-codec.ts). Columns and not record objects because the
 * sink holds records for a flush interval or more: objects (a record and a pair per level) lived
 * long enough to be promoted out of V8's young generation and were then traced and collected by
 * the old generation's GC, which cost more than storing them. Typed arrays hold no pointers: the
 * record objects die young, copied here as they arrive.
 */
import type { BookLevelTuple, BookRecord, ExchangeId, Market } from '../../records.js';
import { KIND_CODE, type BookKind } from './codec.js';

export const KIND_NAMES: readonly BookKind[] = ['snapshot', 'update', 'resync'];

/** columns larger than this are given back once empty (shrinkIfIdle) */
const IDLE_LEVELS = 1 << 16;
const IDLE_RECORDS = 1 << 12;

/** a run of one symbol's records, column by column; record i's levels are [levelStart[i], levelStart[i+1]) */
export interface BookColumns {
  count: number;
  /** KIND_CODE of each record */
  kinds: Uint8Array;
  timestamps: Float64Array;
  localTimestamps: Float64Array;
  /** NaN where the record has none (a stored sequence is finite) */
  sequences: Float64Array;
  bidCounts: Uint32Array;
  askCounts: Uint32Array;
  levelStart: Uint32Array;
  /** each record's bids then asks */
  prices: Float64Array;
  amounts: Float64Array;
  /** undefined where the record has none */
  reasons: (string | undefined)[];
}

function copied<T extends Float64Array | Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** a finite number (NaN, ±Infinity and non-numbers are not) */
function finite(v: unknown): v is number {
  return typeof v === 'number' && v - v === 0;
}

export class PendingRun implements BookColumns {
  count = 0;
  kinds = new Uint8Array(8);
  timestamps = new Float64Array(8);
  localTimestamps = new Float64Array(8);
  sequences = new Float64Array(8);
  bidCounts = new Uint32Array(8);
  askCounts = new Uint32Array(8);
  levelStart = new Uint32Array(9);
  prices = new Float64Array(64);
  amounts = new Float64Array(64);
  reasons: (string | undefined)[] = [];
  /** records + levels: what the sink's bound counts */
  weight = 0;

  constructor(
    readonly exchange: ExchangeId,
    readonly market: Market,
    readonly symbol: string,
    /** exchange, market, symbol as one string (shed.ts bookSymbolId) */
    readonly id: string,
  ) {}

  get levels(): number {
    return this.levelStart[this.count]!;
  }

  /**
   * Appends `r` (of this run's symbol); false, and nothing appended, when a number of it could not
   * be stored (not finite) or its kind is unknown. The levels are checked while copied: one pass.
   */
  push(r: BookRecord): boolean {
    const kind: unknown = KIND_CODE[r.kind];
    const sequence = r.sequence;
    if (typeof kind !== 'number' || !finite(r.timestamp) || !finite(r.localTimestamp) || (sequence !== undefined && !finite(sequence))) return false;
    if (r.reason !== undefined && typeof r.reason !== 'string') return false;
    const bids = r.bids;
    const asks = r.asks;
    if (!Array.isArray(bids) || !Array.isArray(asks)) return false;
    const i = this.count;
    const at = this.levelStart[i]!;
    const n = bids.length + asks.length;
    this.reserve(i + 1, at + n);
    const afterBids = this.copyLevels(bids, at);
    const j = afterBids < 0 ? -1 : this.copyLevels(asks, afterBids);
    if (j < 0) return false;
    this.kinds[i] = kind;
    this.timestamps[i] = r.timestamp;
    this.localTimestamps[i] = r.localTimestamp;
    this.sequences[i] = sequence === undefined ? NaN : sequence;
    this.bidCounts[i] = bids.length;
    this.askCounts[i] = asks.length;
    this.levelStart[i + 1] = j;
    this.reasons[i] = r.reason;
    this.count = i + 1;
    this.weight += 1 + n;
    return true;
  }

  /**
   * Copies one side's levels into the level columns from index `at` (room already reserved);
   * the index after the last, or -1 at the first level that is no pair of finite numbers.
   */
  private copyLevels(levels: readonly BookLevelTuple[], at: number): number {
    const prices = this.prices;
    const amounts = this.amounts;
    let j = at;
    for (let k = 0; k < levels.length; k++) {
      const l = levels[k] as BookLevelTuple | null | undefined;
      if (l === null || l === undefined) return -1;
      const p = l[0];
      const a = l[1];
      if (!finite(p) || !finite(a)) return -1;
      prices[j] = p;
      amounts[j++] = a;
    }
    return j;
  }

  /** appends record `i` of `from` (another run's columns, or this run's own at an index ≥ count) */
  copyFrom(from: BookColumns, i: number): void {
    const c = this.count;
    const start = from.levelStart[i]!;
    const n = from.levelStart[i + 1]! - start;
    const at = this.levelStart[c]!;
    this.reserve(c + 1, at + n);
    this.prices.set(from.prices.subarray(start, start + n), at);
    this.amounts.set(from.amounts.subarray(start, start + n), at);
    this.kinds[c] = from.kinds[i]!;
    this.timestamps[c] = from.timestamps[i]!;
    this.localTimestamps[c] = from.localTimestamps[i]!;
    this.sequences[c] = from.sequences[i]!;
    this.bidCounts[c] = from.bidCounts[i]!;
    this.askCounts[c] = from.askCounts[i]!;
    this.levelStart[c + 1] = at + n;
    this.reasons[c] = from.reasons[i];
    this.count = c + 1;
    this.weight += 1 + n;
  }

  /** appends a resync with no levels */
  pushResync(timestamp: number, localTimestamp: number, reason: string): void {
    const c = this.count;
    const at = this.levelStart[c]!;
    this.reserve(c + 1, at);
    this.kinds[c] = KIND_CODE.resync;
    this.timestamps[c] = timestamp;
    this.localTimestamps[c] = localTimestamp;
    this.sequences[c] = NaN;
    this.bidCounts[c] = 0;
    this.askCounts[c] = 0;
    this.levelStart[c + 1] = at;
    this.reasons[c] = reason;
    this.count = c + 1;
    this.weight += 1;
  }

  /** drops the first `k` records (committed), keeping the rest in order */
  dropFront(k: number): void {
    if (k <= 0) return;
    const c = this.count;
    const cut = this.levelStart[k]!;
    const levels = this.levelStart[c]!;
    this.prices.copyWithin(0, cut, levels);
    this.amounts.copyWithin(0, cut, levels);
    this.kinds.copyWithin(0, k, c);
    this.timestamps.copyWithin(0, k, c);
    this.localTimestamps.copyWithin(0, k, c);
    this.sequences.copyWithin(0, k, c);
    this.bidCounts.copyWithin(0, k, c);
    this.askCounts.copyWithin(0, k, c);
    for (let i = k; i <= c; i++) this.levelStart[i - k] = this.levelStart[i]! - cut;
    this.reasons.splice(0, k);
    this.count = c - k;
    this.weight -= k + cut;
  }

  /** takes `other`'s records in place of this run's own (shedding rebuilds a run) */
  adopt(other: PendingRun): void {
    this.count = other.count;
    this.kinds = other.kinds;
    this.timestamps = other.timestamps;
    this.localTimestamps = other.localTimestamps;
    this.sequences = other.sequences;
    this.bidCounts = other.bidCounts;
    this.askCounts = other.askCounts;
    this.levelStart = other.levelStart;
    this.prices = other.prices;
    this.amounts = other.amounts;
    this.reasons = other.reasons;
    this.weight = other.weight;
  }

  /** drops every record */
  clear(): void {
    this.count = 0;
    this.weight = 0;
    this.levelStart[0] = 0;
    this.reasons.length = 0;
  }

  /**
   * Empty and grown large (a backlog while the disk was failing): back to small columns, so memory
   * held between commits is what a symbol's usual commit needs, not its largest backlog ever.
   */
  shrinkIfIdle(): void {
    if (this.count !== 0 || (this.prices.length <= IDLE_LEVELS && this.kinds.length <= IDLE_RECORDS)) return;
    this.kinds = new Uint8Array(8);
    this.timestamps = new Float64Array(8);
    this.localTimestamps = new Float64Array(8);
    this.sequences = new Float64Array(8);
    this.bidCounts = new Uint32Array(8);
    this.askCounts = new Uint32Array(8);
    this.levelStart = new Uint32Array(9);
    this.prices = new Float64Array(64);
    this.amounts = new Float64Array(64);
    this.reasons = [];
  }

  /** record `i` as a BookRecord (tests, and shedding's rare rebuilds read columns instead) */
  record(i: number): BookRecord {
    return columnRecord(this, i, this);
  }

  /** room for `records` records and `levels` levels; the record columns share one capacity */
  private reserve(records: number, levels: number): void {
    if (records > this.kinds.length) this.growRecords(Math.max(records, this.kinds.length * 2));
    if (levels > this.prices.length) {
      const n = Math.max(levels, this.prices.length * 2);
      this.prices = copied(this.prices, new Float64Array(n));
      this.amounts = copied(this.amounts, new Float64Array(n));
    }
  }

  private growRecords(n: number): void {
    this.kinds = copied(this.kinds, new Uint8Array(n));
    this.timestamps = copied(this.timestamps, new Float64Array(n));
    this.localTimestamps = copied(this.localTimestamps, new Float64Array(n));
    this.sequences = copied(this.sequences, new Float64Array(n));
    this.bidCounts = copied(this.bidCounts, new Uint32Array(n));
    this.askCounts = copied(this.askCounts, new Uint32Array(n));
    this.levelStart = copied(this.levelStart, new Uint32Array(n + 1));
  }
}

/** record `i` of a run's columns, with the symbol it belongs to */
export function columnRecord(c: BookColumns, i: number, id: { exchange: ExchangeId; market: Market; symbol: string }): BookRecord {
  const start = c.levelStart[i]!;
  const nb = c.bidCounts[i]!;
  const na = c.askCounts[i]!;
  const bids: BookLevelTuple[] = new Array<BookLevelTuple>(nb);
  const asks: BookLevelTuple[] = new Array<BookLevelTuple>(na);
  for (let j = 0; j < nb; j++) bids[j] = [c.prices[start + j]!, c.amounts[start + j]!];
  for (let j = 0; j < na; j++) asks[j] = [c.prices[start + nb + j]!, c.amounts[start + nb + j]!];
  const head = { type: 'book', exchange: id.exchange, market: id.market, symbol: id.symbol, kind: KIND_NAMES[c.kinds[i]!]!, timestamp: c.timestamps[i]!, localTimestamp: c.localTimestamps[i]! } as const;
  const sequence = c.sequences[i]!;
  const out: BookRecord = Number.isNaN(sequence) ? { ...head, bids, asks } : { ...head, sequence, bids, asks };
  const reason = c.reasons[i];
  if (reason !== undefined) out.reason = reason;
  return out;
}
