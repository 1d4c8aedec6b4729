/**
 * A growable run of trade rows, for the writer's tail memo (block-store.ts TailMemo): the rows of a
 * symbol's unsealed tail blocks, appended batch by batch, read back as columns of any trailing run,
 * and cut down after a compaction.
 *
 * The rows live in chunks of CHUNK_ROWS rows (one ArrayBuffer each, six column views), not in one
 * set of arrays doubled as it fills. Doubling copied every row again at each step and, worse,
 * touched fresh pages: symbols at even rates filled their buffers in step, all fifty doubled in one
 * commit, ~70 MB of first-touched memory, a 145 ms stall in a profile at 50k trades/s (page faults
 * on the measured VM ran at ~0.5 GB/s). Chunks are added one at a time and never copied; a cut
 * (keepFrom) moves a head offset and gives whole chunks back to a small shared pool, from which
 * the next growth of any symbol takes them: after the first cycle a busy writer touches no new
 * memory for its memos. A buffer starts with one small chunk that doubles up to CHUNK_ROWS, so
 * thousands of quiet symbols hold a few KB each.
 *
 * Few objects on purpose: keeping each batch's own columns instead (a few dozen rows each, six
 * typed arrays per part) left ~100k small ArrayBuffers alive under a burst, and the garbage
 * collector spent more on tracking them than the memo saved.
 */
import type { RowBuffer } from './row-kind.js';
import type { TradeColumns } from './columns.js';

const MIN_CAPACITY = 64;
/** rows per chunk, a power of two (84 KB a chunk) */
const CHUNK_SHIFT = 11;
export const CHUNK_ROWS = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_ROWS - 1;
/** bytes per row allocated: five float64 columns (four and the numeric ids) and the sides */
const ROW_BYTES = 41;
/** full chunks kept for reuse, at most (5.4 MB) */
const POOL_MAX_CHUNKS = 64;

interface Chunk {
  rows: number;
  timestamps: Float64Array;
  localTimestamps: Float64Array;
  prices: Float64Array;
  amounts: Float64Array;
  numbers: Float64Array;
  sides: Uint8Array;
}

/** bytes of chunks allocated new (not from the pool) since the process started: for tests and benches */
export const chunkAllocation = { freshBytes: 0 };

function newChunk(rows: number): Chunk {
  const buffer = new ArrayBuffer(rows * ROW_BYTES);
  chunkAllocation.freshBytes += buffer.byteLength;
  const f64 = (k: number) => new Float64Array(buffer, k * rows * 8, rows);
  return { rows, timestamps: f64(0), localTimestamps: f64(1), prices: f64(2), amounts: f64(3), numbers: f64(4), sides: new Uint8Array(buffer, rows * 40, rows) };
}

type RowColumns = Pick<Chunk, 'timestamps' | 'localTimestamps' | 'prices' | 'amounts' | 'sides'>;

/**
 * Below this many rows a copy goes element by element: `set(subarray(…))` makes a view per column
 * (twelve objects) whatever the count, which for the one or two rows a steady symbol brings per
 * batch cost ~2 µs an append against ~30 ns
 */
const SMALL_COPY = 16;

/** rows [from, from + k) of `src` (and of its numeric ids, when given) into `dst` at `at` */
function copyRows(src: RowColumns, numbers: Float64Array | undefined, from: number, k: number, dst: Chunk, at: number): void {
  if (k < SMALL_COPY) {
    for (let i = 0; i < k; i++) {
      const r = from + i;
      const w = at + i;
      dst.timestamps[w] = src.timestamps[r] as number;
      dst.localTimestamps[w] = src.localTimestamps[r] as number;
      dst.prices[w] = src.prices[r] as number;
      dst.amounts[w] = src.amounts[r] as number;
      dst.sides[w] = src.sides[r] as number;
      if (numbers !== undefined) dst.numbers[w] = numbers[r] as number;
    }
    return;
  }
  const end = from + k;
  dst.timestamps.set(src.timestamps.subarray(from, end), at);
  dst.localTimestamps.set(src.localTimestamps.subarray(from, end), at);
  dst.prices.set(src.prices.subarray(from, end), at);
  dst.amounts.set(src.amounts.subarray(from, end), at);
  dst.sides.set(src.sides.subarray(from, end), at);
  if (numbers !== undefined) dst.numbers.set(numbers.subarray(from, end), at);
}

const pool: Chunk[] = [];
const takeChunk = (): Chunk => pool.pop() ?? newChunk(CHUNK_ROWS);
function giveChunk(c: Chunk): void {
  if (c.rows === CHUNK_ROWS && pool.length < POOL_MAX_CHUNKS) pool.push(c);
}

/** a view across chunks is gathered here: one per process, valid until the next such view (see view()) */
let scratch: Chunk = newChunk(0);

export class TradeRowBuffer implements RowBuffer<TradeColumns> {
  length = 0;
  /** chunks[0] may be smaller than CHUNK_ROWS only while it is the only one */
  private chunks: Chunk[] = [];
  /** where row 0 is in chunks[0] */
  private head = 0;
  /** string ids by row (a tail of string ids); numeric ids are in the chunks */
  private strings: string[] = [];
  /** the id kind this buffer holds, fixed by its first rows */
  private kind: 'numeric' | 'string' | undefined;

  get bytes(): number {
    let rows = 0;
    for (const c of this.chunks) rows += c.rows;
    return rows * ROW_BYTES + this.strings.length * 8;
  }

  append(rows: TradeColumns): boolean {
    const n = rows.length;
    if (n === 0) return true;
    if (this.kind === undefined || this.length === 0) this.kind = rows.ids.kind;
    else if (rows.ids.kind !== this.kind) return false;
    this.reserve(n);
    const numeric = rows.ids.kind === 'numeric' ? (rows.ids.values as Float64Array) : undefined;
    let p = this.head + this.length;
    for (let i = 0; i < n; ) {
      const c = this.chunks[p >> CHUNK_SHIFT] as Chunk;
      const at = p & CHUNK_MASK;
      const k = Math.min(n - i, c.rows - at);
      copyRows(rows, numeric, i, k, c, at);
      i += k;
      p += k;
    }
    if (numeric === undefined) for (let i = 0; i < n; i++) this.strings[this.length + i] = rows.ids.values[i] as string;
    this.length += n;
    return true;
  }

  /**
   * Rows [start, end): views of the buffer's memory when they lie in one chunk, else a copy in a
   * scratch shared by every buffer of the process. Either way valid only until the next append,
   * keepFrom, or view of a run across chunks (of any buffer): the block store encodes what it
   * reads before it asks for more.
   */
  view(start: number, end: number): TradeColumns {
    const n = end - start;
    const ids = (numbers: Float64Array): TradeColumns['ids'] => (this.kind === 'string' ? { kind: 'string', values: this.strings.slice(start, end) } : { kind: 'numeric', values: numbers });
    const ps = this.head + start;
    if (n <= 0 || this.chunks.length === 0) {
      const none = new Float64Array(0);
      return { length: 0, timestamps: none, localTimestamps: none, ids: ids(none), prices: none, amounts: none, sides: new Uint8Array(0) };
    }
    const first = ps >> CHUNK_SHIFT;
    if (first === (ps + n - 1) >> CHUNK_SHIFT) {
      const c = this.chunks[first] as Chunk;
      const a = ps & CHUNK_MASK;
      const b = a + n;
      return { length: n, timestamps: c.timestamps.subarray(a, b), localTimestamps: c.localTimestamps.subarray(a, b), ids: ids(c.numbers.subarray(a, b)), prices: c.prices.subarray(a, b), amounts: c.amounts.subarray(a, b), sides: c.sides.subarray(a, b) };
    }
    if (scratch.rows < n) scratch = newChunk(Math.max(n, scratch.rows * 2));
    const s = scratch;
    const numeric = this.kind !== 'string';
    for (let i = 0, p = ps; i < n; ) {
      const c = this.chunks[p >> CHUNK_SHIFT] as Chunk;
      const a = p & CHUNK_MASK;
      const k = Math.min(n - i, c.rows - a);
      copyRows(c, numeric ? c.numbers : undefined, a, k, s, i);
      i += k;
      p += k;
    }
    return { length: n, timestamps: s.timestamps.subarray(0, n), localTimestamps: s.localTimestamps.subarray(0, n), ids: ids(s.numbers.subarray(0, n)), prices: s.prices.subarray(0, n), amounts: s.amounts.subarray(0, n), sides: s.sides.subarray(0, n) };
  }

  /** drops the rows before `start`: no row is copied, whole chunks before the new head go to the pool */
  keepFrom(start: number): void {
    const n = this.length - start;
    if (this.kind === 'string') this.strings = this.strings.slice(start, this.length);
    this.length = n;
    if (n === 0) {
      // empty: the first chunk stays for the next rows, the others go back
      for (let k = 1; k < this.chunks.length; k++) giveChunk(this.chunks[k] as Chunk);
      this.chunks.length = Math.min(this.chunks.length, 1);
      this.head = 0;
      return;
    }
    this.head += start;
    const drop = this.chunks.length > 1 ? Math.min(this.head >> CHUNK_SHIFT, this.chunks.length - 1) : 0;
    if (drop > 0) {
      for (let k = 0; k < drop; k++) giveChunk(this.chunks[k] as Chunk);
      this.chunks.splice(0, drop);
      this.head -= drop * CHUNK_ROWS;
    }
  }

  /** room for `n` more rows: the lone small chunk doubled (its rows copied to the front), then whole chunks added */
  private reserve(n: number): void {
    const first = this.chunks[0];
    if (first === undefined || (this.chunks.length === 1 && first.rows < CHUNK_ROWS && this.head + this.length + n > first.rows)) {
      const need = this.length + n;
      let rows = Math.max(MIN_CAPACITY, (first?.rows ?? 0) * 2);
      while (rows < need && rows < CHUNK_ROWS) rows *= 2;
      const c = rows >= CHUNK_ROWS ? takeChunk() : newChunk(rows);
      if (first !== undefined && this.length > 0) copyRows(first, first.numbers, this.head, this.length, c, 0);
      this.chunks[0] = c;
      this.head = 0;
    }
    const end = this.head + this.length + n;
    while (this.chunks.length * CHUNK_ROWS < end) this.chunks.push(takeChunk());
  }
}
