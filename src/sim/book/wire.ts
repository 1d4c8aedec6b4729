/**
 * The true book (true-book.ts) in each venue's wire format: Binance diff depth events and REST
 * depth answers, Bybit orderbook snapshot/delta, OKX books snapshot/update with seqId/prevSeqId and
 * the CRC32 of the top 25 levels, Upbit whole-book frames (30 units). Field names, types and
 * orders as the venues send them (the real captures in the conformance set show each).
 */
import { crc32Signed } from '../../books/crc32.js';
import { TrueBook, type BookDiff, type TickLevel } from './true-book.js';

/** levels to set (size 0: remove), as a diff or a subscription's delta (top-view.ts) carries them */
export type LevelChanges = Pick<BookDiff, 'bids' | 'asks'>;

/** the decimal text of an integer count of 10^-decimals units: (12345, 2) → "123.45" */
export function fixed(units: number, decimals: number): string {
  if (decimals === 0) return String(units);
  const digits = String(units).padStart(decimals + 1, '0');
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

export interface BookWireFormat {
  /** decimals of a price tick and a size lot */
  priceDecimals: number;
  amountDecimals: number;
  /** decimals the venue writes (Binance spot: always 8), when more than the tick's */
  wirePriceDecimals?: number;
  wireAmountDecimals?: number;
}

/** fixed(), then zeros up to the venue's written decimals */
function wireText(units: number, decimals: number, wire: number | undefined): string {
  const text = fixed(units, decimals);
  if (wire === undefined || wire <= decimals) return text;
  return text + (decimals === 0 ? '.' : '') + '0'.repeat(wire - decimals);
}

const texts = (levels: readonly TickLevel[], f: BookWireFormat): [string, string][] =>
  levels.map(([t, l]) => [wireText(t, f.priceDecimals, f.wirePriceDecimals), wireText(l, f.amountDecimals, f.wireAmountDecimals)]);

/** Binance `depthUpdate` (spot: no T/pu; futures: T and pu, the previous event's u) */
export function binanceDepthEvent(diff: BookDiff, nativeId: string, f: BookWireFormat, time: number, futures: { prevU: number } | undefined): object {
  return {
    e: 'depthUpdate',
    E: time,
    ...(futures ? { T: time } : {}),
    s: nativeId,
    U: diff.firstId,
    u: diff.lastId,
    ...(futures ? { pu: futures.prevU } : {}),
    b: texts(diff.bids, f),
    a: texts(diff.asks, f),
  };
}

/** Binance REST depth answer (`/api/v3/depth`, `/fapi/v1/depth`), `limit` levels per side */
export function binanceDepthSnapshot(book: TrueBook | { bids: TickLevel[]; asks: TickLevel[]; updateId: number }, f: BookWireFormat, limit: number, time: number, futures: boolean): object {
  const bids = book instanceof TrueBook ? book.sorted('bid') : book.bids;
  const asks = book instanceof TrueBook ? book.sorted('ask') : book.asks;
  return {
    lastUpdateId: book.updateId,
    ...(futures ? { E: time, T: time } : {}),
    bids: texts(bids.slice(0, limit), f),
    asks: texts(asks.slice(0, limit), f),
  };
}

/**
 * Bybit `orderbook.{depth}.{symbol}`: the whole book (`snapshot`) or the diff (`delta`). `u` counts
 * pushes (one per frame, 1 after a service restart), not level changes; `seq` is the cross sequence.
 */
export function bybitOrderbook(book: TrueBook, diff: LevelChanges | undefined, nativeId: string, depth: number, f: BookWireFormat, time: number, u: number, seq: number): object {
  const bids = diff ? diff.bids : book.sorted('bid').slice(0, depth);
  const asks = diff ? diff.asks : book.sorted('ask').slice(0, depth);
  return {
    topic: `orderbook.${depth}.${nativeId}`,
    type: diff ? 'delta' : 'snapshot',
    ts: time,
    data: { s: nativeId, b: texts(bids, f), a: texts(asks, f), u, seq },
    cts: time,
  };
}

/** OKX's checksum of the book's top 25 levels, over the wire strings */
export function okxBookChecksum(book: TrueBook, f: BookWireFormat): number {
  const bids = texts(book.sorted('bid').slice(0, 25), f);
  const asks = texts(book.sorted('ask').slice(0, 25), f);
  const parts: string[] = [];
  for (let i = 0; i < 25; i++) {
    const b = bids[i];
    const a = asks[i];
    if (b) parts.push(b[0], b[1]);
    if (a) parts.push(a[0], a[1]);
  }
  return crc32Signed(parts.join(':'));
}

/**
 * OKX `books`: a `snapshot` (the whole book, prevSeqId -1) or an `update` (the diff); seqId is the
 * book's update id. `checksum` false sends 0, as OKX does since 2026.
 */
export function okxBooks(book: TrueBook, diff: LevelChanges | undefined, instId: string, f: BookWireFormat, time: number, prevSeqId: number, checksum: boolean): object {
  const four = (levels: readonly TickLevel[]) => texts(levels, f).map(([p, s]) => [p, s, '0', s === fixed(0, f.amountDecimals) ? '0' : '1']);
  return {
    arg: { channel: 'books', instId },
    action: diff ? 'update' : 'snapshot',
    data: [{
      asks: four(diff ? diff.asks : book.sorted('ask')),
      bids: four(diff ? diff.bids : book.sorted('bid')),
      ts: String(time),
      checksum: checksum ? okxBookChecksum(book, f) : 0,
      prevSeqId: diff ? prevSeqId : -1,
      seqId: book.updateId,
    }],
  };
}

/**
 * OKX REST `GET /api/v5/market/books` (`sz` levels a side, at most 400): the book now, with the
 * `seqId` a client chains the WebSocket updates on (`prevSeqId <= seqId < next seqId`), as OKX
 * documents it for bootstrapping since the channel's initial snapshot was announced for removal.
 */
export function okxBooksRest(book: { bids: TickLevel[]; asks: TickLevel[]; updateId: number }, f: BookWireFormat, sz: number, time: number): object {
  const four = (levels: readonly TickLevel[]) => texts(levels.slice(0, sz), f).map(([p, s]) => [p, s, '0', '1']);
  return { code: '0', msg: '', data: [{ asks: four(book.asks), bids: four(book.bids), ts: String(time), seqId: book.updateId }] };
}

/** Upbit `orderbook`: the top `units` levels as numbers, totals of those units */
export function upbitOrderbook(book: TrueBook, code: string, f: BookWireFormat, time: number, units = 30, streamType = 'REALTIME'): object {
  const bids = book.sorted('bid').slice(0, units);
  const asks = book.sorted('ask').slice(0, units);
  const n = Math.max(bids.length, asks.length);
  const num = (v: number, d: number) => Number(fixed(v, d));
  const rows = [];
  let totalAsk = 0;
  let totalBid = 0;
  for (let i = 0; i < n; i++) {
    const a = asks[i];
    const b = bids[i];
    if (a === undefined || b === undefined) break; // Upbit pairs units: both sides or none
    rows.push({ ask_price: num(a[0], f.priceDecimals), bid_price: num(b[0], f.priceDecimals), ask_size: num(a[1], f.amountDecimals), bid_size: num(b[1], f.amountDecimals) });
    totalAsk += a[1];
    totalBid += b[1];
  }
  return {
    type: 'orderbook', code, timestamp: time,
    total_ask_size: num(totalAsk, f.amountDecimals), total_bid_size: num(totalBid, f.amountDecimals),
    orderbook_units: rows, stream_type: streamType, level: 0,
  };
}
