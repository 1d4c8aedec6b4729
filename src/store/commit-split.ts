/**
 * A batch of trade rows over many symbols, cut into commits of at most MAX_SYMBOLS_PER_COMMIT
 * symbols each, in key order.
 *
 * Why: a commit copies every B-tree page it changes, and LMDB keeps the old copies until no
 * snapshot can need them, so the file holds the store plus about two commits' worth of changed
 * pages, and the process keeps every one of them mapped (resident) and LMDB's buffers for the
 * largest commit malloc'ed. A batch that touches every symbol (5,000 symbols that trade at the same
 * instant: a market-wide move, or the bench's scale run) changes every leaf of the cursor and
 * block trees at once: ~1,200 pages, 5 MB, held three times over. Cut into commits of a few hundred
 * symbols, each changes a tenth of them, and the pages the last freed are reused by the next: at
 * 5,000 symbols data.mdb held 7 MB after 10 s instead of 12 (docs/architecture.md#memory).
 *
 * A symbol's rows never straddle two commits (its blocks and its cursor stay in one transaction).
 * A batch cut this way is no longer all or nothing: if a later commit fails, the earlier ones
 * stand, and the retry of the whole batch finds their trades stored (the id guard counts them as
 * duplicates and stores them once, id-guard.ts).
 */
import { gatherTrades } from './blocks/trade-rows.js';
import type { TradeRows } from './types.js';

export const MAX_SYMBOLS_PER_COMMIT = 500;

export function splitBySymbols(rows: TradeRows, maxSymbols = MAX_SYMBOLS_PER_COMMIT): TradeRows[] {
  const { symbols } = rows;
  // a batch of no more rows than the bound cannot hold more symbols: nothing to count
  if (symbols.length <= maxSymbols) return [rows];
  /** symbol → the part it goes to */
  const partOf = new Map<string, number>();
  for (const symbol of symbols) partOf.set(symbol, 0);
  if (partOf.size <= maxSymbols) return [rows];
  // key order: each commit touches a run of neighbouring leaves, not leaves all over the trees
  const sorted = [...partOf.keys()].sort();
  for (let k = 0; k < sorted.length; k++) partOf.set(sorted[k] as string, Math.floor(k / maxSymbols));
  return cutRows(rows, (symbol) => partOf.get(symbol) as number, Math.ceil(sorted.length / maxSymbols)) as TradeRows[];
}

/**
 * The rows cut into `parts` parts by their symbol's part (`partOf`, 0 to parts - 1), each part's
 * rows in their order in the batch; a part with no rows is undefined, and a batch whose rows are all
 * in one part is that part as it is (not copied).
 */
export function cutRows(rows: TradeRows, partOf: (symbol: string) => number, parts: number): (TradeRows | undefined)[] {
  const { symbols } = rows;
  const orders: number[][] = Array.from({ length: parts }, () => []);
  for (let i = 0; i < symbols.length; i++) (orders[partOf(symbols[i] as string)] as number[]).push(i);
  return orders.map((order) => {
    if (order.length === 0) return undefined;
    if (order.length === symbols.length) return rows;
    return { exchange: rows.exchange, market: rows.market, symbols: order.map((i) => symbols[i] as string), columns: gatherTrades(rows.columns, order) };
  });
}
