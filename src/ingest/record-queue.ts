/**
 * The pipeline's buffer: a FIFO of records that keeps trades as columns while they wait.
 *
 * Why columns: under a burst the buffer holds tens of thousands of records (up to highWaterMark)
 * for a few hundred ms, long enough for each record object to survive V8's young-generation
 * scavenges, be copied twice and be promoted to the old generation, which a full GC must then
 * clean (measured: ~0.3–0.4 s of GC helper-thread CPU per 300k-trade burst, over a third of the
 * collector's GC). A trade with a canonical integer id (Binance, OKX; most venues) is written
 * into typed arrays at push, so its object dies young; `take` builds fresh records for the batch,
 * which live only while it commits. Other records (tickers, string ids) wait as the objects they
 * are, in order with the rest. A rebuilt trade equals the pushed one field for field (the id is
 * the same string: idPart turns only ids that print back to themselves into numbers).
 */
import type { ExchangeId, Market, MarketRecord, Trade } from '../records.js';
import { idPart } from '../store/keys.js';
import type { TradeRows } from '../store/types.js';
import { TakenBatch } from './taken-batch.js';

/** rows per segment: 4096 × ~60 bytes; big enough that a batch spans few, small enough to recycle */
const SEGMENT_ROWS = 4096;
/**
 * spare segments kept for reuse: under pressure the buffer swings between low and high water
 * (25k–50k records by default, ~6 segments), and with 2 spares new ones were still allocated on
 * every swing (~20 ms per 300k burst); 6 keep at most ~1.6 MB idle
 */
const POOL_SIZE = 6;
const TRADE_ROW = 0;
const OBJECT_ROW = 1;

/**
 * A trade the columns give back exactly: admission lets only such trades through, but a record of
 * another shape (a caller bypassing validation) waits as the object it is rather than being
 * coerced by a typed array or thrown on
 */
function columnable(t: Trade): boolean {
  return typeof t.id === 'string' && typeof t.price === 'number' && typeof t.amount === 'number' &&
    typeof t.timestamp === 'number' && typeof t.localTimestamp === 'number' && (t.side === 'buy' || t.side === 'sell');
}

class Segment {
  readonly kinds: Uint8Array;
  readonly timestamps: Float64Array;
  readonly localTimestamps: Float64Array;
  readonly prices: Float64Array;
  readonly amounts: Float64Array;
  readonly ids: Float64Array;
  /** 1: sell */
  readonly sells: Uint8Array;
  /**
   * a trade row's exchange, market and symbol at 3·row, +1, +2 (strings the records share, so
   * nothing new is kept alive); an object row's record at 3·row
   */
  readonly refs: (string | MarketRecord | undefined)[];
  /** first row not taken yet */
  start = 0;
  /** rows written */
  end = 0;

  constructor(readonly capacity: number) {
    this.kinds = new Uint8Array(capacity);
    this.timestamps = new Float64Array(capacity);
    this.localTimestamps = new Float64Array(capacity);
    this.prices = new Float64Array(capacity);
    this.amounts = new Float64Array(capacity);
    this.ids = new Float64Array(capacity);
    this.sells = new Uint8Array(capacity);
    this.refs = new Array<string | MarketRecord | undefined>(capacity * 3).fill(undefined);
  }

  write(r: MarketRecord): void {
    const row = this.end++;
    const part = r.type === 'trade' && columnable(r) ? idPart(r.id) : '';
    if (typeof part !== 'number') {
      this.kinds[row] = OBJECT_ROW;
      // a trade is kept as a copy: the one pushed may be lent (transport/trade-pool.ts)
      this.refs[row * 3] = r.type === 'trade' ? { ...r } : r;
      return;
    }
    const t = r as Trade;
    this.kinds[row] = TRADE_ROW;
    this.timestamps[row] = t.timestamp;
    this.localTimestamps[row] = t.localTimestamp;
    this.prices[row] = t.price;
    this.amounts[row] = t.amount;
    this.ids[row] = part;
    this.sells[row] = t.side === 'sell' ? 1 : 0;
    const k = row * 3;
    this.refs[k] = t.exchange;
    this.refs[k + 1] = t.market;
    this.refs[k + 2] = t.symbol;
  }

  /** the record at `row`, rebuilt from columns or handed back (and forgotten here) */
  read(row: number): MarketRecord {
    const k = row * 3;
    if (this.kinds[row] === OBJECT_ROW) {
      const r = this.refs[k] as MarketRecord;
      this.refs[k] = undefined; // a consumed segment is recycled: it must not keep the record alive
      return r;
    }
    // the parsers' property order, so rebuilt and parsed trades share one hidden class
    return {
      type: 'trade',
      exchange: this.refs[k] as ExchangeId,
      market: this.refs[k + 1] as Market,
      symbol: this.refs[k + 2] as string,
      id: String(this.ids[row]),
      price: this.prices[row] as number,
      amount: this.amounts[row] as number,
      side: this.sells[row] === 1 ? 'sell' : 'buy',
      timestamp: this.timestamps[row] as number,
      localTimestamp: this.localTimestamps[row] as number,
    };
  }

  reset(): void {
    this.start = 0;
    this.end = 0;
  }

  /** the oldest exchange time among the trades not taken yet (Infinity: none) */
  oldestTrade(): number {
    let oldest = Infinity;
    for (let row = this.start; row < this.end; row++) {
      if (this.kinds[row] === TRADE_ROW) {
        const t = this.timestamps[row] as number;
        if (t < oldest) oldest = t;
      } else {
        const r = this.refs[row * 3] as MarketRecord | undefined;
        if (r?.type === 'trade' && r.timestamp < oldest) oldest = r.timestamp;
      }
    }
    return oldest;
  }
}

export class RecordQueue {
  /** oldest first; only the last one is written to */
  private segments: Segment[] = [];
  private readonly pool: Segment[] = [];
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(chunk: readonly MarketRecord[]): void {
    let tail = this.segments[this.segments.length - 1];
    for (let i = 0; i < chunk.length; i++) {
      if (tail === undefined || tail.end === tail.capacity) {
        tail = this.pool.pop() ?? new Segment(SEGMENT_ROWS);
        this.segments.push(tail);
      }
      tail.write(chunk[i] as MarketRecord);
    }
    this.count += chunk.length;
  }

  /**
   * The oldest exchange time among the trades waiting here (Infinity: none). A scan of the buffer,
   * for a caller that asks about once a second (a cluster node's cursor flush), not per record.
   */
  oldestTradeTime(): number {
    let oldest = Infinity;
    for (const segment of this.segments) oldest = Math.min(oldest, segment.oldestTrade());
    return oldest;
  }

  /** puts a batch back in front (a failed write is retried first, order kept) */
  unshift(batch: readonly MarketRecord[]): void {
    if (batch.length === 0) return;
    const front = new Segment(batch.length);
    for (let i = 0; i < batch.length; i++) front.write(batch[i] as MarketRecord);
    this.segments.unshift(front);
    this.count += batch.length;
  }

  /**
   * The oldest `max` records (fewer when fewer are queued), oldest first: as columns when they are
   * all trades kept as columns, of one exchange and market (taken-batch.ts), else as records.
   */
  take(max: number): TakenBatch {
    const n = Math.min(max, this.count);
    const venue = n > 0 ? this.columnVenue(n) : undefined;
    return venue === undefined ? TakenBatch.ofRecords(this.takeRecords(max)) : TakenBatch.ofTrades(this.takeColumns(n, venue[0], venue[1]));
  }

  /** the exchange and market of the oldest `n` rows when every one is a trade row of that one venue */
  private columnVenue(n: number): [ExchangeId, Market] | undefined {
    const first = this.segments[0] as Segment;
    const exchange = first.refs[first.start * 3] as ExchangeId;
    const market = first.refs[first.start * 3 + 1] as Market;
    let left = n;
    for (const seg of this.segments) {
      const stop = Math.min(seg.end, seg.start + left);
      for (let row = seg.start; row < stop; row++) {
        if (seg.kinds[row] !== TRADE_ROW || seg.refs[row * 3] !== exchange || seg.refs[row * 3 + 1] !== market) return undefined;
      }
      left -= stop - seg.start;
      if (left === 0) break;
    }
    return [exchange, market];
  }

  /** the oldest `n` rows, all trade rows of one venue, copied out of the segments as columns */
  private takeColumns(n: number, exchange: ExchangeId, market: Market): TradeRows {
    const timestamps = new Float64Array(n);
    const localTimestamps = new Float64Array(n);
    const prices = new Float64Array(n);
    const amounts = new Float64Array(n);
    const ids = new Float64Array(n);
    const sides = new Uint8Array(n);
    const symbols = new Array<string>(n);
    let pos = 0;
    while (pos < n) {
      const seg = this.segments[0] as Segment;
      const start = seg.start;
      const stop = Math.min(seg.end, start + (n - pos));
      timestamps.set(seg.timestamps.subarray(start, stop), pos);
      localTimestamps.set(seg.localTimestamps.subarray(start, stop), pos);
      prices.set(seg.prices.subarray(start, stop), pos);
      amounts.set(seg.amounts.subarray(start, stop), pos);
      ids.set(seg.ids.subarray(start, stop), pos);
      sides.set(seg.sells.subarray(start, stop), pos);
      for (let row = start; row < stop; row++) symbols[pos + row - start] = seg.refs[row * 3 + 2] as string;
      pos += stop - start;
      seg.start = stop;
      if (seg.start === seg.end && (seg.end === seg.capacity || this.segments.length > 1)) this.release();
    }
    this.count -= n;
    return { exchange, market, symbols, columns: { length: n, timestamps, localTimestamps, ids: { kind: 'numeric', values: ids }, prices, amounts, sides } };
  }

  private takeRecords(max: number): MarketRecord[] {
    const out: MarketRecord[] = [];
    while (out.length < max && this.segments.length > 0) {
      const seg = this.segments[0] as Segment;
      if (seg.start === seg.end) break; // only the last segment can be empty: nothing is queued
      const stop = Math.min(seg.end, seg.start + (max - out.length));
      for (let row = seg.start; row < stop; row++) out.push(seg.read(row));
      seg.start = stop;
      // the last segment stays while it has room: the next push writes on
      if (seg.start === seg.end && (seg.end === seg.capacity || this.segments.length > 1)) this.release();
    }
    this.count -= out.length;
    return out;
  }

  /** drops everything queued */
  clear(): void {
    while (this.segments.length > 0) {
      const seg = this.segments[0] as Segment;
      for (let row = seg.start; row < seg.end; row++) if (seg.kinds[row] === OBJECT_ROW) seg.refs[row * 3] = undefined;
      seg.start = seg.end;
      this.release();
    }
    this.count = 0;
  }

  /** the head segment is consumed: recycle it */
  private release(): void {
    const seg = this.segments.shift() as Segment;
    seg.reset();
    if (seg.capacity === SEGMENT_ROWS && this.pool.length < POOL_SIZE) this.pool.push(seg);
  }
}
