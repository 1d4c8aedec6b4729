/**
 * Per-symbol contiguity of sequential trade ids (Binance `t`), fed from committed batches.
 * A symbol has a hole while some id above its contiguous frontier is stored and one below is not;
 * when no symbol has a hole, every gap has been filled — exactly, at commit granularity.
 */
export class Contiguity {
  private readonly next = new Map<string, number>();
  private readonly above = new Map<string, Set<number>>();
  private holes = 0;

  add(symbol: string, id: number): void {
    const next = this.next.get(symbol);
    if (next === undefined) {
      // the first id seen for a symbol sets where it starts
      this.next.set(symbol, id + 1);
      return;
    }
    if (id < next) return;
    if (id === next) {
      let n = next + 1;
      const pending = this.above.get(symbol);
      if (pending) {
        while (pending.delete(n)) n++;
        if (pending.size === 0) {
          this.above.delete(symbol);
          this.holes--;
        }
      }
      this.next.set(symbol, n);
      return;
    }
    let pending = this.above.get(symbol);
    if (!pending) {
      this.above.set(symbol, (pending = new Set()));
      this.holes++;
    }
    pending.add(id);
  }

  /** symbols with at least one hole right now */
  symbolsWithHoles(): number {
    return this.holes;
  }

  /** ids missing below the highest stored id, over all symbols */
  missing(): number {
    let n = 0;
    for (const [symbol, pending] of this.above) {
      const max = Math.max(...pending);
      n += max - this.next.get(symbol)! + 1 - pending.size;
    }
    return n;
  }
}
