/**
 * Pinning a refused subscribe request on the symbols the exchange really refuses.
 *
 * One SUBSCRIBE carries several symbols, and Binance and Bybit refuse the whole request when one of
 * them is bad: Binance answers the request id with an error that names no stream, Bybit names only
 * the bad topic. Counting the refusal against every symbol of the request would stop healthy
 * siblings for good. So:
 * - the exchange named the culprits: only they are refused; the others go out again at once;
 * - it named none and the request held several symbols: split it in two and ask again (bisection),
 *   counting nothing, until a refusal comes back for a single symbol — that one is refused.
 */

export interface PinnedRefusal {
  /** refused for real: count a failure against each */
  refused: string[];
  /** not refused themselves: subscribe again at once, each group as its own request */
  retry: string[][];
}

/**
 * `requested`: the refused request's symbols that are still waiting for an answer;
 * `named`: the symbols the exchange's answer names, if it names any.
 */
export function pinRefusal(requested: readonly string[], named: readonly string[] | undefined): PinnedRefusal {
  if (requested.length === 0) return { refused: [], retry: [] };
  const culprits = named ? requested.filter((s) => named.includes(s)) : [];
  if (culprits.length > 0) {
    const innocent = requested.filter((s) => !culprits.includes(s));
    return { refused: culprits, retry: innocent.length > 0 ? [innocent] : [] };
  }
  if (requested.length === 1) return { refused: [...requested], retry: [] };
  const half = Math.ceil(requested.length / 2);
  return { refused: [], retry: [requested.slice(0, half), requested.slice(half)] };
}
