/**
 * A book consumer's final books against the simulator's true books: the top N levels of each side,
 * [price, amount] in base units, best first, equal number for number. The simulator writes exact
 * decimals of whole ticks and lots, and every client parses the same texts, so equal books are
 * equal doubles; no tolerance hides a wrong level.
 */
export interface TopBook {
  bids: [number, number][];
  asks: [number, number][];
}
/** per unified symbol; null where the book does not exist (never synced, or never asked for) */
export type TopBooks = Record<string, TopBook | null>;

export interface BookComparison {
  /** symbols of the truth whose client book is missing or differs in its top `depth` */
  mismatched: number;
  /** up to a few of them, with the first difference, for the log */
  examples: string[];
}

export function compareBooks(client: TopBooks, truth: TopBooks, depth: number): BookComparison {
  let mismatched = 0;
  const examples: string[] = [];
  for (const [symbol, want] of Object.entries(truth)) {
    if (want === null) continue;
    const got = client[symbol] ?? null;
    const why = got === null ? 'no book' : (sideDiff('bid', got.bids, want.bids, depth) ?? sideDiff('ask', got.asks, want.asks, depth));
    if (why === undefined) continue;
    mismatched++;
    if (examples.length < 3) examples.push(`${symbol}: ${why}`);
  }
  return { mismatched, examples };
}

function sideDiff(side: string, got: readonly [number, number][], want: readonly [number, number][], depth: number): string | undefined {
  const n = Math.min(depth, want.length);
  if (got.length < n) return `${got.length} ${side} levels, ${n} expected`;
  for (let i = 0; i < n; i++) {
    const [gp, ga] = got[i]!;
    const [wp, wa] = want[i]!;
    if (gp !== wp || ga !== wa) return `${side} ${i + 1}: ${gp} × ${ga}, true ${wp} × ${wa}`;
  }
  return undefined;
}
