/**
 * The complete, compact record of one symbol's trades for a scripted run's comparison: only the
 * trade ids, in generation order (the index is the trade's seq). The ledger behind the REST
 * endpoints is bounded by what the exchange's REST history serves; this log is not, so it keeps
 * 8 bytes per trade where the ids are integers (Binance, OKX, Upbit) and the id string otherwise
 * (Bybit's UUIDs), in fixed chunks so that no single array grows past a few MB.
 */
const CHUNK = 1 << 16;

export class TruthLog {
  private readonly numeric: Float64Array[] = [];
  private readonly text: string[][] = [];
  private mode: 'numeric' | 'text' | undefined;
  private n = 0;

  get size(): number {
    return this.n;
  }

  push(id: string): void {
    if (this.mode === undefined) this.mode = isCompactInteger(id) ? 'numeric' : 'text';
    if (this.mode === 'numeric' && !isCompactInteger(id)) this.toText();
    const at = this.n % CHUNK;
    if (this.mode === 'numeric') {
      if (at === 0) this.numeric.push(new Float64Array(CHUNK));
      this.numeric[this.numeric.length - 1]![at] = Number(id);
    } else {
      if (at === 0) this.text.push([]);
      this.text[this.text.length - 1]!.push(id);
    }
    this.n++;
  }

  /** the id of the trade with this seq */
  id(seq: number): string {
    if (seq < 0 || seq >= this.n) throw new RangeError(`seq ${seq} outside 0..${this.n - 1}`);
    const chunk = Math.floor(seq / CHUNK);
    return this.mode === 'numeric' ? String(this.numeric[chunk]![seq % CHUNK]) : this.text[chunk]![seq % CHUNK]!;
  }

  /** ids from `from` on, in generation order (a generator: nothing is copied) */
  *ids(from = 0): Generator<string> {
    for (let seq = Math.max(0, from); seq < this.n; seq++) yield this.id(seq);
  }

  /** an id that does not round-trip through a double switches the log to strings (never expected) */
  private toText(): void {
    const ids = [...this.ids()];
    this.numeric.length = 0;
    this.mode = 'text';
    this.n = 0;
    for (const id of ids) this.push(id);
  }
}

/** a decimal integer a double holds exactly and prints back the same */
function isCompactInteger(id: string): boolean {
  if (!/^(0|[1-9]\d{0,15})$/.test(id)) return false;
  return Number.isSafeInteger(Number(id));
}
