/**
 * Where a decoder puts a block's columns. `freshColumns` allocates new arrays for every block: the
 * columns are the caller's to keep. A `ReusedColumns` hands out the same memory again for every
 * block decoded with it, so a block's columns are valid only until the next block is decoded into
 * it; a scan that turns each block into records before taking the next one (readRange) never needs
 * more.
 *
 * Why reuse at all: a decoded trade takes 41 bytes of new typed-array memory, and new memory is not
 * free: after a full GC the allocator has handed the freed blocks back to the OS, and the next 40 MB
 * of columns fault their pages in again (measured: 930 arrays of 52 KB cost 23–250 ms right after a
 * GC, 2–4 ms when warm; that was most of a 1M-trade read).
 */
export interface ColumnMemory {
  /** a float64 column of n entries for `slot` (each slot is one column of the block) */
  f64(slot: number, n: number): Float64Array;
  /** a byte column of n entries for `slot` */
  u8(slot: number, n: number): Uint8Array;
}

export const freshColumns: ColumnMemory = {
  f64: (_slot, n) => new Float64Array(n),
  u8: (_slot, n) => new Uint8Array(n),
};

/** one array per slot, grown (doubling) when a block needs more, and handed out as its first n entries */
export class ReusedColumns implements ColumnMemory {
  private readonly floats: Float64Array[] = [];
  private readonly bytes: Uint8Array[] = [];

  f64(slot: number, n: number): Float64Array {
    let a = this.floats[slot];
    if (a === undefined || a.length < n) this.floats[slot] = a = new Float64Array(grown(a?.length ?? 0, n));
    return a.subarray(0, n);
  }

  u8(slot: number, n: number): Uint8Array {
    let a = this.bytes[slot];
    if (a === undefined || a.length < n) this.bytes[slot] = a = new Uint8Array(grown(a?.length ?? 0, n));
    return a.subarray(0, n);
  }
}

const grown = (had: number, need: number): number => Math.max(need, had * 2, 1024);
