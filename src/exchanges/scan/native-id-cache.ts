/**
 * A venue's native instrument id, read as bytes from a frame, to its unified symbol — without
 * making the id's string first. The byte scanners see the same few hundred ids on one connection
 * over and over; a string per frame only to look it up was an allocation per trade. Here the bytes
 * are hashed in place and compared with the ids seen before; only a new id is decoded and mapped.
 *
 * Bounded: the table doubles up to MAX_SLOTS, and when that fills (ids that keep changing, a
 * hostile or broken feed) it is emptied and filled again, so memory never grows with the feed.
 */
import { utf8String } from './byte-scan.js';

const FIRST_SLOTS = 64;
const MAX_SLOTS = 8192;

/** one id seen: its bytes, its text, and the symbol the mapper gave */
export interface KnownId {
  readonly bytes: Uint8Array;
  readonly nativeId: string;
  readonly symbol: string;
}

export class NativeIdCache {
  private slots = FIRST_SLOTS;
  private table: (KnownId | undefined)[] = new Array<KnownId | undefined>(FIRST_SLOTS).fill(undefined);
  private count = 0;

  /** `map`: the mapper the JSON path uses (it may throw: the error reaches the caller) */
  constructor(private readonly map: (nativeId: string) => string) {}

  /** the id in bytes [start, end) (well-formed UTF-8, as the scanners take them), with its symbol */
  lookup(b: Uint8Array, start: number, end: number): KnownId {
    const hash = hashOf(b, start, end);
    let mask = this.slots - 1;
    let slot = hash & mask;
    for (;;) {
      const known = this.table[slot];
      if (known === undefined) break;
      if (sameId(known.bytes, b, start, end)) return known;
      slot = (slot + 1) & mask;
    }
    const nativeId = utf8String(b, start, end);
    // a copy (a Buffer's slice would be a view keeping the whole socket read alive)
    const known: KnownId = { bytes: new Uint8Array(b.subarray(start, end)), nativeId, symbol: this.map(nativeId) };
    if (2 * (this.count + 1) > this.slots) {
      this.resize(this.slots < MAX_SLOTS ? this.slots * 2 : FIRST_SLOTS);
      mask = this.slots - 1;
      slot = hash & mask;
      while (this.table[slot] !== undefined) slot = (slot + 1) & mask;
    }
    this.table[slot] = known;
    this.count++;
    return known;
  }

  /** the unified symbol of the id in bytes [start, end) */
  symbolOf(b: Uint8Array, start: number, end: number): string {
    return this.lookup(b, start, end).symbol;
  }

  /** a larger table with every id moved over; a smaller one (a full table at its bound) starts empty */
  private resize(slots: number): void {
    const old = this.table;
    const keep = slots > this.slots;
    this.slots = slots;
    this.table = new Array<KnownId | undefined>(slots).fill(undefined);
    this.count = 0;
    if (!keep) return;
    const mask = slots - 1;
    for (const known of old) {
      if (known === undefined) continue;
      let slot = hashOf(known.bytes, 0, known.bytes.length) & mask;
      while (this.table[slot] !== undefined) slot = (slot + 1) & mask;
      this.table[slot] = known;
      this.count++;
    }
  }
}

/** FNV-1a over the bytes, as a non-negative int */
function hashOf(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  return h >>> 0;
}

function sameId(id: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (id.length !== end - start) return false;
  for (let k = 0; k < id.length; k++) if (id[k] !== b[start + k]) return false;
  return true;
}
