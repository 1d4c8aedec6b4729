/** What the block writer and reader need to know of a kind of row (trades, tickers), and no more. */
import type { Key } from 'lmdb';
import type { ColumnMemory } from './column-memory.js';

/** A growable run of rows, for the writer's tail memo (block-store.ts TailMemo). */
export interface RowBuffer<C> {
  readonly length: number;
  /** the memory it holds, allocated rows included */
  readonly bytes: number;
  /** appends a copy of the rows; false (nothing appended) when the buffer cannot hold their kind */
  append(rows: C): boolean;
  /** rows [start, end) as columns, valid until the next append or keepFrom (and, for trades, the next view of any buffer: trade-buffer.ts) */
  view(start: number, end: number): C;
  /** drops the rows before `start` */
  keepFrom(start: number): void;
}

export interface RowKind<C extends { readonly length: number }> {
  readonly name: 'trade' | 'ticker';
  encode(columns: C): Uint8Array;
  /** any codec the store has written (dispatch on the block's codec id); `memory`: column-memory.ts */
  decode(bytes: Uint8Array, memory?: ColumnMemory): C;
  slice(columns: C, start: number, end: number): C;
  concat(parts: readonly C[]): C;
  /** rows in the order given */
  gather(columns: C, order: ArrayLike<number>): C;
  /** store order of row i of a against row j of b; 0 only for rows the order cannot tell apart */
  compare(a: C, i: number, b: C, j: number): number;
  /** the block key's elements after the symbol, from the block's first row (tickers: seq comes after) */
  keySuffix(columns: C, row: number): Key[];
  /** a new empty row buffer; absent: the writer keeps no memo of this kind's tails */
  buffer?: () => RowBuffer<C>;
}

/** a stable merge of two runs each already in store order; on a tie `a`'s row comes first */
export function mergeRows<C extends { readonly length: number }>(kind: RowKind<C>, a: C, b: C): C {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  // the common backfill shape: the new rows all sort after (or before) the block's
  if (kind.compare(a, a.length - 1, b, 0) <= 0) return kind.concat([a, b]);
  if (kind.compare(b, b.length - 1, a, 0) < 0) return kind.concat([b, a]);
  const both = kind.concat([a, b]);
  const order = new Uint32Array(both.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) order[k++] = kind.compare(a, i, b, j) <= 0 ? i++ : a.length + j++;
  while (i < a.length) order[k++] = i++;
  while (j < b.length) order[k++] = a.length + j++;
  return kind.gather(both, order);
}

/** rows put in store order (stable); returns the input when already ordered, the common case */
export function sortRows<C extends { readonly length: number }>(kind: RowKind<C>, c: C): C {
  let sorted = true;
  for (let i = 1; i < c.length && sorted; i++) if (kind.compare(c, i - 1, c, i) > 0) sorted = false;
  if (sorted) return c;
  const order = Array.from({ length: c.length }, (_, i) => i);
  order.sort((x, y) => kind.compare(c, x, c, y) || x - y);
  return kind.gather(c, order);
}
