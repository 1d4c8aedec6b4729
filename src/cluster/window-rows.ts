/**
 * The trades of one open publishing window (window-batcher.ts), kept as columns while the window
 * fills: a committed batch's rows are copied in as numbers, so no record object is made per trade
 * on a node's way from the store to the stream (docs/cluster.md#data).
 *
 * Ids are kept as the store keys them (keys.ts idPart: a number for a canonical integer of up to
 * 15 digits, else the text), so the window sorts as the store orders rows and its block encodes as
 * the store's would.
 */
import type { Trade } from '../records.js';
import type { TradeColumns, TradeIdColumn } from '../store/blocks/columns.js';
import { numericIdText } from '../store/blocks/numeric-id-text.js';
import { compareIdParts, idPart } from '../store/keys.js';

/** rows a new window has room for: many symbols trade a few times a window (41 bytes a row) */
const MIN_CAPACITY = 16;

export class WindowRows {
  length = 0;
  // the six columns are views of one ArrayBuffer: one backing store for the GC to track, not six
  private timestamps!: Float64Array;
  private localTimestamps!: Float64Array;
  private prices!: Float64Array;
  private amounts!: Float64Array;
  private numericIds!: Float64Array;
  private sides!: Uint8Array;
  /** every id as the store keys it, once a text id has come (until then only numericIds) */
  private parts: (number | string)[] | undefined;

  constructor() {
    this.allocate(MIN_CAPACITY);
  }

  /** row `i` of a batch's columns */
  pushRow(c: TradeColumns, i: number): void {
    const at = this.reserve();
    this.timestamps[at] = c.timestamps[i] as number;
    this.localTimestamps[at] = c.localTimestamps[i] as number;
    this.prices[at] = c.prices[i] as number;
    this.amounts[at] = c.amounts[i] as number;
    this.sides[at] = c.sides[i] as number;
    this.pushId(at, c.ids.kind === 'numeric' ? (c.ids.values[i] as number) : idPart(c.ids.values[i] as string));
  }

  pushTrade(t: Trade): void {
    const at = this.reserve();
    this.timestamps[at] = t.timestamp;
    this.localTimestamps[at] = t.localTimestamp;
    this.prices[at] = t.price;
    this.amounts[at] = t.amount;
    this.sides[at] = t.side === 'sell' ? 1 : 0;
    this.pushId(at, idPart(t.id));
  }

  /**
   * The rows in (timestamp, id) order with repeats dropped (a trade handed over twice, as a socket
   * rotation's overlap does, would make this node's batch differ from another's): arrival order
   * differs between nodes, the batch (and so its message id) must not. Rows that came in order
   * already (a live stream's usually do) are copied out as they are. The columns handed out are
   * the caller's: this buffer may be reset and filled again (window-batcher.ts keeps a few).
   */
  sorted(): TradeColumns {
    const n = this.length;
    let order: number[] | undefined;
    let kept = n;
    if (!this.inStrictOrder()) {
      order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.compare(a, b));
      kept = 0;
      for (let k = 0; k < n; k++) {
        const i = order[k] as number;
        if (kept > 0 && this.compare(order[kept - 1] as number, i) === 0) continue;
        order[kept++] = i;
      }
    }
    // one ArrayBuffer for the window's columns, as for the rows (see the fields)
    const out = columnViews(kept);
    const copy = <A extends Float64Array | Uint8Array>(from: A, to: A): A => {
      if (order === undefined) to.set(from.subarray(0, kept));
      else for (let j = 0; j < kept; j++) to[j] = from[order[j] as number] as number;
      return to;
    };
    const parts = this.parts;
    return {
      length: kept,
      timestamps: copy(this.timestamps, out.timestamps),
      localTimestamps: copy(this.localTimestamps, out.localTimestamps),
      ids:
        parts === undefined
          ? { kind: 'numeric', values: copy(this.numericIds, out.numericIds) }
          : { kind: 'string', values: Array.from({ length: kept }, (_, j) => idText(parts[order === undefined ? j : (order[j] as number)] as number | string)) },
      prices: copy(this.prices, out.prices),
      amounts: copy(this.amounts, out.amounts),
      sides: copy(this.sides, out.sides),
    };
  }

  /** rows allocated for */
  get capacity(): number {
    return this.timestamps.length;
  }

  /** empty again, its memory kept for the next window */
  reset(): void {
    this.length = 0;
    this.parts = undefined;
  }

  /** each row after the one before it: timestamps not falling, ids rising within one */
  private inStrictOrder(): boolean {
    if (this.parts !== undefined) {
      for (let i = 1; i < this.length; i++) if (this.compare(i - 1, i) >= 0) return false;
      return true;
    }
    const ts = this.timestamps;
    const ids = this.numericIds;
    for (let i = 1; i < this.length; i++) {
      const t0 = ts[i - 1] as number;
      const t1 = ts[i] as number;
      if (t1 < t0 || (t1 === t0 && (ids[i] as number) <= (ids[i - 1] as number))) return false;
    }
    return true;
  }

  private compare(a: number, b: number): number {
    const byTime = (this.timestamps[a] as number) - (this.timestamps[b] as number);
    if (byTime !== 0) return byTime;
    if (this.parts === undefined) return (this.numericIds[a] as number) - (this.numericIds[b] as number);
    return compareIdParts(this.parts[a] as number | string, this.parts[b] as number | string);
  }

  private pushId(at: number, id: number | string): void {
    if (this.parts === undefined && typeof id === 'number') {
      this.numericIds[at] = id;
      return;
    }
    this.parts ??= Array.from(this.numericIds.subarray(0, at));
    this.parts.push(id);
  }

  /** the index of a new row, room made for it */
  private reserve(): number {
    const at = this.length++;
    if (at === this.timestamps.length) {
      const { timestamps, localTimestamps, prices, amounts, numericIds, sides } = this;
      this.allocate(at * 2);
      this.timestamps.set(timestamps);
      this.localTimestamps.set(localTimestamps);
      this.prices.set(prices);
      this.amounts.set(amounts);
      this.numericIds.set(numericIds);
      this.sides.set(sides);
    }
    return at;
  }

  private allocate(capacity: number): void {
    const v = columnViews(capacity);
    this.timestamps = v.timestamps;
    this.localTimestamps = v.localTimestamps;
    this.prices = v.prices;
    this.amounts = v.amounts;
    this.numericIds = v.numericIds;
    this.sides = v.sides;
  }
}

/** six columns of `rows` rows as views of one ArrayBuffer (41 bytes a row) */
function columnViews(rows: number) {
  const buffer = new ArrayBuffer(rows * 41);
  const f64 = (k: number) => new Float64Array(buffer, k * rows * 8, rows);
  return { timestamps: f64(0), localTimestamps: f64(1), prices: f64(2), amounts: f64(3), numericIds: f64(4), sides: new Uint8Array(buffer, 5 * rows * 8, rows) };
}

const idText = (id: number | string): string => (typeof id === 'number' ? numericIdText(id) : id);
