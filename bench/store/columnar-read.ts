/**
 * The columnar read as the block store will expose it (`readTradeColumns`, types from
 * src/store/blocks/columns.ts), timed. Written against this narrow shape and used only when a
 * store has it, so the bench runs on stores with and without one; sync or async iterables alike.
 */
import type { RangeQuery } from '../../src/store/index.js';
import type { TradeColumns } from '../../src/store/blocks/columns.js';

export interface ColumnarReader {
  /** `options.reuse`: a block is valid until the next one is taken (a store without it ignores it) */
  readTradeColumns(query: RangeQuery, options?: { reuse?: boolean }): Iterable<TradeColumns> | AsyncIterable<TradeColumns>;
}

export const hasColumnarRead = (store: object): store is ColumnarReader =>
  typeof (store as Partial<ColumnarReader>).readTradeColumns === 'function';

/** amounts as whole 0.00001 lots: a sum that is exact, to check a read against what was written */
export const lotsOf = (amount: number): number => Math.round(amount * 100_000);

export interface ColumnarScan {
  rows: number;
  blocks: number;
  /** sum of lotsOf(amount) over every row: touches a column, so the read cannot be skipped lazily */
  lots: number;
  ms: number;
}

/**
 * `reuse`: ask for every block in the same memory. The scan is done with a block before it takes
 * the next, as DuckDB's scan reuses its vectors; without it each block is new memory to fault in.
 */
export async function scanColumns(reader: ColumnarReader, query: RangeQuery, reuse = false): Promise<ColumnarScan> {
  let rows = 0;
  let blocks = 0;
  let lots = 0;
  const take = (c: TradeColumns) => {
    blocks++;
    rows += c.length;
    const amounts = c.amounts;
    for (let i = 0; i < c.length; i++) lots += lotsOf(amounts[i]!);
  };
  const t0 = performance.now();
  const it = reuse ? reader.readTradeColumns(query, { reuse: true }) : reader.readTradeColumns(query);
  if (Symbol.iterator in it) for (const c of it) take(c);
  else for await (const c of it) take(c);
  return { rows, blocks, lots, ms: performance.now() - t0 };
}
