/**
 * Exactly which trade ids have been seen, per symbol, in memory that stays small when ids come
 * mostly in order (the simulator numbers each symbol's trades consecutively): a run of ids
 * [first, next) seen without a hole is two numbers, not a Set entry each. The ccxt peer counts its
 * unique trades with it: a Set of every id would grow by millions in the sustained run and be
 * counted in ccxt's peak RSS, which is the bench's bookkeeping, not ccxt's.
 */
interface SymbolIds {
  first: number;
  /** every id in [first, next) has been seen */
  next: number;
  /** seen ids outside [first, next): above (ahead of a hole) or below the first one seen */
  other: Set<number>;
}

export class SeenIds {
  private readonly bySymbol = new Map<string, SymbolIds>();

  /** true when (symbol, id) was not seen before; records it */
  add(symbol: string, id: number): boolean {
    const s = this.bySymbol.get(symbol);
    if (!s) {
      this.bySymbol.set(symbol, { first: id, next: id + 1, other: new Set() });
      return true;
    }
    if (id >= s.first && id < s.next) return false;
    if (id === s.next) {
      let n = id + 1;
      while (s.other.delete(n)) n++;
      s.next = n;
      return true;
    }
    if (id === s.first - 1) {
      let f = id;
      while (s.other.delete(f - 1)) f--;
      s.first = f;
      return true;
    }
    if (s.other.has(id)) return false;
    s.other.add(id);
    return true;
  }

  /** ids held one by one (outside the contiguous runs): what this costs in memory */
  held(): number {
    let n = 0;
    for (const s of this.bySymbol.values()) n += s.other.size;
    return n;
  }
}
