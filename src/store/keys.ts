/**
 * LMDB key layout (ordered-binary array keys, compared element by element):
 *
 *   trade:  [exchange, market, symbol, 'trade',  timestamp, id]
 *   ticker: [exchange, market, symbol, 'ticker', timestamp, localTimestamp, seq]
 *   cursor: [exchange, market, symbol]            (in the separate `cursors` DB)
 *   id:     [exchange, market, symbol, 'trade', id]    (string ids only, `tradeIds` DB; see id-guard.ts)
 *   block:  [exchange, market, symbol, 'trade', block] (numeric ids, `idBlocks` DB; see id-guard.ts)
 *
 * One symbol's time range of one type is therefore one contiguous range scan.
 * A trade's key is a pure function of its identity, so the same trade written twice (live and
 * again by REST backfill) lands on the same key and the store can refuse the second copy.
 * Tickers have no exchange id; equal exchange timestamps are told apart by the receive time plus
 * a per-store sequence (retried on the improbable collision, so a ticker is never overwritten).
 * On the write path trade keys are built as bytes by TradeKeyWriter (below): the same bytes, cheaper.
 */
import type { Key } from 'lmdb';
import type { ExchangeId, Market, Ticker, Trade } from '../records.js';
import type { RangeQuery } from './types.js';

/**
 * Sorts after every id or tie-breaker element: ordered-binary writes a Uint8Array raw, and no
 * encoded number (first byte 0x08–0x17) or string (first byte ≥ 0x1b, never 0xff in UTF-8) starts
 * with 0xff. The same value as ordered-binary's MAXIMUM_KEY, which lmdb does not re-export.
 */
export const AFTER_ALL = new Uint8Array([0xff]);

/** Largest id kept as a number: beyond 2^53 a number would no longer round-trip to the same string. */
const MAX_NUMERIC_ID_DIGITS = 15;

/**
 * Canonical non-negative integer ids (`"0"`, `"28457001"`) become numbers so they sort numerically
 * within one millisecond ("9" before "10"); anything else (UUIDs, leading zeros) stays a string.
 * Both forms map back to exactly the original string.
 */
export function idPart(id: string): number | string {
  const len = id.length;
  if (len === 0 || len > MAX_NUMERIC_ID_DIGITS) return id;
  const first = id.charCodeAt(0);
  if (first === 48 /* '0' */) return len === 1 ? 0 : id;
  for (let i = 0; i < len; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return id;
  }
  return Number(id);
}

export function idFromPart(part: Key | undefined): string {
  if (typeof part === 'number') return String(part);
  if (typeof part === 'string') return part;
  throw new TypeError(`unexpected id element in key: ${String(part)}`);
}

export function tradeKey(t: Trade): Key[] {
  return [t.exchange, t.market, t.symbol, 'trade', t.timestamp, idPart(t.id)];
}

/** the string-id index's key: the record key without its timestamp */
export function tradeIdKey(t: Trade, part: number | string = idPart(t.id)): Key[] {
  return [t.exchange, t.market, t.symbol, 'trade', part];
}

export function tickerKey(t: Ticker, seq: number): Key[] {
  return [t.exchange, t.market, t.symbol, 'ticker', t.timestamp, t.localTimestamp, seq];
}

export function cursorKey(exchange: ExchangeId, market: Market, symbol: string): Key[] {
  return [exchange, market, symbol];
}

/** `start` inclusive, `end` exclusive, as lmdb-js getRange takes them. */
export function rangeBounds(query: RangeQuery, type: 'trade' | 'ticker'): { start: Key[]; end: Key[] } {
  const prefix: Key[] = [query.exchange, query.market, query.symbol, type];
  const start = query.from === undefined ? prefix : [...prefix, query.from];
  const end = query.to === undefined ? [...prefix, AFTER_ALL] : [...prefix, query.to, AFTER_ALL];
  return { start, end };
}

/**
 * Builds trade keys as bytes, exactly as ordered-binary would encode `tradeKey(t)`, without
 * walking an array per put: lmdb-js's array-key path (type checks, four strings re-encoded per
 * record) cost ~0.8 µs of the ~2.2 µs a put took. The bytes on disk are unchanged, so stores
 * written before read the same; test/store/keys.test.ts compares both encodings.
 *
 *   prefix  = exchange 0x00 market 0x00 symbol 0x00 "trade" 0x00   (cached per symbol)
 *   tail    = timestamp (9 bytes) 0x00 id (9 bytes)                 (numeric ids only)
 *
 * A string id (Bybit UUIDs) or a name ordered-binary would encode differently (see
 * `encodeShortString`) returns undefined: the caller uses the array key for that record.
 * lmdb-js copies the key out of the returned view before `put` returns, so one scratch buffer serves.
 */
export class TradeKeyWriter {
  private readonly scratch = Buffer.alloc(512);
  private readonly view = new DataView(this.scratch.buffer, this.scratch.byteOffset, this.scratch.byteLength);
  /** views of the scratch by length: a subarray per put would be an allocation per record */
  private readonly views: (Buffer | undefined)[] = [];
  private readonly prefixes = new Map<string, Map<string, Map<string, Buffer | null>>>();
  private lastExchange = '';
  private lastMarket = '';
  private lastSymbols: Map<string, Buffer | null> | undefined;

  /** the key of a trade whose id element is `part` (idPart(t.id)); undefined: use tradeKey(t) */
  write(t: Trade, part: number | string): Uint8Array | undefined {
    if (typeof part !== 'number') return undefined;
    const prefix = this.prefix(t.exchange, t.market, t.symbol);
    if (prefix === null) return undefined;
    let pos = prefix.copy(this.scratch, 0);
    pos = writeSequenceNumber(t.timestamp, this.scratch, this.view, pos);
    this.scratch[pos++] = 0;
    pos = writeSequenceNumber(part, this.scratch, this.view, pos);
    return (this.views[pos] ??= this.scratch.subarray(0, pos));
  }

  private prefix(exchange: string, market: string, symbol: string): Buffer | null {
    if (exchange !== this.lastExchange || market !== this.lastMarket || this.lastSymbols === undefined) {
      let markets = this.prefixes.get(exchange);
      if (markets === undefined) this.prefixes.set(exchange, (markets = new Map()));
      let symbols = markets.get(market);
      if (symbols === undefined) markets.set(market, (symbols = new Map()));
      this.lastExchange = exchange;
      this.lastMarket = market;
      this.lastSymbols = symbols;
    }
    let prefix = this.lastSymbols.get(symbol);
    if (prefix === undefined) {
      const parts = [exchange, market, symbol, 'trade'].map(encodeShortString);
      prefix = parts.every((p) => p !== undefined) ? Buffer.concat(parts.flatMap((p) => [p as Buffer, ZERO])) : null;
      // a prefix longer than the scratch leaves room for would not fit: array key instead
      if (prefix !== null && prefix.length > this.scratch.length - 32) prefix = null;
      this.lastSymbols.set(symbol, prefix);
    }
    return prefix;
  }
}

const ZERO = Buffer.from([0]);

/**
 * ordered-binary's string encoding for strings under 64 UTF-16 units that need no escape byte:
 * UTF-8, except that a first character below 28 gets a 27 prefix and characters ≤ 4 are escaped.
 * Those cases (never seen in exchange names or symbols) return undefined rather than risk a
 * different byte; longer strings take ordered-binary's other branch and are left to it too.
 */
function encodeShortString(s: string): Buffer | undefined {
  if (s.length === 0 || s.length >= 0x40) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 28) return undefined;
    // a lone surrogate: ordered-binary and Buffer.from would write different bytes
    if (c >= 0xd800 && c <= 0xdfff) return undefined;
  }
  return Buffer.from(s, 'utf8');
}

const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer);
/** which Int32 half of a float64 holds the low word on this machine */
const LOW = new Uint8Array(new Uint32Array([0xffee1100]).buffer)[0] === 0xff ? 1 : 0;
const HIGH = 1 - LOW;

/** ordered-binary's number encoding inside an array (always 9 bytes), as in its writeKey */
function writeSequenceNumber(n: number, target: Buffer, view: DataView, pos: number): number {
  f64[0] = n;
  const low = i32[LOW] as number;
  const high = i32[HIGH] as number;
  if (n < 0) {
    view.setInt32(pos + 4, ~((low >>> 4) | (high << 28)));
    view.setInt32(pos, (high ^ 0x7fffffff) >>> 4);
    target[pos + 8] = ((low & 0xf) ^ 0xf) << 4;
  } else {
    view.setInt32(pos, (high >>> 4) | 0x10000000);
    view.setInt32(pos + 4, (low >>> 4) | (high << 28));
    target[pos + 8] = (low & 0xf) << 4;
  }
  return pos + 9;
}
