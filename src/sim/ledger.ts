/**
 * The exchange's trade history per symbol, in generation order: what its REST endpoints serve
 * and what groundTruth() returns. Bounded per symbol (the venue's REST reach, at most the
 * simulator's ledger limit): oldest dropped first, so a long `npm start` stays small. A scripted
 * run's complete truth is the compact TruthLog (truth-log.ts) next to it.
 *
 * Kept in typed columns, not as objects per trade: at tens of thousands of trades a second the
 * objects of the last 10,000 trades per symbol were all promoted and then died, and the garbage
 * collector's work on them stalled the simulator for 80–130 ms at a time: late "exchange"
 * timestamps, counted against every client (docs/architecture.md#simulator-pauses). Entries are
 * made on demand, for a REST answer or a frame.
 */
import type { ExchangeId, Market, Trade } from '../records.js';

export interface LedgerEntry {
  /** dense per-symbol index, 0-based, never reused */
  readonly seq: number;
  /** the venue's monotone ordering key: Binance/OKX id, Upbit sequential_id, Bybit = seq */
  readonly ord: number;
  /** the normalized trade, exactly as an adapter should produce it (localTimestamp 0) */
  readonly trade: Trade;
  /** venue extra: Binance futures first fill id (`f`) */
  readonly aux: number;
  /** venue extra: fills in this trade (Binance aggTrade l - f + 1, OKX `count`) */
  readonly fills: number;
}

/** the first capacity a symbol's columns get; doubled as it fills, up to its limit */
const FIRST_CAPACITY = 256;

/** One symbol's trades, ascending by seq, ord and timestamp. */
export class SymbolLedger {
  // a ring of typed columns, row i of the ledger at (start + i) % capacity: no object per trade,
  // no array that grows or is compacted in the collector's sight
  private capacity = 0;
  private start = 0;
  private count = 0;
  private seqs = new Float64Array(0);
  private ords = new Float64Array(0);
  private auxs = new Float64Array(0);
  private fillCounts = new Float64Array(0);
  private prices = new Float64Array(0);
  private amounts = new Float64Array(0);
  private timestamps = new Float64Array(0);
  /** 1 buy, 0 sell */
  private buys = new Uint8Array(0);
  /** the id as a number where the id is that number's decimal (no string kept), else NaN */
  private idNumbers = new Float64Array(0);
  /** the id where idNumbers has NaN (Upbit's 17 digits, Bybit's UUIDs) */
  private idTexts: (string | undefined)[] = [];
  private exchange: ExchangeId | undefined;
  private market: Market | undefined;
  private symbol = '';

  private readonly limit: number;

  constructor(limit: number) {
    this.limit = Math.floor(limit);
  }

  push(entry: LedgerEntry): void {
    if (this.limit < 1) return;
    const t = entry.trade;
    if (this.exchange === undefined) {
      this.exchange = t.exchange;
      this.market = t.market;
      this.symbol = t.symbol;
    }
    if (this.count === this.capacity && this.capacity < this.limit) this.grow();
    let at: number;
    if (this.count < this.capacity) {
      at = this.physical(this.count);
      this.count++;
    } else {
      // full at its limit: the oldest row goes
      at = this.start;
      this.start = this.physical(1);
    }
    this.seqs[at] = entry.seq;
    this.ords[at] = entry.ord;
    this.auxs[at] = entry.aux;
    this.fillCounts[at] = entry.fills;
    this.prices[at] = t.price;
    this.amounts[at] = t.amount;
    this.timestamps[at] = t.timestamp;
    this.buys[at] = t.side === 'buy' ? 1 : 0;
    const n = Number(t.id);
    const compact = Number.isSafeInteger(n) && String(n) === t.id;
    this.idNumbers[at] = compact ? n : Number.NaN;
    this.idTexts[at] = compact ? undefined : t.id;
  }

  get size(): number {
    return this.count;
  }

  all(): LedgerEntry[] {
    return this.range(0, this.count);
  }

  last(n: number): LedgerEntry[] {
    return this.range(this.count - n, this.count);
  }

  lastEntry(): LedgerEntry | undefined {
    return this.count > 0 ? this.entry(this.count - 1) : undefined;
  }

  /** entries with ord >= from, ascending, at most limit */
  fromOrd(from: number, limit: number): LedgerEntry[] {
    const i = this.lowerBound(this.ords, from, false);
    return this.range(i, i + limit);
  }

  /** entries with ord < before, the newest `limit` of them, ascending */
  beforeOrd(before: number, limit: number): LedgerEntry[] {
    const end = this.lowerBound(this.ords, before, false);
    return this.range(end - limit, end);
  }

  /** entries with timestamp < before, the newest `limit` of them, ascending */
  beforeTime(before: number, limit: number): LedgerEntry[] {
    const end = this.lowerBound(this.timestamps, before, false);
    return this.range(end - limit, end);
  }

  /** entries with timestamp > after, the oldest `limit` of them, ascending */
  afterTime(after: number, limit: number): LedgerEntry[] {
    const i = this.lowerBound(this.timestamps, after, true);
    return this.range(i, i + limit);
  }

  /** entries with from <= timestamp <= to, ascending, at most limit */
  timeRange(from: number, to: number, limit: number): LedgerEntry[] {
    const i = this.lowerBound(this.timestamps, from, false);
    let end = i;
    while (end < this.count && end - i < limit && (this.timestamps[this.physical(end)] as number) <= to) end++;
    return this.range(i, end);
  }

  /** where row i (0: the oldest kept) is in the columns */
  private physical(i: number): number {
    const at = this.start + i;
    return at >= this.capacity ? at - this.capacity : at;
  }

  /** entries of rows [from, to), clipped to the rows kept */
  private range(from: number, to: number): LedgerEntry[] {
    const out: LedgerEntry[] = [];
    for (let i = Math.max(from, 0), end = Math.min(to, this.count); i < end; i++) out.push(this.entry(i));
    return out;
  }

  private entry(i: number): LedgerEntry {
    const at = this.physical(i);
    const idNumber = this.idNumbers[at] as number;
    const trade: Trade = {
      type: 'trade',
      exchange: this.exchange as ExchangeId,
      market: this.market as Market,
      symbol: this.symbol,
      id: Number.isNaN(idNumber) ? (this.idTexts[at] as string) : String(idNumber),
      price: this.prices[at] as number,
      amount: this.amounts[at] as number,
      side: this.buys[at] === 1 ? 'buy' : 'sell',
      timestamp: this.timestamps[at] as number,
      localTimestamp: 0,
    };
    return { seq: this.seqs[at] as number, ord: this.ords[at] as number, trade, aux: this.auxs[at] as number, fills: this.fillCounts[at] as number };
  }

  /** first row whose value in `column` is >= key (after: > key); the column is ascending by row */
  private lowerBound(column: Float64Array, key: number, after: boolean): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = column[this.physical(mid)] as number;
      if (after ? v > key : v >= key) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** twice the room (at most the limit), the rows moved to the start in order */
  private grow(): void {
    const capacity = Math.min(this.limit, Math.max(FIRST_CAPACITY, this.capacity * 2));
    const move = <T, A extends { [row: number]: T }>(old: A, made: A): A => {
      for (let i = 0; i < this.count; i++) made[i] = old[this.physical(i)] as T;
      return made;
    };
    this.seqs = move(this.seqs, new Float64Array(capacity));
    this.ords = move(this.ords, new Float64Array(capacity));
    this.auxs = move(this.auxs, new Float64Array(capacity));
    this.fillCounts = move(this.fillCounts, new Float64Array(capacity));
    this.prices = move(this.prices, new Float64Array(capacity));
    this.amounts = move(this.amounts, new Float64Array(capacity));
    this.timestamps = move(this.timestamps, new Float64Array(capacity));
    this.buys = move(this.buys, new Uint8Array(capacity));
    this.idNumbers = move(this.idNumbers, new Float64Array(capacity));
    this.idTexts = move(this.idTexts, new Array<string | undefined>(capacity).fill(undefined));
    this.start = 0;
    this.capacity = capacity;
  }
}
