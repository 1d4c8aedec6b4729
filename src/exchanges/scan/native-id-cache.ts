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

export class NativeIdCache {
  private slots = FIRST_SLOTS;
  private ids: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(FIRST_SLOTS).fill(undefined);
  private symbols: string[] = new Array<string>(FIRST_SLOTS).fill('');
  private count = 0;

  /** `map`: the mapper the JSON path uses (it may throw: the error reaches the caller) */
  constructor(private readonly map: (nativeId: string) => string) {}

  /** the unified symbol of the id in bytes [start, end) (well-formed UTF-8, as the scanners take them) */
  symbolOf(b: Uint8Array, start: number, end: number): string {
    const hash = hashOf(b, start, end);
    const mask = this.slots - 1;
    let slot = hash & mask;
    for (;;) {
      const id = this.ids[slot];
      if (id === undefined) break;
      if (sameId(id, b, start, end)) return this.symbols[slot] as string;
      slot = (slot + 1) & mask;
    }
    const symbol = this.map(utf8String(b, start, end));
    if (2 * (this.count + 1) > this.slots) {
      this.resize(this.slots < MAX_SLOTS ? this.slots * 2 : FIRST_SLOTS);
      return this.symbolAfterResize(b, start, end, hash, symbol);
    }
    this.ids[slot] = b.slice(start, end);
    this.symbols[slot] = symbol;
    this.count++;
    return symbol;
  }

  private symbolAfterResize(b: Uint8Array, start: number, end: number, hash: number, symbol: string): string {
    const mask = this.slots - 1;
    let slot = hash & mask;
    while (this.ids[slot] !== undefined) slot = (slot + 1) & mask;
    this.ids[slot] = b.slice(start, end);
    this.symbols[slot] = symbol;
    this.count++;
    return symbol;
  }

  /** a larger table with every id moved over; a smaller one (a full table at its bound) starts empty */
  private resize(slots: number): void {
    const oldIds = this.ids;
    const oldSymbols = this.symbols;
    const keep = slots > this.slots;
    this.slots = slots;
    this.ids = new Array<Uint8Array | undefined>(slots).fill(undefined);
    this.symbols = new Array<string>(slots).fill('');
    this.count = 0;
    if (!keep) return;
    const mask = slots - 1;
    for (let k = 0; k < oldIds.length; k++) {
      const id = oldIds[k];
      if (id === undefined) continue;
      let slot = hashOf(id, 0, id.length) & mask;
      while (this.ids[slot] !== undefined) slot = (slot + 1) & mask;
      this.ids[slot] = id;
      this.symbols[slot] = oldSymbols[k] as string;
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
