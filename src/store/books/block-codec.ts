/**
 * A block of one symbol's book records: consecutive records (in key order) in ONE stored value,
 * under the key of its first record (keys.ts). One value per symbol per commit instead of one per
 * record: the per-record LMDB put and its ~40 bytes of key and node overhead were most of what
 * storing a book update cost. Lossless: every number comes back bit for bit. Layout, version 2:
 *
 *   byte          2 (a one-record value of codec.ts starts with 1: the first byte tells them apart)
 *   varint        m, records in the block (1..MAX_BLOCK_RECORDS)
 *   float column  key times, m values (the first is the key's own time)
 *   m bytes       kind (bits 0-1: 0 snapshot, 1 update, 2 resync) | HAS_SEQUENCE | OWN_TIMESTAMP | HAS_REASON
 *   float column  sequences of the records that have one
 *   float64 each  timestamps of the OWN_TIMESTAMP records (the others' timestamp is their key time)
 *   float column  local timestamps, m values
 *   2m varints    bid count, ask count of each record
 *   float column  prices of every level: each record's bids then asks, record after record
 *   float column  amounts, the same order
 *   varint+UTF-8  reasons of the HAS_REASON records
 *
 * The float columns are the block codecs' (blocks/float-column.ts): decimal-scaled deltas, so key
 * times a few ms apart, sequences that step by tens and neighbouring price levels cost a byte or
 * two each, any other number falls back to raw float64. Key times come first so a reader wanting
 * only keys (the last key of a symbol, the record at a key) decodes that column alone.
 *
 * Keys inside a block are not stored whole: `n` follows from the times (keys.ts nextBookKey: a
 * key whose time is the previous one's takes the previous n + 1, a later time starts at 0), the
 * first record's n is its key's. The encoder refuses keys that break that rule rather than store
 * keys a reader would get back differently.
 */
import type { BookRecord } from '../../records.js';
import { ByteReader } from '../blocks/byte-reader.js';
import { ByteWriter } from '../blocks/byte-writer.js';
import { corrupt, invalidColumns } from '../blocks/corrupt.js';
import { decodeFloatColumn, encodeFloatColumn } from '../blocks/float-column.js';
import type { BookRecordIdentity } from './codec.js';
import type { BookKey } from './keys.js';
import { columnRecord, KIND_NAMES, PendingRun, type BookColumns } from './pending-run.js';

export const BLOCK_VERSION = 2;
/** bounds a decoder's allocations by a block's record count whatever the bytes say */
export const MAX_BLOCK_RECORDS = 4096;

const KIND_MASK = 3;
const HAS_SEQUENCE = 4;
const OWN_TIMESTAMP = 8;
const HAS_REASON = 16;
const KNOWN_BITS = KIND_MASK | HAS_SEQUENCE | OWN_TIMESTAMP | HAS_REASON;

const writer = new ByteWriter(64 * 1024);
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });
let sequences = new Float64Array(256);

function grow(a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  return a.length >= n ? a : new Float64Array(Math.max(n, a.length * 2));
}

/** true when `v` starts a block value (a v1 one-record value starts with 1) */
export function isBookBlock(value: Uint8Array): boolean {
  return value.length > 0 && value[0] === BLOCK_VERSION;
}

/**
 * The value of records [from, to) of `c`, whose keys are (keyTimes[i], keyNs[i]) (the first is the
 * block's own key). Keys must grow by keys.ts's rule (checked: a bug in the caller is refused, never stored).
 */
export function encodeBookBlock(c: BookColumns, keyTimes: Float64Array, keyNs: Float64Array, from: number, to: number): Uint8Array {
  const m = to - from;
  if (m < 1 || m > MAX_BLOCK_RECORDS) throw invalidColumns(`book block of ${m} records`);
  sequences = grow(sequences, m);
  let withSequence = 0;
  for (let i = from; i < to; i++) {
    if (i > from) {
      const t = keyTimes[i]!;
      const prev = keyTimes[i - 1]!;
      const follows = t > prev ? keyNs[i] === 0 : t === prev && keyNs[i] === keyNs[i - 1]! + 1;
      if (!follows) throw invalidColumns('book keys out of order in a block');
    }
    const s = c.sequences[i]!;
    if (s === s) sequences[withSequence++] = s;
  }
  const levelsFrom = c.levelStart[from]!;
  const levels = c.levelStart[to]! - levelsFrom;
  const w = writer;
  w.reset(1 << 20);
  w.byte(BLOCK_VERSION);
  w.varint(m);
  encodeFloatColumn(w, keyTimes.subarray(from, to), m);
  w.ensure(m);
  for (let i = from; i < to; i++) {
    w.byte(
      c.kinds[i]! |
        (c.sequences[i] === c.sequences[i] ? HAS_SEQUENCE : 0) |
        (Object.is(c.timestamps[i], keyTimes[i]) ? 0 : OWN_TIMESTAMP) |
        (c.reasons[i] !== undefined ? HAS_REASON : 0),
    );
  }
  encodeFloatColumn(w, sequences, withSequence);
  for (let i = from; i < to; i++) if (!Object.is(c.timestamps[i], keyTimes[i])) w.float64(c.timestamps[i]!);
  encodeFloatColumn(w, c.localTimestamps.subarray(from, to), m);
  w.ensure(m * 8);
  for (let i = from; i < to; i++) {
    w.varint(c.bidCounts[i]!);
    w.varint(c.askCounts[i]!);
  }
  // one byte a value at least: a decoder bounds the level count by the bytes it holds
  encodeFloatColumn(w, c.prices.subarray(levelsFrom, levelsFrom + levels), levels, true);
  encodeFloatColumn(w, c.amounts.subarray(levelsFrom, levelsFrom + levels), levels, true);
  for (let i = from; i < to; i++) {
    const reason = c.reasons[i];
    if (reason === undefined) continue;
    const text = utf8.encode(reason);
    w.varint(text.length);
    w.bytes(text);
  }
  return w.finish();
}

/** records [from, to) with their keys as a block: PendingRun's columns built from them (tests, tools) */
export function encodeBookRecordsBlock(records: readonly BookRecord[], keys: readonly BookKey[], from: number, to: number): Uint8Array {
  const r0 = records[from];
  const run = new PendingRun(r0?.exchange ?? 'binance', r0?.market ?? 'spot', r0?.symbol ?? '', '');
  const keyTimes = new Float64Array(Math.max(0, to - from));
  const keyNs = new Float64Array(Math.max(0, to - from));
  for (let i = from; i < to; i++) {
    if (!run.push(records[i]!)) throw invalidColumns('book record not storable');
    keyTimes[i - from] = keys[i]!.time;
    keyNs[i - from] = keys[i]!.n;
  }
  return encodeBookBlock(run, keyTimes, keyNs, 0, to - from);
}

/** A decoded block: its records as columns (readers apply levels or build records without copying twice) and their keys. */
export interface BookBlock extends BookColumns {
  keyTimes: Float64Array;
  keyNs: Float64Array;
}

function headerCount(r: ByteReader): number {
  if (r.byte() !== BLOCK_VERSION) throw corrupt('book block: unknown version');
  const m = r.varint();
  // each record has its kind byte at least
  if (m < 1 || m > MAX_BLOCK_RECORDS || m > r.remaining) throw corrupt(`book block of ${m} records`);
  return m;
}

/** key times and n's of a block whose first key is `first`: checked to grow as the encoder wrote them */
function readKeys(r: ByteReader, m: number, first: BookKey): { times: Float64Array; ns: Float64Array } {
  const times = new Float64Array(m);
  decodeFloatColumn(r, times, m);
  if (!Object.is(times[0], first.time)) throw corrupt('book block: first time is not its key');
  const ns = new Float64Array(m);
  ns[0] = first.n;
  for (let i = 1; i < m; i++) {
    const t = times[i]!;
    const prev = times[i - 1]!;
    if (t > prev) ns[i] = 0;
    else if (t === prev) ns[i] = ns[i - 1]! + 1;
    else throw corrupt('book block: times go back');
  }
  return { times, ns };
}

/** only the block's keys: what lastBookKey and key lookups need, without the levels */
export function decodeBookBlockKeys(value: Uint8Array, first: BookKey): { times: Float64Array; ns: Float64Array } {
  const r = new ByteReader(value);
  return readKeys(r, headerCount(r), first);
}

/** the whole block back; bytes that do not decode exactly to the end are refused (TV_ERR_STORE_CORRUPT_VALUE) */
export function decodeBookBlock(value: Uint8Array, first: BookKey): BookBlock {
  const r = new ByteReader(value);
  const m = headerCount(r);
  const { times, ns } = readKeys(r, m, first);
  const kinds = new Uint8Array(m);
  let withSequence = 0;
  let own = 0;
  if (r.remaining < m) throw corrupt('book block: truncated kinds');
  for (let i = 0; i < m; i++) {
    const b = r.byte();
    if ((b & ~KNOWN_BITS) !== 0 || (b & KIND_MASK) >= KIND_NAMES.length) throw corrupt(`book block: record flags ${b}`);
    kinds[i] = b;
    if (b & HAS_SEQUENCE) withSequence++;
    if (b & OWN_TIMESTAMP) own++;
  }
  const seqs = new Float64Array(withSequence);
  decodeFloatColumn(r, seqs, withSequence);
  const sequencesOut = new Float64Array(m);
  const timestamps = new Float64Array(m);
  if (r.remaining < own * 8) throw corrupt('book block: truncated timestamps');
  for (let i = 0, s = 0; i < m; i++) {
    const b = kinds[i]!;
    sequencesOut[i] = b & HAS_SEQUENCE ? seqs[s++]! : NaN;
    timestamps[i] = b & OWN_TIMESTAMP ? r.float64() : times[i]!;
  }
  const localTimestamps = new Float64Array(m);
  decodeFloatColumn(r, localTimestamps, m);
  const bidCounts = new Uint32Array(m);
  const askCounts = new Uint32Array(m);
  const levelStart = new Uint32Array(m + 1);
  let levels = 0;
  for (let i = 0; i < m; i++) {
    const nb = r.varint();
    const na = r.varint();
    levels += nb + na;
    // every level takes a byte at least in each of the two columns
    if (2 * levels > r.remaining) throw corrupt('book block: more levels than bytes');
    bidCounts[i] = nb;
    askCounts[i] = na;
    levelStart[i + 1] = levels;
  }
  const pricesOut = new Float64Array(levels);
  const amountsOut = new Float64Array(levels);
  decodeFloatColumn(r, pricesOut, levels);
  decodeFloatColumn(r, amountsOut, levels);
  const reasons: (string | undefined)[] = new Array<string | undefined>(m).fill(undefined);
  for (let i = 0; i < m; i++) {
    if (!(kinds[i]! & HAS_REASON)) continue;
    const len = r.varint();
    try {
      reasons[i] = fromUtf8.decode(r.bytes(len));
    } catch (error) {
      if ((error as { code?: unknown }).code === 'TV_ERR_STORE_CORRUPT_VALUE') throw error;
      throw corrupt('book block: reason is not UTF-8');
    }
  }
  if (r.remaining !== 0) throw corrupt('book block: trailing bytes');
  for (let i = 0; i < m; i++) kinds[i] = kinds[i]! & KIND_MASK;
  return { count: m, keyTimes: times, keyNs: ns, kinds, timestamps, localTimestamps, sequences: sequencesOut, bidCounts, askCounts, levelStart, prices: pricesOut, amounts: amountsOut, reasons };
}

/** record `i` of a decoded block, as the one-record codec would have given it back */
export function blockRecord(b: BookBlock, i: number, id: Omit<BookRecordIdentity, 'keyTime'>): BookRecord {
  return columnRecord(b, i, id);
}
