/**
 * Latency samples kept in chunks of typed arrays: the measuring code runs on the thread it measures,
 * and arrays of numbers grown by push (400,000 samples at 50k trades/s, three of them) were copied
 * again and again into the large-object space, whose collections then showed up in the very
 * latency they recorded.
 */
const CHUNK = 1 << 16;

export class SampleLog {
  private readonly chunks: Float64Array[] = [];
  private current = new Float64Array(CHUNK);
  private at = 0;

  push(v: number): void {
    if (this.at === CHUNK) {
      this.chunks.push(this.current);
      this.current = new Float64Array(CHUNK);
      this.at = 0;
    }
    this.current[this.at++] = v;
  }

  get length(): number {
    return this.chunks.length * CHUNK + this.at;
  }

  /** every sample, sorted ascending */
  sorted(): Float64Array {
    const out = new Float64Array(this.length);
    let k = 0;
    for (const c of this.chunks) {
      out.set(c, k);
      k += c.length;
    }
    out.set(this.current.subarray(0, this.at), k);
    return out.sort();
  }
}
