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

const MIN_CAPACITY = 64;

export class WindowRows {
  length = 0;
  private timestamps = new Float64Array(MIN_CAPACITY);
  private localTimestamps = new Float64Array(MIN_CAPACITY);
  private prices = new Float64Array(MIN_CAPACITY);
  private amounts = new Float64Array(MIN_CAPACITY);
  private sides = new Uint8Array(MIN_CAPACITY);
  private numericIds = new Float64Array(MIN_CAPACITY);
  /** every id as the store keys it, once a text id has come (until then only numericIds) */
  private parts: (number | string)[] | undefined;

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
    if (this.inStrictOrder()) {
      return {
        length: n,
        timestamps: this.timestamps.slice(0, n),
        localTimestamps: this.localTimestamps.slice(0, n),
        ids: this.parts === undefined ? { kind: 'numeric', values: this.numericIds.slice(0, n) } : { kind: 'string', values: this.parts.map(idText) },
        prices: this.prices.slice(0, n),
        amounts: this.amounts.slice(0, n),
        sides: this.sides.slice(0, n),
      };
    }
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.compare(a, b));
    let kept = 0;
    for (let k = 0; k < n; k++) {
      const i = order[k] as number;
      if (kept > 0 && this.compare(order[kept - 1] as number, i) === 0) continue;
      order[kept++] = i;
    }
    const pick = <A extends Float64Array | Uint8Array>(from: A, to: A): A => {
      for (let k = 0; k < kept; k++) to[k] = from[order[k] as number] as number;
      return to;
    };
    return {
      length: kept,
      timestamps: pick(this.timestamps, new Float64Array(kept)),
      localTimestamps: pick(this.localTimestamps, new Float64Array(kept)),
      ids:
        this.parts === undefined
          ? { kind: 'numeric', values: pick(this.numericIds, new Float64Array(kept)) }
          : { kind: 'string', values: Array.from({ length: kept }, (_, k) => idText((this.parts as (number | string)[])[order[k] as number] as number | string)) },
      prices: pick(this.prices, new Float64Array(kept)),
      amounts: pick(this.amounts, new Float64Array(kept)),
      sides: pick(this.sides, new Uint8Array(kept)),
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
      const capacity = at * 2;
      const grow = <A extends Float64Array | Uint8Array>(old: A, made: A): A => (made.set(old), made);
      this.timestamps = grow(this.timestamps, new Float64Array(capacity));
      this.localTimestamps = grow(this.localTimestamps, new Float64Array(capacity));
      this.prices = grow(this.prices, new Float64Array(capacity));
      this.amounts = grow(this.amounts, new Float64Array(capacity));
      this.sides = grow(this.sides, new Uint8Array(capacity));
      this.numericIds = grow(this.numericIds, new Float64Array(capacity));
    }
    return at;
  }
}

const idText = (id: number | string): string => (typeof id === 'number' ? numericIdText(id) : id);
